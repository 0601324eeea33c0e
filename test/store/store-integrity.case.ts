/**
 * Part of the Store conformance suite (issue 18): what every store does with a damaged log, with
 * leases a heartbeat races, and with the index row's wake time. Each store's test file hands
 * `runStoreConformance` a `damage` that breaks rows behind the store's back, as a disk or a
 * person with SQL access would; the store must then answer the same STORE_DAMAGED as the others.
 */
import { describe, expect } from 'vitest';
import type { NewEvent } from '../../src/core/events.js';
import type { Store, WorkflowSummary } from '../../src/store/store.js';

export interface StoreDamage {
  /** Deletes the row of event `seq`. */
  deleteEvent(store: Store, workflowId: string, seq: number): Promise<void>;
  /** Replaces the stored body of event `seq` with something that is not it (the checksum stays). */
  garbleEvent(store: Store, workflowId: string, seq: number): Promise<void>;
  /** Clears the checksum of event `seq` and garbles its body, as in a row written before checksums. */
  garbleUnchecked(store: Store, workflowId: string, seq: number): Promise<void>;
}

export interface IntegrityCaseContext {
  store: () => Store;
  seed: (id: string, count?: number, overrides?: Partial<WorkflowSummary>) => Promise<void>;
  summary: (id: string, overrides?: Partial<WorkflowSummary>) => WorkflowSummary;
  note: (n: number) => NewEvent;
  at: (minutes: number) => string;
  damage?: StoreDamage;
  test: (title: string, body: () => Promise<void>) => void;
}

const code = (c: string) => ({ name: 'ConvergeError', code: c });

/** Registers the cases inside the caller's `describe`, where `store()` is the fresh store of each test. */
export function integrityCases({ store, seed, summary, note, at, damage, test }: IntegrityCaseContext): void {
  describe('leases raced by a heartbeat (#18)', () => {
    test('renews a lease its owner holds', async () => {
      await seed('wf_1');
      await store().acquireLease('wf_1', 'worker-a', 60_000, at(0));
      expect(await store().renewLease('wf_1', 'worker-a', 60_000, at(0.5))).toBe(true);
      expect(await store().leaseHolder('wf_1')).toEqual({ owner: 'worker-a', expiresAt: at(1.5) });
    });

    test('never brings back a released lease', async () => {
      await seed('wf_1');
      await store().acquireLease('wf_1', 'worker-a', 60_000, at(0));
      await store().releaseLease('wf_1', 'worker-a');
      expect(await store().renewLease('wf_1', 'worker-a', 60_000, at(0.5))).toBe(false);
      expect(await store().leaseHolder('wf_1')).toBeUndefined();
    });

    test('leaves a lease another owner took over alone', async () => {
      await seed('wf_1');
      await store().acquireLease('wf_1', 'worker-a', 60_000, at(0));
      await store().acquireLease('wf_1', 'worker-b', 60_000, at(2));
      expect(await store().renewLease('wf_1', 'worker-a', 60_000, at(2.5))).toBe(false);
      expect(await store().leaseHolder('wf_1')).toEqual({ owner: 'worker-b', expiresAt: at(3) });
    });

    test('ends with no lease whichever of a release and a heartbeat lands first', async () => {
      await seed('wf_1');
      for (let round = 0; round < 5; round++) {
        await store().acquireLease('wf_1', 'worker-a', 60_000, at(round));
        await Promise.all([store().releaseLease('wf_1', 'worker-a'), store().renewLease('wf_1', 'worker-a', 60_000, at(round + 0.5))]);
        expect(await store().leaseHolder('wf_1')).toBeUndefined();
      }
    });
  });

  describe('leases renewed and looked up in one call (#19)', () => {
    test('renews only the leases the owner still holds and returns just those', async () => {
      for (const id of ['wf_held', 'wf_taken', 'wf_released', 'wf_lapsed', 'wf_never']) await seed(id);
      for (const id of ['wf_held', 'wf_taken', 'wf_released']) await store().acquireLease(id, 'worker-a', 60_000, at(2));
      // Taken over by another owner after it expired; released; expired but taken by nobody.
      await store().acquireLease('wf_taken', 'worker-b', 60_000, at(3.5));
      await store().releaseLease('wf_released', 'worker-a');
      await store().acquireLease('wf_lapsed', 'worker-a', 60_000, at(0));
      const ids = ['wf_held', 'wf_taken', 'wf_released', 'wf_lapsed', 'wf_never', 'wf_missing'];
      const renewed = await store().renewLeases(ids, 'worker-a', 60_000, at(2.5));
      expect([...renewed].sort()).toEqual(['wf_held', 'wf_lapsed']);
      expect(await store().leaseHolder('wf_held')).toEqual({ owner: 'worker-a', expiresAt: at(3.5) });
      // An expired lease nobody took is still its owner's, as a single renewal finds it too.
      expect(await store().leaseHolder('wf_lapsed')).toEqual({ owner: 'worker-a', expiresAt: at(3.5) });
      expect(await store().renewLease('wf_lapsed', 'worker-a', 60_000, at(2.5))).toBe(true);
      expect(await store().leaseHolder('wf_taken')).toEqual({ owner: 'worker-b', expiresAt: at(4.5) });
      expect(await store().leaseHolder('wf_released')).toBeUndefined();
      expect(await store().leaseHolder('wf_never')).toBeUndefined();
      expect(await store().renewLeases([], 'worker-a', 60_000, at(2.5))).toEqual(new Set());
    });

    test('looks up every holder at once, with no entry for a workflow without a lease', async () => {
      for (const id of ['wf_a', 'wf_b', 'wf_free']) await seed(id);
      await store().acquireLease('wf_a', 'worker-a', 60_000, at(0));
      await store().acquireLease('wf_b', 'worker-b', 120_000, at(0));
      const holders = await store().leaseHolders(['wf_a', 'wf_b', 'wf_free', 'wf_missing']);
      expect(holders).toEqual(
        new Map([
          ['wf_a', { owner: 'worker-a', expiresAt: at(1) }],
          ['wf_b', { owner: 'worker-b', expiresAt: at(2) }],
        ]),
      );
      expect(holders.get('wf_a')).toEqual(await store().leaseHolder('wf_a'));
      expect(await store().leaseHolders([])).toEqual(new Map());
    });
  });

  describe('wakeAt on the index row (#18)', () => {
    test('round-trips wakeAt and lists only waking workflows when asked', async () => {
      await seed('wf_a', 1);
      await seed('wf_b', 1, { status: 'waiting_for_human', waitingFor: 'gate:plan_approval', wakeAt: at(60) });
      expect((await store().getWorkflow('wf_b'))?.wakeAt).toBe(at(60));
      expect((await store().listWorkflows({ waking: true })).map((w) => w.id)).toEqual(['wf_b']);
      await store().append('wf_b', 1, [note(2)], summary('wf_b', { wakeAt: null }));
      expect(await store().listWorkflows({ waking: true })).toEqual([]);
    });
  });

  describe('a damaged log (#18)', () => {
    test('reads a sound database as sound', async () => {
      await seed('wf_1', 3);
      expect(await store().checkDatabase()).toEqual([]);
    });

    test('clears a damage mark that markDamaged(null) lifts', async () => {
      await seed('wf_1', 2);
      await store().markDamaged('wf_1', { seq: 2, reason: 'found by a check' });
      expect((await store().getWorkflow('wf_1'))?.damage).toEqual({ seq: 2, reason: 'found by a check' });
      await store().markDamaged('wf_1', null);
      expect((await store().getWorkflow('wf_1'))?.damage).toBeUndefined();
    });

    if (damage === undefined) return;

    test('names the seq of a deleted middle event with STORE_DAMAGED and keeps what reads', async () => {
      await seed('wf_1', 5);
      await damage.deleteEvent(store(), 'wf_1', 3);
      const error = await store().readEvents('wf_1').then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ ...code('STORE_DAMAGED'), details: { workflowId: 'wf_1', seq: 3 } });
      expect(((error as { details: { readable: Array<{ seq: number }> } }).details.readable).map((e) => e.seq)).toEqual([1, 2]);
    });

    test('lists a workflow found damaged as damaged, and leaves the others alone', async () => {
      await seed('wf_1', 4);
      await seed('wf_2', 4);
      await damage.deleteEvent(store(), 'wf_1', 2);
      await expect(store().readEvents('wf_1')).rejects.toMatchObject(code('STORE_DAMAGED'));
      expect((await store().getWorkflow('wf_1'))?.damage).toMatchObject({ seq: 2 });
      const listed = await store().listWorkflows();
      expect(listed.find((w) => w.id === 'wf_1')?.damage).toMatchObject({ seq: 2 });
      expect(listed.find((w) => w.id === 'wf_2')?.damage).toBeUndefined();
      expect((await store().readEvents('wf_2')).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      await store().append('wf_2', 4, [note(5)], summary('wf_2'));
    });

    test('names a deleted last event against the index row', async () => {
      await seed('wf_1', 4);
      await damage.deleteEvent(store(), 'wf_1', 4);
      await expect(store().readEvents('wf_1')).rejects.toMatchObject({ ...code('STORE_DAMAGED'), details: { seq: 4 } });
    });

    test('names a deleted event after a snapshot when reading from it', async () => {
      await seed('wf_1', 6);
      await damage.deleteEvent(store(), 'wf_1', 5);
      await expect(store().readEvents('wf_1', 3)).rejects.toMatchObject({ ...code('STORE_DAMAGED'), details: { seq: 5 } });
      expect((await store().readEvents('wf_1', 5)).map((e) => e.seq)).toEqual([6]);
    });

    test('names a body that does not match its checksum', async () => {
      await seed('wf_1', 3);
      await damage.garbleEvent(store(), 'wf_1', 2);
      await expect(store().readEvents('wf_1')).rejects.toMatchObject({ ...code('STORE_DAMAGED'), details: { seq: 2 } });
    });

    test('names a body without a checksum that does not decode', async () => {
      await seed('wf_1', 3);
      await damage.garbleUnchecked(store(), 'wf_1', 3);
      await expect(store().readEvents('wf_1')).rejects.toMatchObject({ ...code('STORE_DAMAGED'), details: { seq: 3 } });
    });
  });
}
