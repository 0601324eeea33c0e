/**
 * Workflow definitions stored once, by the hash of their JSON, instead of inside every
 * workflow's first event (see store/event-codec.ts). Existing rows stay as they are: the codec
 * reads both forms.
 */
import type { SqliteMigration } from '../sqlite-migrator.js';

export const migration0002SharedDefinitions: SqliteMigration = {
  version: 2,
  name: 'shared-definitions',
  up(db) {
    db.exec(`
      CREATE TABLE definitions (
        hash TEXT PRIMARY KEY,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
