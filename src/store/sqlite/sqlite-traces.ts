/**
 * The step_traces statements of the SQLite store (migration 0004), kept apart from the log's.
 *
 * A trace is written just before its run's result is appended, and a commit of its own cost about
 * a twentieth of a transition's CPU (issue 19). So a trace is encoded at once but held, and
 * written inside the next append of its workflow: one commit holds the result and the trace of
 * the run that produced it, and a reader in another process sees both or neither. A trace that
 * no append follows (a submitted step's, written after its result) is written on its own within
 * HOLD_MS, and before anything reads or copies the traces, prunes, or closes the store.
 */
import type Database from 'better-sqlite3';
import type { StepTrace } from '../store.js';
import { decodeTrace, encodeTrace } from '../trace-codec.js';

/** How long a trace waits for its workflow's next append before it is written on its own. */
const HOLD_MS = 100;

interface Held {
  actionId: string;
  stepNumber: number;
  startedAt: string;
  body: Buffer;
}

export interface SqliteTraces {
  /** False when the workflow does not exist. The trace is encoded now and written by `writeHeld` or `flush`. */
  put(trace: StepTrace): boolean;
  /** Writes the held traces of one workflow, inside the caller's transaction; `forget` them once it commits. */
  writeHeld(workflowId: string): void;
  forget(workflowId: string): void;
  /** Writes every held trace in one transaction of its own. */
  flush(): void;
  list(workflowId: string, stepNumber?: number): StepTrace[];
}

export function prepareTraces(db: Database.Database, onFlushError: (error: unknown) => void = () => {}): SqliteTraces {
  const exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM workflows WHERE id = ?');
  // A workflow pruned while its trace was held takes the trace with it: nothing is inserted.
  const put = db.prepare<[string, string, number, string, Buffer, string]>(
    `INSERT INTO step_traces (workflow_id, action_id, step_number, started_at, body)
     SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM workflows WHERE id = ?)
     ON CONFLICT (workflow_id, action_id) DO UPDATE SET step_number = excluded.step_number, started_at = excluded.started_at, body = excluded.body`,
  );
  const list = db.prepare<[string, number | null, number | null], { body: Buffer }>(
    `SELECT body FROM step_traces WHERE workflow_id = ? AND (? IS NULL OR step_number = ?)
     ORDER BY started_at, action_id`,
  );
  /** Per workflow, per action: a later trace of the same action replaces the held one, as the row would. */
  const held = new Map<string, Map<string, Held>>();
  let timer: NodeJS.Timeout | undefined;

  const write = (workflowId: string, traces: Map<string, Held>): void => {
    for (const t of traces.values()) put.run(workflowId, t.actionId, t.stepNumber, t.startedAt, t.body, workflowId);
  };
  const flushAll = db.transaction(() => {
    for (const [workflowId, traces] of held) write(workflowId, traces);
  });
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (held.size === 0) return;
    flushAll.immediate();
    held.clear();
  };

  return {
    put(trace) {
      if (exists.get(trace.workflowId) === undefined) return false;
      const body = encodeTrace(trace);
      let traces = held.get(trace.workflowId);
      if (traces === undefined) held.set(trace.workflowId, (traces = new Map()));
      traces.set(trace.actionId, { actionId: trace.actionId, stepNumber: trace.stepNumber, startedAt: trace.startedAt, body });
      timer ??= setTimeout(() => {
        timer = undefined;
        try {
          flush();
        } catch (error) {
          // Busy or closed: the traces stay held for the next append, read or close.
          onFlushError(error);
        }
      }, HOLD_MS);
      return true;
    },
    writeHeld(workflowId) {
      const traces = held.get(workflowId);
      if (traces !== undefined) write(workflowId, traces);
    },
    forget(workflowId) {
      held.delete(workflowId);
      if (held.size === 0 && timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
    },
    flush,
    list(workflowId, stepNumber) {
      const n = stepNumber ?? null;
      return list.all(workflowId, n, n).map((row) => decodeTrace(row.body));
    },
  };
}
