/**
 * The first schema. Plain CREATE TABLE (no IF NOT EXISTS) on purpose: a foreign database that
 * already has an `events` table fails here, inside the migration's transaction, and is left untouched.
 */
import type { SqliteMigration } from '../sqlite-migrator.js';

export const migration0001Initial: SqliteMigration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- The index row of each workflow; a projection of its log, replaced by every append.
      CREATE TABLE workflows (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        definition_id TEXT NOT NULL,
        status        TEXT NOT NULL,
        phase         TEXT NOT NULL,
        current_step  INTEGER,
        waiting_for   TEXT,
        requirements  TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        last_seq      INTEGER NOT NULL
      );
      CREATE INDEX workflows_by_updated_at ON workflows (updated_at DESC, id);
      CREATE INDEX workflows_by_status ON workflows (status, updated_at DESC);

      -- The log. body is the whole event as JSON; type and at are copied out for queries.
      CREATE TABLE events (
        workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        type        TEXT NOT NULL,
        at          TEXT NOT NULL,
        body        TEXT NOT NULL,
        PRIMARY KEY (workflow_id, seq)
      );

      -- One snapshot per workflow: only the newest is ever needed to replay from.
      CREATE TABLE snapshots (
        workflow_id TEXT PRIMARY KEY REFERENCES workflows (id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        state       TEXT NOT NULL
      );

      CREATE TABLE leases (
        workflow_id TEXT PRIMARY KEY REFERENCES workflows (id) ON DELETE CASCADE,
        owner       TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      );

      CREATE TABLE action_attempts (
        workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
        action_id   TEXT NOT NULL,
        attempts    INTEGER NOT NULL,
        PRIMARY KEY (workflow_id, action_id)
      );

      INSERT INTO settings (key, value) VALUES ('change_marker', '0');
    `);
  },
};
