/**
 * Live progress: listr2 on a terminal, plain timestamped lines otherwise, JSON lines with --json.
 */
import { Listr } from 'listr2';
import type { WorkflowEvent } from '../../core/events.js';
import type { WorkflowState } from '../../core/state.js';
import { describeEvent } from './event-lines.js';

export type ProgressMode = 'tty' | 'plain' | 'json';

export function progressMode(json: boolean | undefined): ProgressMode {
  if (json) return 'json';
  return process.stdout.isTTY && process.env.CI === undefined ? 'tty' : 'plain';
}

export interface Progress {
  onEvents(state: WorkflowState, events: readonly WorkflowEvent[]): void;
  /** Runs `fn` while showing progress; the listener above feeds it. */
  around<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export function createProgress(mode: ProgressMode): Progress {
  let sink: ((line: string) => void) | undefined;
  const onEvents = (state: WorkflowState, events: readonly WorkflowEvent[]) => {
    for (const event of events) {
      if (mode === 'json') {
        process.stdout.write(`${JSON.stringify({ workflow_id: state.workflowId, ...compact(event) })}\n`);
        continue;
      }
      const line = describeEvent(state, event);
      if (sink !== undefined) sink(line);
      else process.stdout.write(`${event.at.slice(11, 19)}  ${state.workflowId}  ${line}\n`);
    }
  };
  return {
    onEvents,
    async around<T>(title: string, fn: () => Promise<T>): Promise<T> {
      if (mode !== 'tty') return fn();
      let result: T | undefined;
      const list = new Listr(
        [
          {
            title,
            task: async (_ctx, task) => {
              sink = (line) => {
                task.output = line;
                if (/^step \d+ \S+ →/.test(line)) task.title = `${title}: ${line}`;
              };
              result = await fn();
              task.title = title;
            },
            rendererOptions: { persistentOutput: true, outputBar: 12 },
          },
        ],
        { renderer: 'default', exitOnError: true, rendererOptions: { collapseSubtasks: false } },
      );
      try {
        await list.run();
      } finally {
        sink = undefined;
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
