/**
 * Workflow definitions stored once, by the hash of their JSON, instead of inside every
 * workflow's first event (see store/event-codec.ts). `workflows.definition_hash` names the one a
 * workflow uses, so a prune can tell which are still needed without reading event bodies (a body
 * may be stored wrapped, see toJsonb). Existing rows stay as they are: reads take both forms.
 */
import type { PostgresMigration } from '../postgres-migrator.js';

export const migration0002SharedDefinitions: PostgresMigration = {
  version: 2,
  name: 'shared-definitions',
  async up(client, s) {
    await client.query(`
      CREATE TABLE ${s}.definitions (
        hash TEXT COLLATE "C" PRIMARY KEY,
        body TEXT NOT NULL
      );
      ALTER TABLE ${s}.workflows ADD COLUMN definition_hash TEXT COLLATE "C";
    `);
  },
};
