/** Generated volumes that a long-lived project store reaches; correctness only, timings live in bench/. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { at, note, summary } from '../store-conformance.case.js';

const root = mkdtempSync(join(tmpdir(), 'converge-sqlite-scale-'));
let store: SqliteStore;

beforeAll(async () => {
  store = await openSqliteStore(join(root, 'converge.db'));
});
afterAll(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('SqliteStore at scale', () => {
  it('reads back one workflow of 10,000 events in order', async () => {
    // Status `paused` keeps it out of the 1,000-workflow listings below, which filter by status.
    await store.createWorkflow(summary('wf_long', { status: 'paused' }), note(1));
    for (let last = 1; last < 10_000; last += 500) {
      const batch = Array.from({ length: Math.min(500, 10_000 - last) }, (_, i) => note(last + i + 1));
      await store.append('wf_long', last, batch, summary('wf_long', { status: 'paused' }));
    }

    const events = await store.readEvents('wf_long');
    expect(events).toHaveLength(10_000);
    events.forEach((event, i) => {
      expect(event).toEqual({ ...note(i + 1), seq: i + 1 });
    });
    expect((await store.readEvents('wf_long', 9_990)).map((event) => event.seq)).toEqual([
      9_991, 9_992, 9_993, 9_994, 9_995, 9_996, 9_997, 9_998, 9_999, 10_000,
    ]);
    expect((await store.getWorkflow('wf_long'))?.lastSeq).toBe(10_000);
  });

  describe('1,000 workflows', () => {
    const STATUSES = ['running', 'waiting_for_human', 'completed', 'failed', 'cancelled'];
    const id = (i: number) => `wf_${String(i).padStart(4, '0')}`;

    beforeAll(async () => {
      for (let i = 0; i < 1_000; i++) {
        const status = STATUSES[i % STATUSES.length] ?? 'running';
        await store.createWorkflow(summary(id(i), { status, updatedAt: at(i) }), note(1));
      }
    });

    it('lists them all, newest first', async () => {
      const all = (await store.listWorkflows({ status: STATUSES })).map((workflow) => workflow.id);
      expect(all).toEqual(Array.from({ length: 1_000 }, (_, i) => id(999 - i)));
    });

    it('filters 200 of each status', async () => {
      for (const status of STATUSES) {
        const listed = await store.listWorkflows({ status: [status] });
        expect(listed).toHaveLength(200);
        expect(listed.every((workflow) => workflow.status === status)).toBe(true);
      }
    });

    it('pages through them in 10 pages of 100 without gaps or repeats', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < 1_000; offset += 100) {
        const page = await store.listWorkflows({ status: STATUSES, limit: 100, offset });
        expect(page).toHaveLength(100);
        seen.push(...page.map((workflow) => workflow.id));
      }
      expect(new Set(seen).size).toBe(1_000);
    });

    it('keeps the 500 updated before the cutoff, and prunes the 300 of them that finished', async () => {
      expect(await store.listWorkflows({ status: STATUSES, updatedBefore: at(500) })).toHaveLength(500);
      expect(await store.prune(at(500))).toBe(300);
      expect(await store.listWorkflows({ status: STATUSES })).toHaveLength(700);
    });
  });
});
