/**
 * Step traces: per agent run, the rendered prompts, the answers as written and the agent's
 * activity, in one compressed body (trace-codec.ts). Beside the log, never replayed; deleted with
 * their workflow.
 */
import type { SqliteMigration } from '../sqlite-migrator.js';

export const migration0004StepTraces: SqliteMigration = {
  version: 4,
  name: 'step-traces',
  up(db) {
    db.exec(`
      CREATE TABLE step_traces (
        workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
        action_id   TEXT NOT NULL,
        step_number INTEGER NOT NULL,
        started_at  TEXT NOT NULL,
        body        BLOB NOT NULL,
        PRIMARY KEY (workflow_id, action_id)
      );
    `);
  },
};
