/**
 * Crash safety: a run is killed with SIGKILL at random points and resumed; the result must be
 * the same event sequence as an uninterrupted run, with no event lost and no finished action
 * executed again. CONVERGE_CRASH_TRIALS sets the number of kills (default 10; 50+ for the full set).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { WorkflowEvent } from '../../src/core/events.js';
import { converge, copyFixture, spawnConverge } from './helpers/cli.js';

const TRIALS = Number(process.env.CONVERGE_CRASH_TRIALS ?? 10);
const RESULT_TYPES = new Set(['step_output_recorded', 'validation_recorded', 'step_failed']);

/** The log without what legitimately differs between runs: times, paths, durations, output text of checks. */
function normalise(events: WorkflowEvent[]): unknown[] {
  return events.map((event) => {
    const copy = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
    delete copy.at;
    delete copy.notBefore;
    delete copy.timeoutAt;
    if (copy.type === 'workflow_started') copy.workspace = '<workspace>';
    if (copy.type === 'step_started' || (copy.type === 'step_scheduled' && copy.agent !== undefined)) copy.agent = '<agent>';
    const stripTiming = (results: Array<Record<string, unknown>>) => results.map(({ durationMs: _d, output: _o, ...rest }) => rest);
    if (copy.type === 'checks_recorded') copy.results = stripTiming(copy.results as Array<Record<string, unknown>>);
    if (copy.type === 'validation_recorded') {
      const report = copy.report as Record<string, unknown>;
      report.toolResults = stripTiming(report.toolResults as Array<Record<string, unknown>>);
    }
    return JSON.stringify(copy).replace(/wf-[0-9a-f]+/g, '<wf>');
  });
}

async function readLog(dir: string, id: string): Promise<WorkflowEvent[]> {
  const store = await openStore(join(dir, 'store.db'));
  try {
    return await store.readEvents(id);
  } finally {
    await store.close();
  }
}

async function startFixture(): Promise<{ dir: string; id: string }> {
  const dir = copyFixture('crash');
  const started = await converge(['--store', 'store.db', 'start', 'Write the value file', '--workspace', 'project', '--auto-approve'], { cwd: dir });
  expect(started.stderr).toBe('');
  return { dir, id: started.stdout.trim() };
}

function traceLines(dir: string): string[] {
  const path = join(dir, 'trace.log');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

describe('crash-safe resume', () => {
  let baseline: { events: unknown[]; ms: number };

  it('completes an uninterrupted run (the baseline)', async () => {
    const { dir, id } = await startFixture();
    const t0 = Date.now();
    const run = await converge(['--store', 'store.db', 'resume', id, '--no-wait'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const events = await readLog(dir, id);
    expect(events.at(-1)?.type).toBe('workflow_completed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    baseline = { events: normalise(events), ms: Date.now() - t0 };
  });

  it(`resumes after SIGKILL at ${TRIALS} random points with the same log and no finished action redone`, async () => {
    expect(baseline).toBeDefined();
    const killedDuring = new Set<string>();
    for (let trial = 0; trial < TRIALS; trial++) {
      const { dir, id } = await startFixture();
      const child = spawnConverge(['--store', 'store.db', 'resume', id, '--no-wait'], { cwd: dir });
      await sleep(150 + Math.floor(Math.random() * Math.max(100, baseline.ms - 150)));
      child.kill('SIGKILL');
      await child;

      const before = await readLog(dir, id);
      killedDuring.add(before.at(-1)?.type ?? 'none');
      const finished = new Set(before.filter((e) => RESULT_TYPES.has(e.type)).map((e) => (e as { actionId: string }).actionId));
      const traceBefore = traceLines(dir).length;

      const resumed = await converge(['--store', 'store.db', 'resume', id, '--no-wait'], { cwd: dir });
      expect(resumed.exitCode, `trial ${trial}: ${resumed.stderr}`).toBe(0);
      const after = await readLog(dir, id);
      expect(after.map((e) => e.seq), `trial ${trial}: sequence has gaps or duplicates`).toEqual(after.map((_, i) => i + 1));
      expect(normalise(after), `trial ${trial}: the log differs from an uninterrupted run`).toEqual(baseline.events);
      const redone = traceLines(dir)
        .slice(traceBefore)
        .filter((line) => finished.has(line.split(' ')[0]!));
      expect(redone, `trial ${trial}: finished actions were executed again`).toEqual([]);
    }
    // Kills should land in different places; with few trials this is a weak check, so only a floor.
    expect(killedDuring.size).toBeGreaterThan(1);
  }, 600_000);
});
