/**
 * Live progress: listr2 on a terminal, plain timestamped lines otherwise, JSON lines with --json.
 */
import { Listr } from 'listr2';
import type { WorkflowEvent } from '../../core/events.js';
import type { WorkflowState } from '../../core/state.js';
import type { StepProgress } from '../../engine/step-progress.js';
import { describeEvent } from './event-lines.js';
import { printJsonLine, printText, terminalSafe } from './cli-output.js';
import { progressLine, RunningSteps } from './running-steps.js';

export type ProgressMode = 'tty' | 'plain' | 'json';

/** How often a terminal's clock ticks, and how long plain output stays silent before saying a step still runs. */
const TICK_MS = 1000;
const HEARTBEAT_MS = 30_000;
/** A command agent may report many actions a second; plain and JSON output show one per this interval. */
const ACTIVITY_MS = 5000;

/**
 * A terminal that reports no width (0 columns, as some IDE consoles and `script` do) would get
 * listr2's drawing wrapped at one character a line; it gets the plain lines instead.
 */
export function progressMode(json: boolean | undefined, out: { isTTY?: boolean; columns?: number } = process.stdout): ProgressMode {
  if (json) return 'json';
  return out.isTTY === true && (out.columns ?? 0) > 0 && process.env.CI === undefined ? 'tty' : 'plain';
}

export interface Progress {
  onEvents(state: WorkflowState, events: readonly WorkflowEvent[]): void;
  /** Which check runs, what the agent does: the engine's live progress (EngineOptions.onProgress). */
  onProgress(progress: StepProgress): void;
  /** Runs `fn` while showing progress; the listener above feeds it. */
  around<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Lines for a person amid the progress (what to do at a wait); JSON mode prints its own record instead. */
  note(lines: readonly string[]): void;
}

export function createProgress(mode: ProgressMode): Progress {
  let sink: ((line: string) => void) | undefined;
  let refresh: (() => void) | undefined;
  const running = new RunningSteps();
  const lastLine = new Map<string, number>();
  const lastActivity = new Map<string, { at: number; text: string }>();
  const plain = (workflowId: string, line: string) => {
    lastLine.set(workflowId, Date.now());
    printText(`${new Date().toISOString().slice(11, 19)}  ${workflowId}  ${line}`);
  };
  const onProgress = (progress: StepProgress) => {
    running.onProgress(progress);
    if (mode === 'tty') return refresh?.();
    if (progress.kind === 'agent_activity') {
      const last = lastActivity.get(progress.workflowId);
      if (last !== undefined && (last.text === progress.text || Date.now() - last.at < ACTIVITY_MS)) return;
      lastActivity.set(progress.workflowId, { at: Date.now(), text: progress.text });
    }
    if (mode === 'plain') return plain(progress.workflowId, progressLine(progress));
    const { workflowId, actionId, stepNumber, kind, ...rest } = progress;
    const { durationMs, ...fields } = rest as typeof rest & { durationMs?: number };
    printJsonLine({ workflow_id: workflowId, type: 'progress', kind, step: stepNumber, action_id: actionId, ...fields, ...(durationMs !== undefined ? { duration_ms: durationMs } : {}) });
  };
  const onEvents = (state: WorkflowState, events: readonly WorkflowEvent[]) => {
    for (const event of events) {
      running.onEvent(state, event);
      if (mode === 'json') {
        printJsonLine({ workflow_id: state.workflowId, ...compact(event) });
        continue;
      }
      const line = describeEvent(state, event);
      if (sink !== undefined) sink(line);
      else {
        lastLine.set(state.workflowId, Date.now());
        printText(`${event.at.slice(11, 19)}  ${state.workflowId}  ${line}`);
      }
    }
  };
  return {
    onEvents,
    onProgress,
    note(lines: readonly string[]): void {
      if (mode === 'json' || lines.length === 0) return;
      // listr2 holds stdout while it draws, so on a terminal the lines go through the task's output.
      if (sink !== undefined) sink(lines.join('\n'));
      else printText(lines.join('\n'));
    },
    async around<T>(title: string, fn: () => Promise<T>): Promise<T> {
      if (mode === 'json') return fn();
      if (mode === 'plain') {
        // Silence for a long step reads as a hang: say it still runs, with its clock and its check.
        const heartbeat = setInterval(() => {
          for (const id of running.active()) {
            const line = running.describe(id);
            if (line !== undefined && Date.now() - (lastLine.get(id) ?? 0) >= HEARTBEAT_MS) plain(id, line);
          }
        }, HEARTBEAT_MS / 6);
        heartbeat.unref();
        return fn().finally(() => clearInterval(heartbeat));
      }
      let result: T | undefined;
      let ticker: NodeJS.Timeout | undefined;
      const list = new Listr(
        [
          {
            title,
            task: async (_ctx, task) => {
              let stepLine: string | undefined;
              refresh = () => {
                if (stepLine === undefined) return;
                const clock = running.active().map((id) => running.clock(id)).find((c) => c !== undefined);
                task.title = terminalSafe(`${title}: ${stepLine}${clock === undefined ? '' : ` · ${clock}`}`);
              };
              sink = (line) => {
                task.output = terminalSafe(line);
                if (/^step \d+ \S+ →/.test(line)) stepLine = line;
                refresh?.();
              };
              ticker = setInterval(() => refresh?.(), TICK_MS);
              ticker.unref();
              result = await fn();
              clearInterval(ticker);
              task.title = title;
            },
            rendererOptions: { persistentOutput: true, outputBar: 12 },
          },
        ],
        // Ctrl-C is the run's to handle (it stops the step and says how to resume); listr2's own handler would exit at once.
        { renderer: 'default', exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseSubtasks: false } },
      );
      try {
        await list.run();
      } finally {
        clearInterval(ticker);
        sink = undefined;
        refresh = undefined;
      }
      return result as T;
    },
  };
}

/** Events for JSON lines: bulky payloads (full definition, file contents) are summarised. */
function compact(event: WorkflowEvent): Record<string, unknown> {
  if (event.type === 'workflow_started') {
    const { definition, ...rest } = event;
    return { ...rest, definition: definition.id };
  }
  if (event.type === 'step_output_recorded') {
    return { ...event, output: { artifact: event.output.artifact, files: event.output.files.map((f) => f.path), chars: event.output.content.length } };
  }
  return event as unknown as Record<string, unknown>;
}
