/**
 * The same as SQLite's 0003: a checksum beside each event body (of the body's JSON text, which
 * the JSON type keeps exactly as written), the damage mark on a workflow's index row, and the time
 * its timed wait ends. Rows written before this migration keep a NULL checksum and are not verified.
 */
import type { PostgresMigration } from '../postgres-migrator.js';

export const migration0003Integrity: PostgresMigration = {
  version: 3,
  name: 'integrity',
  async up(client, s) {
    await client.query(`
      ALTER TABLE ${s}.events ADD COLUMN checksum INTEGER;
      ALTER TABLE ${s}.workflows ADD COLUMN damage TEXT;
      ALTER TABLE ${s}.workflows ADD COLUMN wake_at TEXT COLLATE "C";
      CREATE INDEX workflows_waking ON ${s}.workflows (wake_at) WHERE wake_at IS NOT NULL;
    `);
  },
};
