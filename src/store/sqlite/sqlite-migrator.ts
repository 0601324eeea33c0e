/**
 * Brings a SQLite database to the newest schema, one transaction per migration, and reports
 * each step (like Kysely's migrator) instead of stopping at the first exception.
 */
import type Database from 'better-sqlite3';
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import type { MigrationStep } from '../store.js';
import { readSchemaVersion, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import { migration0001Initial } from './migrations/0001-initial.js';
import { migration0002SharedDefinitions } from './migrations/0002-shared-definitions.js';
import { migration0003Integrity } from './migrations/0003-integrity.js';
import { migration0004StepTraces } from './migrations/0004-step-traces.js';
import { migration0005SnapshotDefinition } from './migrations/0005-snapshot-definition.js';

export interface SqliteMigration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** In order; the last one's version is the schema this build writes, SQLITE_SCHEMA_VERSION. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = Object.freeze([
  migration0001Initial,
  migration0002SharedDefinitions,
  migration0003Integrity,
  migration0004StepTraces,
  migration0005SnapshotDefinition,
]);

export { readSchemaVersion, SQLITE_SCHEMA_VERSION };

function tooNew(location: string, found: number): ConvergeError {
  return new ConvergeError(
    'STORE_TOO_NEW',
    `The store at ${location} was written by a newer Converge (schema ${found}, this one knows ${SQLITE_SCHEMA_VERSION}).`,
    {
      hint: 'Upgrade Converge to open this store, or point --store at another path.',
      details: { location, schemaVersion: found, knownVersion: SQLITE_SCHEMA_VERSION },
    },
  );
}

/**
 * Applies the missing migrations. Reads the version without a lock first, so opening an
 * up-to-date store never waits for another process's write. Each migration re-checks the
 * version inside its IMMEDIATE transaction, so two processes migrating at once apply it once.
 * Throws STORE_TOO_NEW; other failures are returned as a `failed` step.
 */
export function migrateSqlite(db: Database.Database, location: string): MigrationStep[] {
  // Opening skips this module when the file is at SQLITE_SCHEMA_VERSION, so it must be the last.
  if (SQLITE_MIGRATIONS.at(-1)?.version !== SQLITE_SCHEMA_VERSION) {
    throw new Error(`SQLITE_SCHEMA_VERSION (${SQLITE_SCHEMA_VERSION}) is not the last migration's version.`);
  }
  const current = readSchemaVersion(db);
  if (current > SQLITE_SCHEMA_VERSION) throw tooNew(location, current);

  const steps: MigrationStep[] = [];
  for (const migration of SQLITE_MIGRATIONS) {
    const { version, name } = migration;
    if (version <= current) {
      steps.push({ version, name, status: 'already_applied' });
      continue;
    }
    const apply = db.transaction((): MigrationStep['status'] => {
      const now = readSchemaVersion(db);
      if (now > SQLITE_SCHEMA_VERSION) throw tooNew(location, now);
      if (now >= version) return 'already_applied';
      migration.up(db);
      db.prepare("INSERT INTO settings (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
        String(version),
      );
      return 'applied';
    });
    try {
      steps.push({ version, name, status: apply.immediate() });
    } catch (error) {
      // A busy or too-new store is not a broken migration: let the caller see its own code.
      if (isConvergeError(error) || /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code))) {
        throw error;
      }
      steps.push({ version, name, status: 'failed', error: error instanceof Error ? error.message : String(error) });
      break;
    }
  }
  return steps;
}

/** The error `openSqliteStore` throws when a step failed; the store is unchanged by that step. */
export function migrationFailed(location: string, steps: MigrationStep[]): ConvergeError {
  const failed = steps.find((step) => step.status === 'failed');
  return new ConvergeError(
    'MIGRATION_FAILED',
    `Migration ${failed?.version ?? '?'} (${failed?.name ?? 'unknown'}) of the store at ${location} failed: ${(failed?.error ?? 'unknown error').replace(/\.$/, '')}.`,
    {
      hint: 'The store was left as it was before this migration; if the file is not a Converge store, point --store elsewhere.',
      details: { location, steps },
    },
  );
}
