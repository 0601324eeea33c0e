/**
 * The audit trail: rows chained by HMAC, verified by `converge audit verify`, exported as JSON
 * lines. Editing one row in the SQLite file breaks the chain at exactly that row. Re-sealing
 * attacks and a cut-off tail are in audit-tamper.test.ts, the key in audit-key.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, auditKeyFile, canonicalJson, createAudit, rowMac } from '../../src/ops/audit/index.js';
import { MemoryAuditLog } from '../../src/ops/memory/memory-ops-store.js';
import { sqliteWithRows } from './audit-fixtures.js';
import { runCli } from './cli-harness.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"z":1}]},"b":1}');
  });
});

describe('audit chain › memory log', () => {
  it('links each row to the hash of the one before it', async () => {
    const log = new MemoryAuditLog();
    const audit = createAudit(log);
    const first = await audit.record({ actor: 'alice', action: 'token.create', target: 'tok_1' });
    const second = await audit.record({ actor: 'bob', action: 'approval.approve', target: 'wf-1', details: { comment: 'ok' } });
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(rowMac(log.key.get({ create: false })!, first.hash, second));
    expect(second.hashAlg).toBe('hmac-sha256');
    await expect(audit.verify()).resolves.toMatchObject({ ok: true, rows: 2, headHash: second.hash });
  });

  it('names the first changed row', async () => {
    const log = new MemoryAuditLog();
    const audit = createAudit(log);
    for (let i = 0; i < 4; i++) await audit.record({ actor: 'alice', action: 'workflow.start', target: `wf-${i}` });
    log.tamper(2, { actor: 'mallory' });
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, rows: 1, broken: { seq: 2, problem: 'hash_mismatch' } });
  });

  it('names a row that no longer points at its predecessor', async () => {
    const log = new MemoryAuditLog();
    const audit = createAudit(log);
    for (let i = 0; i < 3; i++) await audit.record({ actor: 'alice', action: 'workflow.start', target: `wf-${i}` });
    log.tamper(3, { prevHash: GENESIS_HASH });
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, broken: { seq: 3, problem: 'prev_hash_mismatch' } });
  });
});

describe('converge audit verify › SQLite store', () => {
  it('reports an intact chain with exit code 0', async () => {
    const path = await sqliteWithRows(5);
    const result = await runCli(['--store', path, 'audit', 'verify']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Audit trail intact: 5 rows, head [0-9a-f]{64}/);
  });

  it('refuses a plain UPDATE of an audit row (append-only trigger)', async () => {
    const path = await sqliteWithRows(2);
    const db = new Database(path);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").run()).toThrow(/append-only/);
    db.close();
  });

  it('fails with exit code 1 and names the row someone edited in the database', async () => {
    const path = await sqliteWithRows(5);
    const db = new Database(path);
    // Someone with write access to the file can drop the trigger; the chain still gives them away.
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET details = ? WHERE seq = 3").run(JSON.stringify({ comment: 'row 3 (edited)', nested: { a: [1, 2], b: 1 } }));
    db.close();
    const result = await runCli(['--store', path, 'audit', 'verify']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Audit row 3 was changed after it was written');
    const json = await runCli(['--store', path, '--json', 'audit', 'verify']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, rows: 2, broken: { seq: 3, problem: 'hash_mismatch' } });
  });

  it('names the gap when a row was deleted', async () => {
    const path = await sqliteWithRows(4);
    const db = new Database(path);
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    db.close();
    const result = await runCli(['--store', path, 'audit', 'verify']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Audit row 2 is missing');
  });
});

describe('converge audit export', () => {
  it('prints one JSON line per row with its hashes, in order', async () => {
    const path = await sqliteWithRows(3);
    const result = await runCli(['--store', path, 'audit', 'export', '--format', 'jsonl']);
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[2]).toMatchObject({ actor: 'alice', action: 'approval.approve', target: 'wf-3xyz', prev_hash: rows[1].hash });
    const key = auditKeyFile(join(dirname(path), 'audit.key')).get({ create: false })!;
    expect(rows[0]).toMatchObject({ prev_hash: GENESIS_HASH, hash_alg: 'hmac-sha256' });
    expect(rows[0].hash).toBe(rowMac(key, GENESIS_HASH, rows[0]));
  });

  it('writes to a file with --output', async () => {
    const path = await sqliteWithRows(2);
    const out = join(mkdtempSync(join(tmpdir(), 'converge-audit-out-')), 'audit.jsonl');
    const result = await runCli(['--store', path, 'audit', 'export', '--output', out]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses an unknown format with exit code 2', async () => {
    const path = await sqliteWithRows(1);
    const result = await runCli(['--store', path, 'audit', 'export', '--format', 'csv']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown export format "csv"');
  });
});
