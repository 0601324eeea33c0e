/**
 * Opening a store from a `--store` value, loading only the driver it names: a SQLite path loads
 * better-sqlite3, a postgres:// URL loads pg, `:memory:` neither. The CLI starts through here, so
 * `converge status` does not pay for a database driver it does not use.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConvergeError } from '../core/errors.js';
import type { Store } from './store.js';
import { registerUrlCredentials } from './record-redaction.js';

export interface OpenStoreOptions {
  /** Resolves relative paths; defaults to the process's working directory. */
  cwd?: string;
  /** SQLite only: how long a write waits for another process's lock before STORE_BUSY. */
  busyTimeoutMs?: number;
}

/** Where `converge` keeps its store when `--store` is not given. */
export function defaultStorePath(cwd: string): string {
  return join(cwd, '.converge', 'converge.db');
}

const MEMORY_URLS = new Set([':memory:', 'memory:', 'memory://']);

/**
 * Opens the store named by `url`: a plain path, `sqlite:<path>`, `file:<path>` or a `file://` URL
 * (SQLite); `:memory:` or `memory:` (memory store, gone when the process ends); `postgres://…`.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const value = url.trim();
  if (value === '') {
    throw new ConvergeError('STORE_UNAVAILABLE', 'The store location is empty.', {
      hint: `Give a file path such as .converge/converge.db, or leave --store out to use the default.`,
    });
  }
  if (MEMORY_URLS.has(value)) return (await import('./memory/memory-store.js')).openMemoryStore();
  const sqliteOptions = options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs };
  // Errors name the server without the password the URL may hold.
  if (/^postgres(ql)?:\/\//i.test(value)) {
    registerUrlCredentials(value);
    return (await import('./postgres/postgres-store.js')).openPostgresStore(value);
  }
  const path = sqlitePath(value, options.cwd ?? process.cwd());
  return (await import('./sqlite/sqlite-store.js')).openSqliteStore(path, sqliteOptions);
}

/** The SQLite file a store value names, or undefined for a memory or PostgreSQL store. */
export function sqliteFileOf(url: string, cwd = process.cwd()): string | undefined {
  const value = url.trim();
  if (value === '' || MEMORY_URLS.has(value) || /^postgres(ql)?:\/\//i.test(value)) return undefined;
  const path = sqlitePath(value, cwd);
  return path === ':memory:' ? undefined : path;
}

function sqlitePath(value: string, cwd: string): string {
  if (value.startsWith('file://')) {
    try {
      return fileURLToPath(value);
    } catch (error) {
      throw new ConvergeError('STORE_UNAVAILABLE', `The store URL ${value} is not a local file URL.`, {
        hint: 'Write it as file:///absolute/path/converge.db, or give a plain path.',
        cause: error,
      });
    }
  }
  const bare = value.replace(/^(sqlite|file):(\/\/)?/i, '');
  if (bare === ':memory:') return bare;
  // `C:\…` is a Windows path, not a scheme; anything else shaped like `scheme://` is not ours.
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(bare);
  if (scheme !== null) {
    throw new ConvergeError('STORE_UNAVAILABLE', `Converge does not know stores of the kind "${scheme[1]}".`, {
      hint: 'Use a SQLite file path (optionally prefixed sqlite: or file:), or :memory: for a throwaway store.',
      details: { scheme: scheme[1] },
    });
  }
  return resolve(cwd, bare);
}
