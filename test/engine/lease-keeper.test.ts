/**
 * LeaseKeeper: one timer renews every lease a runner holds. A held lease must stay ours past
 * its TTL while kept, and be free right after release, even with a renewal in flight.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/engine/clock.js';
import { LeaseKeeper } from '../../src/engine/lease-keeper.js';
import { openMemoryStore } from '../../src/store/index.js';
import { note, summary } from '../store/store-conformance.case.js';

const now = () => new Date().toISOString();

describe('LeaseKeeper', () => {
  it('keeps several leases alive past their TTL with one timer and frees each on release', async () => {
    const store = await openMemoryStore();
    for (const id of ['wf_a', 'wf_b']) {
      await store.createWorkflow(summary(id), note(1));
      expect(await store.acquireLease(id, 'me', 1500, now())).toBe(true);
    }
    const keeper = new LeaseKeeper(store, systemClock, 'me', 1500);
    keeper.keep('wf_a');
    keeper.keep('wf_b');
    // Past the 1.5 s TTL: only the renewals (every 1 s) keep another owner out.
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(await store.acquireLease('wf_a', 'other', 1500, now())).toBe(false);
    expect(await store.acquireLease('wf_b', 'other', 1500, now())).toBe(false);

    await keeper.release('wf_a');
    expect(await store.leaseHolder('wf_a')).toBeUndefined();
    expect(await store.acquireLease('wf_a', 'other', 1500, now())).toBe(true);
    expect((await store.leaseHolder('wf_b'))?.owner).toBe('me');
    await keeper.release('wf_b');
    expect(await store.leaseHolder('wf_b')).toBeUndefined();
  });
});
