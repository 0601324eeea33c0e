import { resolve } from 'node:path';

export interface SqliteStoreConfig {
  /** The database file. Missing parent directories are created; `:memory:` gives a private, unshared database. */
  path: string;
  /**
   * How long a write waits for another connection's lock before failing with STORE_BUSY.
   * Writes are short transactions, so waiting is almost always better than failing.
   */
  busyTimeoutMs?: number;
}

export type ResolvedSqliteStoreConfig = Readonly<Required<SqliteStoreConfig>>;

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export const SQLITE_MEMORY_PATH = ':memory:';

/** Copies and freezes the config, with an absolute path so that `location` is unambiguous in messages. */
export function resolveSqliteStoreConfig(config: SqliteStoreConfig): ResolvedSqliteStoreConfig {
  return Object.freeze({
    path: config.path === SQLITE_MEMORY_PATH ? SQLITE_MEMORY_PATH : resolve(config.path),
    busyTimeoutMs: config.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
  });
}
