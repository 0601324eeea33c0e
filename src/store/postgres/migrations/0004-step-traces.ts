/**
 * The same as SQLite's 0004: step traces beside the log, one compressed body per agent run,
 * deleted with their workflow.
 */
import type { PostgresMigration } from '../postgres-migrator.js';

export const migration0004StepTraces: PostgresMigration = {
  version: 4,
  name: 'step-traces',
  async up(client, s) {
    await client.query(`
      CREATE TABLE ${s}.step_traces (
        workflow_id TEXT COLLATE "C" NOT NULL REFERENCES ${s}.workflows (id) ON DELETE CASCADE,
        action_id   TEXT COLLATE "C" NOT NULL,
        step_number INTEGER NOT NULL,
        started_at  TEXT COLLATE "C" NOT NULL,
        body        BYTEA NOT NULL,
        PRIMARY KEY (workflow_id, action_id)
      );
    `);
  },
};
