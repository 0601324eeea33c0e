/**
 * What every outbox guarantees, run on memory, SQLite and PostgreSQL: insert-or-ignore by id, a
 * claim that hands a row to one owner until it lapses, retries that wait for their time, and
 * failures that stop for good.
 */
import { describe, expect, it } from 'vitest';
import type { Outbox, OutboxEntry } from '../../../src/ops/notify/outbox.js';

export interface OutboxSuite {
  name: string;
  /** A fresh, empty outbox and how to close it. */
  open(): Promise<{ outbox: Outbox; close(): Promise<void> }>;
}

const T0 = '2026-12-06T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

function entry(id: string, over: Partial<OutboxEntry> = {}): OutboxEntry {
  return { id, target: 'ops', event: 'gate.waiting', workflowId: 'wf_1', payload: JSON.stringify({ id }), createdAt: T0, ...over };
}

export function runOutboxConformance(suite: OutboxSuite): void {
  describe(`outbox (${suite.name})`, () => {
    const withOutbox = (fn: (outbox: Outbox) => Promise<void>) => async () => {
      const { outbox, close } = await suite.open();
      try {
        await fn(outbox);
      } finally {
        await close();
      }
    };

    it('keeps one row per id however often it is enqueued', withOutbox(async (outbox) => {
      expect(await outbox.enqueue([entry('a'), entry('b')])).toBe(2);
      expect(await outbox.enqueue([entry('a', { payload: '{"other":true}' }), entry('c')])).toBe(1);
      expect(await outbox.existing(['a', 'c', 'z'])).toEqual(new Set(['a', 'c']));
      const rows = await outbox.list();
      expect(rows.map((r) => r.id).sort()).toEqual(['a', 'b', 'c']);
      expect(rows.find((r) => r.id === 'a')!.payload).toBe('{"id":"a"}');
    }));

    it('hands a due row to one owner until the claim lapses, counting each attempt', withOutbox(async (outbox) => {
      await outbox.enqueue([entry('a')]);
      const first = await outbox.claimDue({ owner: 'p1', now: at(0), until: at(30_000), limit: 10, targets: ['ops'] });
      expect(first.map((r) => [r.id, r.attempts, r.claimedBy])).toEqual([['a', 1, 'p1']]);
      expect(await outbox.claimDue({ owner: 'p2', now: at(1000), until: at(31_000), limit: 10, targets: ['ops'] })).toEqual([]);
      const lapsed = await outbox.claimDue({ owner: 'p2', now: at(30_000), until: at(60_000), limit: 10, targets: ['ops'] });
      expect(lapsed.map((r) => [r.id, r.attempts, r.claimedBy])).toEqual([['a', 2, 'p2']]);
    }));

    it('claims only the targets asked for and only rows that are due', withOutbox(async (outbox) => {
      await outbox.enqueue([entry('a'), entry('b', { target: 'slack' }), entry('c', { nextAttemptAt: at(5000) })]);
      const rows = await outbox.claimDue({ owner: 'p1', now: at(0), until: at(30_000), limit: 10, targets: ['ops'] });
      expect(rows.map((r) => r.id)).toEqual(['a']);
    }));

    it('retries a failed row at its retry time, and never after a permanent failure or a delivery', withOutbox(async (outbox) => {
      await outbox.enqueue([entry('retry'), entry('dead'), entry('done')]);
      await outbox.claimDue({ owner: 'p1', now: at(0), until: at(30_000), limit: 10, targets: ['ops'] });
      await outbox.markFailed('retry', 'p1', at(100), 'HTTP 500', at(2000));
      await outbox.markFailed('dead', 'p1', at(100), 'HTTP 404', null);
      await outbox.markDelivered('done', 'p1', at(100));
      expect(await outbox.claimDue({ owner: 'p1', now: at(1000), until: at(31_000), limit: 10, targets: ['ops'] })).toEqual([]);
      const again = await outbox.claimDue({ owner: 'p1', now: at(2000), until: at(32_000), limit: 10, targets: ['ops'] });
      expect(again.map((r) => [r.id, r.attempts, r.lastError])).toEqual([['retry', 2, 'HTTP 500']]);
      expect((await outbox.list({ status: 'failed' })).map((r) => [r.id, r.lastError])).toEqual([['dead', 'HTTP 404']]);
      expect((await outbox.list({ status: 'delivered' })).map((r) => r.id)).toEqual(['done']);
      expect((await outbox.list({ status: 'pending' })).map((r) => r.id)).toEqual(['retry']);
    }));

    it('ignores a failure reported by an owner whose claim another took over', withOutbox(async (outbox) => {
      await outbox.enqueue([entry('a')]);
      await outbox.claimDue({ owner: 'p1', now: at(0), until: at(1000), limit: 10, targets: ['ops'] });
      await outbox.claimDue({ owner: 'p2', now: at(1000), until: at(31_000), limit: 10, targets: ['ops'] });
      await outbox.markFailed('a', 'p1', at(1100), 'late news', null);
      const [row] = await outbox.list();
      expect(row).toMatchObject({ claimedBy: 'p2', failedAt: null, lastError: null });
    }));

    it('lists the newest first, by workflow when asked', withOutbox(async (outbox) => {
      await outbox.enqueue([entry('old'), entry('new', { createdAt: at(1000), workflowId: 'wf_2' })]);
      expect((await outbox.list()).map((r) => r.id)).toEqual(['new', 'old']);
      expect((await outbox.list({ workflowId: 'wf_2' })).map((r) => r.id)).toEqual(['new']);
      expect((await outbox.list({ limit: 1 })).map((r) => r.id)).toEqual(['new']);
    }));
  });
}
