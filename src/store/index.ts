/**
 * The store folder's public face: pick a Store from a `--store` value, without the caller
 * knowing which database is behind it. `openStore` (open-store.ts) loads only the driver the
 * value names; importing this barrel loads them all.
 */
export type {
  MigrationStep,
  Snapshot,
  Store,
  StoreCapabilities,
  WorkflowFilter,
  WorkflowSummary,
} from './store.js';
export { MemoryStore, openMemoryStore } from './memory/memory-store.js';
export { PostgresStore, openPostgresStore } from './postgres/postgres-store.js';
export type { PostgresStoreConfig } from './postgres/postgres-store-config.js';
export { SqliteStore, openSqliteStore } from './sqlite/sqlite-store.js';
export type { SqliteStoreConfig } from './sqlite/sqlite-store-config.js';
export { FINISHED_STATUSES } from './store-rules.js';
export { redactRecord, redactText, registerSecret, registerUrlCredentials } from './record-redaction.js';
export { defaultStorePath, openStore, sqliteFileOf } from './open-store.js';
export type { OpenStoreOptions } from './open-store.js';
