/**
 * What `converge checks run` shows while checks run (a test suite can take a minute): the running
 * checks with their clock, redrawn in place on a terminal; on a pipe or log, a line when a check
 * starts and ends, and a "still running" line every half minute.
 */
import type { CheckProgress } from '../../checks/index.js';
import { formatElapsed } from './running-steps.js';

const TICK_MS = 1000;
const STILL_RUNNING_MS = 30_000;

interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CheckProgressDisplay {
  onProgress(event: CheckProgress): void;
  /** Clears the live line; call once the checks are done. */
  stop(): void;
}

export function checkProgressDisplay(out: Out, now: () => number = Date.now): CheckProgressDisplay {
  // A terminal that reports no width cannot be redrawn in place.
  const live = out.isTTY === true && (out.columns ?? 0) > 0;
  // Checks run several at once: the live line shows the one running longest, and how many besides.
  const running = new Map<number, { label: string; since: number; said: number }>();
  const clock = () => {
    const first = running.values().next().value;
    if (first === undefined) return '';
    const more = running.size > 1 ? ` (+${running.size - 1} more)` : '';
    return `running ${first.label} ${formatElapsed(now() - first.since)}${more}`;
  };
  const draw = () => {
    if (running.size === 0) return;
    if (live) {
      const text = clock();
      out.write(`\r\x1b[2K${text.length > out.columns! - 1 ? text.slice(0, out.columns! - 2) + '…' : text}`);
      return;
    }
    for (const current of running.values()) {
      if (now() - current.said < STILL_RUNNING_MS) continue;
      current.said = now();
      out.write(`  ${current.label} still running (${formatElapsed(now() - current.since)})\n`);
    }
  };
  const timer = setInterval(draw, live ? TICK_MS : STILL_RUNNING_MS / 6);
  timer.unref();
  return {
    onProgress(event) {
      const label = `${event.check.id} (${event.index + 1}/${event.total})`;
      if (event.type === 'started') {
        running.set(event.index, { label, since: now(), said: now() });
        if (live) draw();
        else out.write(`running ${label}…\n`);
        return;
      }
      running.delete(event.index);
      const line = `${event.result.status === 'passed' ? '✓' : event.result.status === 'skipped' ? '-' : '✗'} ${event.check.id} ${event.result.status} in ${seconds(event.result.durationMs)}`;
      out.write(live ? `\r\x1b[2K${line}\n` : `  ${line}\n`);
      if (live) draw();
    },
    stop() {
      clearInterval(timer);
      if (live && running.size > 0) out.write('\r\x1b[2K');
      running.clear();
    },
  };
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : formatElapsed(ms);
}
