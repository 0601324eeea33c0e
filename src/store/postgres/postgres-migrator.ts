/**
 * Brings a PostgreSQL schema to the newest version, one transaction per migration, and reports
 * each step (like Kysely's migrator) instead of stopping at the first exception. DDL is
 * transactional in PostgreSQL, so a failed step leaves nothing behind.
 *
 * Several workers may start at once: each migration runs under a transaction-scoped advisory lock
 * keyed by the schema, and re-reads the version once it holds the lock, so it is applied once.
 */
import type { Pool, PoolClient } from 'pg';
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import type { MigrationStep } from '../store.js';
import { migration0001Initial } from './migrations/0001-initial.js';
import { migration0002SharedDefinitions } from './migrations/0002-shared-definitions.js';
import { migration0003Integrity } from './migrations/0003-integrity.js';
import { migration0004StepTraces } from './migrations/0004-step-traces.js';
import { isTransientError } from './postgres-errors.js';
import { quoteIdentifier } from './postgres-statements.js';
import { inTransaction, withClient } from './postgres-transactions.js';

export interface PostgresMigration {
  version: number;
  name: string;
  /** `schema` is already quoted: write `${schema}.events`. */
  up(client: PoolClient, schema: string): Promise<void>;
}

/** In order; the last one's version is the schema this build writes. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = Object.freeze([
  migration0001Initial,
  migration0002SharedDefinitions,
  migration0003Integrity,
  migration0004StepTraces,
]);

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]?.version ?? 0;

/** The first key of the advisory lock ('Conv'); the second is the schema name's hash. */
const MIGRATION_LOCK_CLASS = 0x436f6e76;

/** How long a migrator waits for another one (or for a lock its DDL needs) before STORE_BUSY. */
const MIGRATION_LOCK_TIMEOUT = '60s';

/**
 * 0 for a schema that Converge has never migrated (or that does not exist yet).
 *
 * Asks the catalog tables, not `to_regclass`: waiting for an advisory lock does not make a backend
 * read the catalog changes other sessions committed meanwhile, and `to_regclass` answers from that
 * stale cache (so a second migrator would not see the first one's tables). Reading pg_class takes
 * a fresh lock on it, which refreshes the cache, and the query itself sees every committed row.
 */
export async function readSchemaVersion(client: PoolClient, schemaName: string): Promise<number> {
  const found = await client.query<{ present: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = 'settings' AND c.relkind IN ('r', 'p')
     ) AS present`,
    [schemaName],
  );
  if (found.rows[0]?.present !== true) return 0;
  const table = `${quoteIdentifier(schemaName)}.settings`;
  const row = await client.query<{ value: string }>(`SELECT value FROM ${table} WHERE key = 'schema_version'`);
  return row.rows[0] === undefined ? 0 : Number(row.rows[0].value);
}

function tooNew(location: string, schemaName: string, found: number): ConvergeError {
  return new ConvergeError(
    'STORE_TOO_NEW',
    `The store at ${location} (schema ${schemaName}) was written by a newer Converge (schema ${found}, this one knows ${POSTGRES_SCHEMA_VERSION}).`,
    {
      hint: 'Upgrade Converge to open this store, or point --store at another database or schema.',
      details: { location, schema: schemaName, schemaVersion: found, knownVersion: POSTGRES_SCHEMA_VERSION },
    },
  );
}

async function applyOne(client: PoolClient, schemaName: string, location: string, migration: PostgresMigration) {
  return inTransaction(client, async (): Promise<MigrationStep['status']> => {
    await client.query(`SET LOCAL lock_timeout = '${MIGRATION_LOCK_TIMEOUT}'`);
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schemaName]);
    const now = await readSchemaVersion(client, schemaName);
    if (now > POSTGRES_SCHEMA_VERSION) throw tooNew(location, schemaName, now);
    if (now >= migration.version) return 'already_applied';
    const schema = quoteIdentifier(schemaName);
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schemaName]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    await migration.up(client, schema);
    await client.query(
      `INSERT INTO ${schema}.settings (key, value) VALUES ('schema_version', $1)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [String(migration.version)],
    );
    return 'applied';
  });
}

/**
 * Applies the missing migrations. Reads the version without a lock first, so opening an
 * up-to-date store never waits for another worker. Throws STORE_TOO_NEW, and lets connection,
 * lock-timeout and deadlock errors through (they say nothing about the migration); any other
 * failure is returned as a `failed` step.
 */
export async function migratePostgres(pool: Pool, schemaName: string, location: string): Promise<MigrationStep[]> {
  return withClient(pool, async (client) => {
    const current = await readSchemaVersion(client, schemaName);
    if (current > POSTGRES_SCHEMA_VERSION) throw tooNew(location, schemaName, current);

    const steps: MigrationStep[] = [];
    for (const migration of POSTGRES_MIGRATIONS) {
      const { version, name } = migration;
      if (version <= current) {
        steps.push({ version, name, status: 'already_applied' });
        continue;
      }
      try {
        steps.push({ version, name, status: await applyOne(client, schemaName, location, migration) });
      } catch (error) {
        if (isConvergeError(error) || isTransientError(error)) throw error;
        steps.push({ version, name, status: 'failed', error: error instanceof Error ? error.message : String(error) });
        break;
      }
    }
    return steps;
  });
}

/** The error `openPostgresStore` throws when a step failed; the schema is unchanged by that step. */
export function migrationFailed(location: string, schemaName: string, steps: MigrationStep[]): ConvergeError {
  const failed = steps.find((step) => step.status === 'failed');
  return new ConvergeError(
    'MIGRATION_FAILED',
    `Migration ${failed?.version ?? '?'} (${failed?.name ?? 'unknown'}) of the store at ${location} (schema ${schemaName}) failed: ${(failed?.error ?? 'unknown error').replace(/\.$/, '')}.`,
    {
      hint: 'The schema was left as it was before this migration; if it holds tables that are not Converge’s, choose another schema.',
      details: { location, schema: schemaName, steps },
    },
  );
}
