/**
 * The step_traces statements of the PostgreSQL store (migration 0004), kept apart from the log's.
 */
import type { Pool } from 'pg';
import type { StepTrace } from '../store.js';
import { decodeTrace, encodeTrace } from '../trace-codec.js';

export interface PostgresTraces {
  /** False when the workflow does not exist. */
  put(trace: StepTrace): Promise<boolean>;
  /** Undefined when the workflow does not exist. */
  list(workflowId: string, stepNumber?: number): Promise<StepTrace[] | undefined>;
}

/** `s` is the quoted schema name. */
export function buildTraces(pool: Pool, s: string): PostgresTraces {
  const put = `INSERT INTO ${s}.step_traces (workflow_id, action_id, step_number, started_at, body)
    SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM ${s}.workflows WHERE id = $1)
    ON CONFLICT (workflow_id, action_id) DO UPDATE SET step_number = EXCLUDED.step_number, started_at = EXCLUDED.started_at, body = EXCLUDED.body`;
  const list = `SELECT t.body FROM ${s}.workflows w LEFT JOIN ${s}.step_traces t
      ON t.workflow_id = w.id AND ($2::integer IS NULL OR t.step_number = $2)
    WHERE w.id = $1 ORDER BY t.started_at, t.action_id`;
  return {
    async put(trace) {
      const result = await pool.query(put, [trace.workflowId, trace.actionId, trace.stepNumber, trace.startedAt, encodeTrace(trace)]);
      return (result.rowCount ?? 0) > 0;
    },
    async list(workflowId, stepNumber) {
      const { rows } = await pool.query<{ body: Buffer | null }>(list, [workflowId, stepNumber ?? null]);
      if (rows.length === 0) return undefined;
      return rows.flatMap((row) => (row.body === null ? [] : [decodeTrace(row.body)]));
    },
  };
}
