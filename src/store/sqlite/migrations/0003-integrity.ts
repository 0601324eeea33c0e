/**
 * What reading a log needs to tell damage from data: a checksum beside each event body, a mark on
 * the index row of a workflow found damaged, and the time a timed wait ends (`wake_at`), so that a
 * worker finds gate timeouts without reading every waiting workflow. Rows written before this
 * migration keep a NULL checksum and are not verified; everything written after is.
 */
import type { SqliteMigration } from '../sqlite-migrator.js';

export const migration0003Integrity: SqliteMigration = {
  version: 3,
  name: 'integrity',
  up(db) {
    db.exec(`
      ALTER TABLE events ADD COLUMN checksum INTEGER;
      ALTER TABLE workflows ADD COLUMN damage TEXT;
      ALTER TABLE workflows ADD COLUMN wake_at TEXT;
      CREATE INDEX workflows_waking ON workflows (wake_at) WHERE wake_at IS NOT NULL;
    `);
  },
};
