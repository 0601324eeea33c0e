/**
 * Backups of a whole store. SQLite: `backupStore` copies the live file page by page with SQLite's
 * online backup API, consistent while workflows run; `restoreStore` checks a backup whole and brings
 * it back (sqlite/sqlite-backup.ts). PostgreSQL is backed up with its own tools, pg_dump and
 * pg_restore; for it both say the exact commands instead.
 */
import { existsSync } from 'node:fs';
import { ConvergeError } from '../core/errors.js';
import { describeBackup, restoreSqliteStore } from './sqlite/sqlite-backup.js';
import type { RestoreOptions, RestoreResult } from './sqlite/sqlite-backup.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export type { RestoreOptions, RestoreResult } from './sqlite/sqlite-backup.js';

/** The commands that back up and restore a PostgreSQL store (the URL's password stays out of them). */
export function pgDumpCommands(url = 'postgres://USER@HOST:5432/DB', file = 'converge.dump'): { backup: string; restore: string } {
  const safe = url.replace(/^(postgres(?:ql)?:\/\/[^:@/]+):[^@/]*@/i, '$1@');
  return {
    backup: `pg_dump --format=custom --schema=converge --schema=converge_queue --file=${file} "${safe}"`,
    restore: `pg_restore --clean --if-exists --single-transaction --dbname="${safe}" ${file}`,
  };
}

const POSTGRES = /^postgres(ql)?:\/\//i;

/** Why Converge does not back up (or restore) the store at `location`: for PostgreSQL, with the pg_dump/pg_restore commands. */
export function notSqlite(location: string, what: 'backup' | 'restore', file: string): ConvergeError {
  if (POSTGRES.test(location)) {
    const commands = pgDumpCommands(location, file);
    return new ConvergeError('USAGE', `A PostgreSQL store is ${what === 'backup' ? 'backed up' : 'restored'} with PostgreSQL's own tools, not by Converge: ${what === 'backup' ? commands.backup : commands.restore}`, {
      hint: what === 'backup' ? `pg_dump is consistent while workflows run; bring a dump back with ${commands.restore} (workers stopped).` : `Stop the workers first; a dump is made with ${commands.backup}.`,
      details: { location, ...commands },
    });
  }
  return new ConvergeError('USAGE', `The store at ${location} is kept in memory only; there is nothing to ${what}.`, {
    hint: 'Give a SQLite store with --store PATH.',
  });
}

export interface BackupResult {
  location: string;
  file: string;
  /** Workflows in the backup, counted in the written file. */
  workflows: number;
  bytes: number;
}

/** Writes a consistent copy of the live store to `file` (refusing to overwrite one unless `force`). */
export async function backupStore(store: Store, file: string, options: { force?: boolean } = {}): Promise<BackupResult> {
  if (!(store instanceof SqliteStore)) throw notSqlite(store.location, 'backup', file);
  if (existsSync(file) && options.force !== true) {
    throw new ConvergeError('USAGE', `There is a file at ${file} already.`, { hint: 'Name a new file, or add --force to overwrite it.', details: { file } });
  }
  await store.backupTo(file);
  return { location: store.location, file, ...describeBackup(file) };
}

/**
 * Brings the backup at `file` back into the SQLite store at `sqliteFile` (the file `location`, as
 * `--store` gives it, names); for PostgreSQL the answer is the pg_restore command.
 */
export async function restoreStore(file: string, location: string, sqliteFile: string | undefined, options: RestoreOptions = {}): Promise<RestoreResult> {
  if (sqliteFile === undefined) throw notSqlite(location, 'restore', file);
  return restoreSqliteStore(file, sqliteFile, options);
}
