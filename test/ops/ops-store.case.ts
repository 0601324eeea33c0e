/**
 * The shared suite every OpsStore (tokens + audit log) passes: memory, SQLite, PostgreSQL.
 * Each implementation's test file calls `runOpsStoreConformance` and lists any skip with a reason.
 */
import { describe, expect, it } from 'vitest';
import { checkpointValid, createAudit } from '../../src/ops/audit/index.js';
import type { OpsStore } from '../../src/ops/ops-store.js';
import type { TokenRecord } from '../../src/ops/token-store.js';

export interface OpsConformanceOptions {
  name: string;
  newStore: () => Promise<OpsStore>;
  /** Deletes the newest `count` audit rows behind the store's back, as someone with database access could. */
  cutTail: (store: OpsStore, count: number) => Promise<void>;
}

export function tokenRecord(id: string, extra: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id,
    name: `name-${id}`,
    role: 'viewer',
    kind: 'api',
    hash: `hash-${id}`,
    createdAt: `2025-01-01T00:00:0${id.length % 10}.000Z`,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    parentId: null,
    createdBy: 'tester',
    ...extra,
  };
}

export function runOpsStoreConformance({ name, newStore, cutTail }: OpsConformanceOptions): void {
  describe(`${name}: token store`, () => {
    it('finds a token by hash and by id, and lists it', async () => {
      const store = await newStore();
      await store.tokens.insert(tokenRecord('tok_a', { role: 'approver' }));
      await expect(store.tokens.findByHash('hash-tok_a')).resolves.toMatchObject({ id: 'tok_a', role: 'approver', revokedAt: null });
      await expect(store.tokens.get('tok_a')).resolves.toMatchObject({ name: 'name-tok_a' });
      await expect(store.tokens.findByHash('nope')).resolves.toBeUndefined();
      expect((await store.tokens.list()).map((t) => t.id)).toContain('tok_a');
      await store.close();
    });

    it('refuses a second token with the same hash', async () => {
      const store = await newStore();
      await store.tokens.insert(tokenRecord('tok_b'));
      await expect(store.tokens.insert(tokenRecord('tok_c', { hash: 'hash-tok_b' }))).rejects.toThrow();
      await store.close();
    });

    it('revokes a token with the tokens derived from it, once', async () => {
      const store = await newStore();
      await store.tokens.insert(tokenRecord('tok_p'));
      await store.tokens.insert(tokenRecord('tok_s1', { kind: 'session', parentId: 'tok_p' }));
      await store.tokens.insert(tokenRecord('tok_s2', { kind: 'session', parentId: 'tok_p' }));
      await store.tokens.insert(tokenRecord('tok_other'));
      await expect(store.tokens.revoke('tok_p', '2025-02-01T00:00:00.000Z')).resolves.toBe(3);
      await expect(store.tokens.revoke('tok_p', '2025-02-02T00:00:00.000Z')).resolves.toBe(0);
      await expect(store.tokens.get('tok_s2')).resolves.toMatchObject({ revokedAt: '2025-02-01T00:00:00.000Z' });
      await expect(store.tokens.get('tok_other')).resolves.toMatchObject({ revokedAt: null });
      await store.close();
    });

    it('records the last use', async () => {
      const store = await newStore();
      await store.tokens.insert(tokenRecord('tok_u'));
      await store.tokens.touch('tok_u', '2025-03-01T00:00:00.000Z');
      await expect(store.tokens.get('tok_u')).resolves.toMatchObject({ lastUsedAt: '2025-03-01T00:00:00.000Z' });
      await store.close();
    });
  });

  describe(`${name}: audit log`, () => {
    it('appends rows 1, 2, 3 … that read back exactly as hashed', async () => {
      const store = await newStore();
      const audit = createAudit(store.auditLog);
      await audit.record({ actor: 'alice', action: 'workflow.start', target: 'wf-1', details: { big: 12345678901, text: 'é ✓ "q"', list: [1, { b: 2, a: 1 }] } });
      await audit.record({ actor: 'bob', action: 'approval.approve', target: null });
      const rows = await audit.read();
      expect(rows.map((r) => r.seq)).toEqual([1, 2]);
      expect(rows[0]!.details).toEqual({ big: 12345678901, text: 'é ✓ "q"', list: [1, { b: 2, a: 1 }] });
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, rows: 2 });
      await store.close();
    });

    it('keeps one chain under concurrent appends', async () => {
      const store = await newStore();
      const audit = createAudit(store.auditLog);
      await Promise.all(Array.from({ length: 20 }, (_, i) => audit.record({ actor: `a${i}`, action: 'workflow.start', target: `wf-${i}` })));
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, rows: 20 });
      await store.close();
    });

    it('pages through rows after a sequence number', async () => {
      const store = await newStore();
      const audit = createAudit(store.auditLog);
      for (let i = 0; i < 5; i++) await audit.record({ actor: 'alice', action: 'workflow.start', target: `wf-${i}` });
      expect((await audit.read(2, 2)).map((r) => r.seq)).toEqual([3, 4]);
      const all = [];
      for await (const row of audit.rows(2)) all.push(row.seq);
      expect(all).toEqual([1, 2, 3, 4, 5]);
      await store.close();
    });

    it('seals rows with HMAC and keeps a MACed head checkpoint at the last row', async () => {
      const store = await newStore();
      const audit = createAudit(store.auditLog);
      for (let i = 0; i < 3; i++) await audit.record({ actor: 'alice', action: 'workflow.start', target: `wf-${i}` });
      const rows = await audit.read();
      expect(rows.map((r) => r.hashAlg)).toEqual(['hmac-sha256', 'hmac-sha256', 'hmac-sha256']);
      const checkpoint = await store.auditLog.readCheckpoint();
      expect(checkpoint).toMatchObject({ seq: 3, hash: rows[2]!.hash });
      expect(checkpointValid(store.auditLog.key.get({ create: false })!, checkpoint!)).toBe(true);
      await store.close();
    });

    it('fails verify when the last 3 rows are cut off, naming how many are missing', async () => {
      const store = await newStore();
      const audit = createAudit(store.auditLog);
      for (let i = 0; i < 6; i++) await audit.record({ actor: 'alice', action: 'workflow.start', target: `wf-${i}` });
      await cutTail(store, 3);
      const result = await audit.verify();
      expect(result).toMatchObject({ ok: false, rows: 3, broken: { seq: 4, problem: 'truncated' } });
      expect(result.broken!.message).toContain('Audit rows 4–6 are missing (3 rows)');
      await store.close();
    });

    it('records a cut-off tail in an audit.checkpoint_reset row on the next write, which fails verify until accepted', async () => {
      const store = await newStore();
      const audit = createAudit(store.auditLog);
      for (let i = 0; i < 5; i++) await audit.record({ actor: 'alice', action: 'workflow.start', target: `wf-${i}` });
      await cutTail(store, 2);
      const next = await audit.record({ actor: 'bob', action: 'workflow.cancel', target: 'wf-9' });
      expect(next.seq).toBe(5);
      const rows = await audit.read();
      expect(rows[3]).toMatchObject({ seq: 4, actor: 'converge', action: 'audit.checkpoint_reset', details: { problem: 'truncated', missing_rows: 2 } });
      await expect(audit.verify()).resolves.toMatchObject({ ok: false, broken: { seq: 4, problem: 'checkpoint_reset' } });
      const accepted = await audit.verify({ acceptResets: [4] });
      expect(accepted).toMatchObject({ ok: true, rows: 5 });
      expect(accepted.warnings.join('\n')).toContain('Audit row 4 records a checkpoint reset (accepted)');
      await store.close();
    });

    it('answers a ping', async () => {
      const store = await newStore();
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    });
  });
}
