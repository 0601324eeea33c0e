/**
 * SQLite audit logs for the audit tests, and the attacks on them: someone with write access to
 * the database file (not to the key beside it) edits rows, re-seals them, cuts the tail.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GENESIS_HASH, createAudit, rowHash, rowMac } from '../../src/ops/audit/index.js';
import type { AuditHashAlg } from '../../src/ops/audit-log.js';
import { SqliteOpsStore } from '../../src/ops/sqlite/sqlite-ops-store.js';
import { openSqliteStore } from '../../src/store/index.js';

export function freshDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'converge-audit-')), 'converge.db');
}

/** A workflow store with `count` audit rows written by today's code. */
export async function sqliteWithRows(count: number, env?: NodeJS.ProcessEnv): Promise<string> {
  const path = freshDbPath();
  // The workflow store creates the file; the ops tables live beside its tables.
  await (await openSqliteStore(path)).close();
  await appendRows(path, count, env);
  return path;
}

export async function appendRows(path: string, count: number, env?: NodeJS.ProcessEnv): Promise<void> {
  const ops = new SqliteOpsStore(path, 5000, env ? { env } : {});
  const audit = createAudit(ops.auditLog);
  const first = (await audit.read()).length + 1;
  for (let i = first; i < first + count; i++) {
    await audit.record({ actor: i % 2 ? 'alice' : 'bob', action: i === 3 ? 'approval.approve' : 'workflow.start', target: `wf-${i}xyz`, details: { comment: `row ${i}`, nested: { b: 1, a: [1, 2] } } });
  }
  await ops.close();
}

/** The table as Converge wrote it before the keyed chain: no hash_alg column, plain SHA-256. */
const LEGACY_SCHEMA = `
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`;

export async function legacySqliteWithRows(count: number): Promise<string> {
  const path = freshDbPath();
  await (await openSqliteStore(path)).close();
  const db = new Database(path);
  db.exec(LEGACY_SCHEMA);
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const row = { seq, at: `2025-01-0${seq}T00:00:00.000Z`, actor: 'alice', action: 'workflow.start', target: `wf-${seq}`, details: { n: seq } };
    const hash = rowHash(prevHash, row);
    db.prepare('INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(seq, row.at, row.actor, row.action, row.target, JSON.stringify(row.details), prevHash, hash);
    prevHash = hash;
  }
  db.close();
  return path;
}

export interface Resealer {
  /** The label written into hash_alg; undefined leaves each row's label as it was. */
  alg?: AuditHashAlg;
  hash: (prevHash: string, row: { seq: number; at: string; actor: string; action: string; target: string | null; details: Record<string, unknown> }) => string;
}

export const PLAIN_SHA256: Resealer = { hash: rowHash };
export const PLAIN_SHA256_RELABELLED: Resealer = { alg: 'sha256', hash: rowHash };
export function hmacWithKey(key: string): Resealer {
  return { alg: 'hmac-sha256', hash: (prevHash, row) => rowMac(Buffer.from(key), prevHash, row) };
}

interface DbRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  hash: string;
  hash_alg: AuditHashAlg;
}

/** Changes row `seq`'s details and re-seals it and every later row, prev_hash links included. */
export function editAndReseal(path: string, seq: number, details: Record<string, unknown>, resealer: Resealer, fromSeq = seq): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update');
  const rows = db.prepare('SELECT seq, at, actor, action, target, details, hash, hash_alg FROM audit_log ORDER BY seq').all() as DbRow[];
  const update = db.prepare('UPDATE audit_log SET details = ?, prev_hash = ?, hash = ?, hash_alg = ? WHERE seq = ?');
  let prevHash = GENESIS_HASH;
  for (const r of rows) {
    if (r.seq < fromSeq) {
      prevHash = r.hash;
      continue;
    }
    const row = { seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: r.target, details: r.seq === seq ? details : (JSON.parse(r.details) as Record<string, unknown>) };
    const hash = resealer.hash(prevHash, row);
    update.run(JSON.stringify(row.details), prevHash, hash, resealer.alg ?? r.hash_alg, r.seq);
    prevHash = hash;
  }
  db.close();
}

export function cutTail(path: string, count: number): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_delete');
  db.prepare('DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) FROM audit_log) - ?').run(count);
  db.close();
}

export function rowHashAt(path: string, seq: number): string {
  const db = new Database(path, { readonly: true });
  const row = db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq) as { hash: string };
  db.close();
  return row.hash;
}
