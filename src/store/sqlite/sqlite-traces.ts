/**
 * The step_traces statements of the SQLite store (migration 0004), kept apart from the log's.
 */
import type Database from 'better-sqlite3';
import type { StepTrace } from '../store.js';
import { decodeTrace, encodeTrace } from '../trace-codec.js';

export interface SqliteTraces {
  /** False when the workflow does not exist. */
  put(trace: StepTrace): boolean;
  list(workflowId: string, stepNumber?: number): StepTrace[];
}

export function prepareTraces(db: Database.Database): SqliteTraces {
  const exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM workflows WHERE id = ?');
  const put = db.prepare<[string, string, number, string, Buffer]>(
    `INSERT INTO step_traces (workflow_id, action_id, step_number, started_at, body) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (workflow_id, action_id) DO UPDATE SET step_number = excluded.step_number, started_at = excluded.started_at, body = excluded.body`,
  );
  const list = db.prepare<[string, number | null, number | null], { body: Buffer }>(
    `SELECT body FROM step_traces WHERE workflow_id = ? AND (? IS NULL OR step_number = ?)
     ORDER BY started_at, action_id`,
  );
  return {
    put(trace) {
      if (exists.get(trace.workflowId) === undefined) return false;
      put.run(trace.workflowId, trace.actionId, trace.stepNumber, trace.startedAt, encodeTrace(trace));
      return true;
    },
    list(workflowId, stepNumber) {
      const n = stepNumber ?? null;
      return list.all(workflowId, n, n).map((row) => decodeTrace(row.body));
    },
  };
}
