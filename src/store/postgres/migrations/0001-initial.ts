/**
 * The first schema, the same tables as SQLite's 0001. Plain CREATE TABLE (no IF NOT EXISTS) on
 * purpose: a schema that already holds a foreign `events` table fails here, inside the migration's
 * transaction, and is left untouched.
 *
 * Text columns that are compared or sorted use COLLATE "C", so ordering is by code point, as in
 * SQLite, whatever locale the database was created with. Times stay ISO text, as the Store gives
 * them, so they read back exactly as written.
 */
import type { PostgresMigration } from '../postgres-migrator.js';

export const migration0001Initial: PostgresMigration = {
  version: 1,
  name: 'initial',
  async up(client, s) {
    await client.query(`
      CREATE TABLE ${s}.settings (
        key   TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- The index row of each workflow; a projection of its log, replaced by every append.
      -- append locks this row, so it is also the per-workflow write fence.
      CREATE TABLE ${s}.workflows (
        id            TEXT COLLATE "C" PRIMARY KEY,
        name          TEXT NOT NULL,
        definition_id TEXT NOT NULL,
        status        TEXT COLLATE "C" NOT NULL,
        phase         TEXT NOT NULL,
        current_step  INTEGER,
        waiting_for   TEXT,
        requirements  TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT COLLATE "C" NOT NULL,
        last_seq      INTEGER NOT NULL
      );
      CREATE INDEX workflows_by_updated_at ON ${s}.workflows (updated_at DESC, id);
      CREATE INDEX workflows_by_status ON ${s}.workflows (status, updated_at DESC);

      -- The log. body is the whole event as JSON (not JSONB: key order is kept, so a copied
      -- history reads back exactly as it was written); type and at are copied out for queries.
      CREATE TABLE ${s}.events (
        workflow_id TEXT COLLATE "C" NOT NULL REFERENCES ${s}.workflows (id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        type        TEXT NOT NULL,
        at          TEXT NOT NULL,
        body        JSON NOT NULL,
        PRIMARY KEY (workflow_id, seq)
      );

      -- One snapshot per workflow: only the newest is ever needed to replay from.
      CREATE TABLE ${s}.snapshots (
        workflow_id TEXT COLLATE "C" PRIMARY KEY REFERENCES ${s}.workflows (id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        state       JSON NOT NULL
      );

      CREATE TABLE ${s}.leases (
        workflow_id TEXT COLLATE "C" PRIMARY KEY REFERENCES ${s}.workflows (id) ON DELETE CASCADE,
        owner       TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      );

      CREATE TABLE ${s}.action_attempts (
        workflow_id TEXT COLLATE "C" NOT NULL REFERENCES ${s}.workflows (id) ON DELETE CASCADE,
        action_id   TEXT COLLATE "C" NOT NULL,
        attempts    INTEGER NOT NULL,
        PRIMARY KEY (workflow_id, action_id)
      );

      INSERT INTO ${s}.settings (key, value) VALUES ('change_marker', '0');
    `);
  },
};
