/**
 * `converge store restore` for SQLite: a backup file checked whole, then copied into the store's
 * file with SQLite's online backup API, so other processes that have the store open see the
 * restored contents (they are not left writing into a file moved aside). What was there before is
 * kept beside it first, so nothing recorded is lost by a restore.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import { checkStore } from '../store-check.js';
import type { StoreCheckResult } from '../store-check.js';
import { openSqliteStore } from './sqlite-store.js';
import type { SqliteStore } from './sqlite-store.js';
import { toStoreError } from './sqlite-errors.js';

export interface RestoreOptions {
  /** Replace a store that has workflows (kept beside it first), or a damaged one (moved aside). */
  force?: boolean;
  /** When a lease counts as live, for refusing to restore under running workflows (ms since epoch). */
  nowMs?: number;
}

export interface RestoreResult {
  from: string;
  to: string;
  workflows: number;
  events: number;
  /** What happened to the store that was there: nothing was, it was empty, or where it was kept. */
  previous: { kind: 'none' } | { kind: 'empty' } | { kind: 'kept'; file: string; workflows: number } | { kind: 'damaged'; file: string };
}

/** What a backup just written holds, read from the file itself (which must pass SQLite's quick check). */
export function describeBackup(file: string): { workflows: number; bytes: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new ConvergeError('STORE_DAMAGED', `The backup written to ${file} fails SQLite's quick check (${String(check)}).`, { hint: 'Run `converge store check`, then back up again.' });
    const row = db.prepare('SELECT count(*) AS n FROM workflows').get() as { n: number };
    return { workflows: row.n, bytes: statSync(file).size };
  } catch (error) {
    throw toStoreError(error, { location: file, busyTimeoutMs: 5000 });
  } finally {
    db.close();
  }
}

/** A file name beside `file` that says when and why it was set aside. */
function besides(file: string, why: string): string {
  return `${file}.${why}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

const SIDE_FILES = ['', '-wal', '-shm'];

export async function restoreSqliteStore(backup: string, target: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  if (!existsSync(backup)) {
    throw new ConvergeError('USAGE', `There is no backup at ${backup}.`, { hint: 'Give the file `converge store backup FILE` wrote.', details: { backup } });
  }
  // The backup is checked on a copy: opening it brings its schema up to date, which writes.
  mkdirSync(dirname(target), { recursive: true });
  const staging = `${target}.restoring-${process.pid}`;
  copyFileSync(backup, staging);
  try {
    const checked = await verifiedBackup(staging, backup);
    if (!existsSync(target)) {
      renameSync(staging, target);
      return { from: backup, to: target, workflows: checked.workflows, events: checked.events, previous: { kind: 'none' } };
    }
    const previous = await setAside(target, options);
    await copyInto(staging, target);
    return { from: backup, to: target, workflows: checked.workflows, events: checked.events, previous };
  } finally {
    for (const suffix of SIDE_FILES) rmSync(`${staging}${suffix}`, { force: true });
  }
}

/** Opens the copy (SQLite's quick_check on open), reads every log whole; STORE_DAMAGED when anything is wrong. */
async function verifiedBackup(staging: string, backup: string): Promise<StoreCheckResult> {
  let store: SqliteStore;
  try {
    store = await openSqliteStore(staging);
  } catch (error) {
    if (isConvergeError(error) && (error.code === 'STORE_DAMAGED' || error.code === 'STORE_UNAVAILABLE' || error.code === 'MIGRATION_FAILED')) {
      throw new ConvergeError('STORE_DAMAGED', `The backup ${backup} cannot be used: ${error.message.replace(/\.$/, '')}; nothing was restored.`, {
        hint: 'Use another backup; `converge store backup FILE` makes one from a running store.',
        details: { backup },
        cause: error,
      });
    }
    throw error;
  }
  try {
    const checked = await checkStore(store);
    const problems = [...checked.database, ...checked.damaged.map((d) => `workflow ${d.workflowId} at event ${d.seq}: ${d.reason}`)];
    if (problems.length > 0) {
      throw new ConvergeError('STORE_DAMAGED', `The backup ${backup} is damaged (${problems[0]}${problems.length > 1 ? `, and ${problems.length - 1} more` : ''}); nothing was restored.`, {
        hint: 'Use another backup; `converge store check --store FILE` lists what is wrong with one.',
        details: { backup, findings: problems.slice(0, 20) },
      });
    }
    return checked;
  } finally {
    await store.close();
  }
}

/**
 * Decides what may happen to the store at `target` and keeps what it holds: a store with
 * workflows only with --force, copied beside it first; a damaged one only with --force, moved
 * aside; never one whose workflows are being driven right now.
 */
async function setAside(target: string, options: RestoreOptions): Promise<RestoreResult['previous']> {
  let current: SqliteStore;
  try {
    current = await openSqliteStore(target);
  } catch (error) {
    if (!isConvergeError(error) || error.code !== 'STORE_DAMAGED') throw error;
    if (options.force !== true) {
      throw new ConvergeError('USAGE', `The store at ${target} is damaged, and restoring replaces it.`, {
        hint: 'Add --force to restore; the damaged file is moved aside, not deleted.',
        details: { store: target },
      });
    }
    const file = besides(target, 'damaged');
    for (const suffix of SIDE_FILES) if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${file}${suffix}`);
    return { kind: 'damaged', file };
  }
  try {
    const rows = await current.listWorkflows({ limit: 100_000 });
    if (rows.length === 0) return { kind: 'empty' };
    if (options.force !== true) {
      throw new ConvergeError('USAGE', `The store at ${target} has ${rows.length} workflow${rows.length === 1 ? '' : 's'}, and restoring replaces them.`, {
        hint: `Add --force to restore; the store as it is now is kept beside it (${target}.before-restore-…), so nothing is lost.`,
        details: { store: target, workflows: rows.length },
      });
    }
    const now = options.nowMs ?? Date.now();
    const driven: string[] = [];
    for (const row of rows) {
      const holder = await current.leaseHolder(row.id);
      if (holder !== undefined && Date.parse(holder.expiresAt) > now) driven.push(row.id);
    }
    if (driven.length > 0) {
      throw new ConvergeError('USAGE', `Workflow${driven.length === 1 ? '' : 's'} ${driven.slice(0, 5).join(', ')}${driven.length > 5 ? ' …' : ''} ${driven.length === 1 ? 'is' : 'are'} being driven in the store at ${target}; nothing was restored.`, {
        hint: 'Stop the workers and runs first (Ctrl-C, or SIGTERM), then restore.',
        details: { store: target, driven },
      });
    }
    const file = besides(target, 'before-restore');
    await current.backupTo(file);
    return { kind: 'kept', file, workflows: rows.length };
  } finally {
    await current.close();
  }
}

/** The verified copy's pages written into the store's file, which other connections then read. */
async function copyInto(staging: string, target: string): Promise<void> {
  const source = new Database(staging, { readonly: true, fileMustExist: true });
  try {
    await source.backup(target);
  } catch (error) {
    throw toStoreError(error, { location: target, busyTimeoutMs: 5000 });
  } finally {
    source.close();
  }
}
