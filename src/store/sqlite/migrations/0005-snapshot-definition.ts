/**
 * Snapshots are stored deflated (a long log's state is megabytes of JSON), so prune can no longer
 * read a snapshot's definition reference out of its body: the reference gets a column of its own,
 * filled here from the plain-JSON snapshots written before.
 */
import type { SqliteMigration } from '../sqlite-migrator.js';

export const migration0005SnapshotDefinition: SqliteMigration = {
  version: 5,
  name: 'snapshot-definition',
  up(db) {
    db.exec(`
      ALTER TABLE snapshots ADD COLUMN definition_hash TEXT;
      UPDATE snapshots SET definition_hash = json_extract(state, '$.definition."$definition"')
       WHERE typeof(state) = 'text';
    `);
  },
};
