/**
 * Opens the ops tables next to a workflow store: the caller passes the store it opened and the
 * value it was opened from (`--store`), because a PostgreSQL store's `location` hides the
 * password the connection needs. The audit key is looked at here (not created): a key file other
 * users can read stops `serve` at its start, instead of every audit row failing afterwards.
 */
import { ConvergeError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { openMemoryOpsStore } from './memory/memory-ops-store.js';
import type { OpsStore } from './ops-store.js';
import { PostgresOpsStore } from './postgres/postgres-ops-store.js';
import { SqliteOpsStore } from './sqlite/sqlite-ops-store.js';

export interface OpenOpsStoreOptions {
  /** The `--store` value, e.g. a postgres:// URL with its password. */
  url?: string;
  /** PostgreSQL schema (default `converge`, as the workflow store). */
  schema?: string;
}

export async function openOpsStore(store: Pick<Store, 'location'>, options: OpenOpsStoreOptions = {}): Promise<OpsStore> {
  const ops = await openUnchecked(store, options);
  try {
    ops.auditLog.key.get({ create: false });
  } catch (error) {
    await ops.close();
    throw error;
  }
  return ops;
}

async function openUnchecked(store: Pick<Store, 'location'>, options: OpenOpsStoreOptions): Promise<OpsStore> {
  const url = options.url?.trim() ?? '';
  if (/^postgres(ql)?:\/\//i.test(url)) return PostgresOpsStore.open({ url, ...(options.schema ? { schema: options.schema } : {}) });
  if (store.location.startsWith('postgres://')) {
    throw new ConvergeError('STORE_UNAVAILABLE', 'Tokens and the audit log need the PostgreSQL URL the store was opened with.', {
      hint: 'Pass the same --store postgres://… value (or CONVERGE_STORE).',
    });
  }
  if (store.location === 'memory:' || store.location === ':memory:') return openMemoryOpsStore();
  try {
    return new SqliteOpsStore(store.location);
  } catch (error) {
    throw new ConvergeError('STORE_UNAVAILABLE', `Cannot open the token and audit tables in ${store.location}.`, {
      hint: 'Check that the store file is writable.',
      cause: error,
    });
  }
}
