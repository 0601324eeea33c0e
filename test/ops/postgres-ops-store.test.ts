/**
 * The PostgreSQL ops tables against a real server named by CONVERGE_TEST_PG_URL, each run in a
 * schema of its own (dropped afterwards), with its audit key in a temporary folder instead of
 * ~/.converge.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, createAudit, rowHash } from '../../src/ops/audit/index.js';
import type { OpsStore } from '../../src/ops/ops-store.js';
import { defaultAuditKeyFile, PostgresOpsStore } from '../../src/ops/postgres/postgres-ops-store.js';
import { runOpsStoreConformance } from './ops-store.case.js';

const url = process.env.CONVERGE_TEST_PG_URL;
const SKIP_REASON = 'CONVERGE_TEST_PG_URL is not set; start a server with: eval "$(scripts/pg-test-server.sh start)"';
const schemas: string[] = [];
const schemaOf = new WeakMap<OpsStore, string>();

async function sql(text: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

function keyFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'converge-pg-key-')), 'audit.key');
}

async function open(schema: string, auditKeyFile = keyFile()): Promise<PostgresOpsStore> {
  const store = await PostgresOpsStore.open({ url: url!, schema, auditKeyFile, env: {} });
  schemaOf.set(store, schema);
  return store;
}

function freshSchema(): string {
  const schema = `converge_ops_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

describe('postgres: the default audit key file', () => {
  it('names the server, database and schema, never the user or password', () => {
    const a = defaultAuditKeyFile('postgres://alice:secret1@db.example:5433/converge', 'converge');
    expect(a).toMatch(/[/\\]\.converge[/\\]audit-[0-9a-f]{16}\.key$/);
    expect(defaultAuditKeyFile('postgres://bob:other@db.example:5433/converge', 'converge')).toBe(a);
    expect(defaultAuditKeyFile('postgres://alice:secret1@db.example:5433/converge', 'other')).not.toBe(a);
  });
});

if (url === undefined) {
  describe.skip(`postgres ops store (skipped: ${SKIP_REASON})`, () => {
    it('runs the shared suite', () => undefined);
  });
} else {
  runOpsStoreConformance({
    name: 'postgres',
    newStore: () => open(freshSchema()),
    cutTail: async (store, count) => {
      const s = schemaOf.get(store)!;
      await sql(`DROP TRIGGER IF EXISTS audit_log_append_only ON ${s}.audit_log`);
      await sql(`DELETE FROM ${s}.audit_log WHERE seq > (SELECT MAX(seq) FROM ${s}.audit_log) - $1`, [count]);
    },
  });

  describe('postgres: one chain written from several machines', () => {
    it('refuses to make a key of its own once HMAC rows exist, so a second key never enters the chain', async () => {
      const schema = freshSchema();
      const first = await open(schema);
      await createAudit(first.auditLog).record({ actor: 'alice', action: 'workflow.start', target: 'wf-1' });
      const otherMachineKey = keyFile();
      const second = await open(schema, otherMachineKey);
      await expect(createAudit(second.auditLog).record({ actor: 'bob', action: 'workflow.start', target: 'wf-2' })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('the audit key is missing'),
      });
      expect(existsSync(otherMachineKey)).toBe(false);
      await expect(createAudit(first.auditLog).verify()).resolves.toMatchObject({ ok: true, rows: 1 });
      await Promise.all([first.close(), second.close()]);
    });

    it('shares one checkpoint between processes that share the key', async () => {
      const schema = freshSchema();
      const key = keyFile();
      const [a, b] = [await open(schema, key), await open(schema, key)];
      for (let i = 0; i < 6; i++) await createAudit(i % 2 ? a.auditLog : b.auditLog).record({ actor: `p${i % 2}`, action: 'workflow.start', target: `wf-${i}` });
      await expect(a.auditLog.readCheckpoint()).resolves.toMatchObject({ seq: 6 });
      await expect(createAudit(b.auditLog).verify()).resolves.toMatchObject({ ok: true, rows: 6, warnings: [] });
      await Promise.all([a.close(), b.close()]);
    });
  });

  describe('postgres: a schema written before the keyed chain', () => {
    it('adds hash_alg, verifies the legacy rows with a warning, then continues with HMAC rows', async () => {
      const schema = freshSchema();
      await sql(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.audit_log (
        seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`);
      let prevHash = GENESIS_HASH;
      for (let seq = 1; seq <= 3; seq++) {
        const row = { seq, at: `2025-01-0${seq}T00:00:00.000Z`, actor: 'alice', action: 'workflow.start', target: `wf-${seq}`, details: { n: seq } };
        const hash = rowHash(prevHash, row);
        await sql(`INSERT INTO ${schema}.audit_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [seq, row.at, row.actor, row.action, row.target, JSON.stringify(row.details), prevHash, hash]);
        prevHash = hash;
      }
      const store = await open(schema);
      const audit = createAudit(store.auditLog);
      const before = await audit.verify();
      expect(before).toMatchObject({ ok: true, rows: 3 });
      expect(before.warnings.join('\n')).toContain('only rows sealed with plain SHA-256');
      await audit.record({ actor: 'bob', action: 'workflow.cancel', target: 'wf-1' });
      expect((await audit.read()).map((r) => r.hashAlg)).toEqual(['sha256', 'sha256', 'sha256', 'hmac-sha256']);
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, rows: 4, warnings: [] });
      await store.close();
    });
  });

  afterAll(async () => {
    for (const schema of schemas) await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });
}
