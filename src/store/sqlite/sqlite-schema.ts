/**
 * Which schema a SQLite store file has, read without loading the migrations: an up-to-date store
 * (every open but the first) never needs them, and loading the six modules cost each CLI command
 * a few ms of its start (issue 19). sqlite-migrator.ts checks that its last migration is this one.
 */
import type Database from 'better-sqlite3';

/** The schema this build writes: the version of the last migration in sqlite-migrator.ts. */
export const SQLITE_SCHEMA_VERSION = 5;

/** 0 for a database that Converge has never migrated. */
export function readSchemaVersion(db: Database.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").get();
  if (table === undefined) return 0;
  const row = db.prepare("SELECT value FROM settings WHERE key = 'schema_version'").get() as { value: string } | undefined;
  return row === undefined ? 0 : Number(row.value);
}
