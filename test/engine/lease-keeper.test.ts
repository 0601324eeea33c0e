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

  it('renews all leases in one call, and one taken over is lost for that workflow only (#19)', async () => {
    const inner = await openMemoryStore();
    const batches: string[][] = [];
    const counted = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'renewLease') throw new Error('the keeper renews in batches');
        if (property === 'renewLeases') {
          return (ids: readonly string[], ...rest: [string, number, string]) => {
            batches.push([...ids]);
            return target.renewLeases(ids, ...rest);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    for (const id of ['wf_a', 'wf_b', 'wf_c']) {
      await inner.createWorkflow(summary(id), note(1));
      expect(await inner.acquireLease(id, 'me', 300, now())).toBe(true);
    }
    const keeper = new LeaseKeeper(counted, systemClock, 'me', 300);
    for (const id of ['wf_a', 'wf_b', 'wf_c']) keeper.keep(id);
    // Another worker takes wf_b over (its owner judged dead): later heartbeats must not take it back.
    await inner.releaseLease('wf_b', 'me');
    expect(await inner.acquireLease('wf_b', 'other', 60_000, now())).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(batches.length).toBeGreaterThanOrEqual(2);
    for (const batch of batches) expect(batch.sort()).toEqual(['wf_a', 'wf_b', 'wf_c']);
    expect((await inner.leaseHolder('wf_b'))?.owner).toBe('other');
    // Past the 300 ms TTL, the others are still ours.
    expect(await inner.acquireLease('wf_a', 'other', 300, now())).toBe(false);
    expect(await inner.acquireLease('wf_c', 'other', 300, now())).toBe(false);
    for (const id of ['wf_a', 'wf_b', 'wf_c']) await keeper.release(id);
    expect((await inner.leaseHolder('wf_b'))?.owner).toBe('other');
    expect(await inner.leaseHolder('wf_a')).toBeUndefined();
  });

  it('renews every ttl/3, and a heartbeat in flight when the lease is released never brings it back (#18)', async () => {
    const inner = await openMemoryStore();
    await inner.createWorkflow(summary('wf_race'), note(1));
    const renewals: number[] = [];
    let landed = 0;
    // The store answers each renewal late, as a slow database would: the release starts while one is in flight.
    const slow = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'renewLeases') {
          return async (...args: Parameters<typeof inner.renewLeases>) => {
            renewals.push(performance.now());
            await new Promise((resolve) => setTimeout(resolve, 80));
            const renewed = await target.renewLeases(...args);
            landed += 1;
            return renewed;
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    for (let round = 0; round < 5; round++) {
      expect(await inner.acquireLease('wf_race', 'me', 300, now())).toBe(true);
      const keeper = new LeaseKeeper(slow, systemClock, 'me', 300);
      expect(keeper.heartbeatMs).toBe(100);
      keeper.keep('wf_race');
      const started = renewals.length;
      // Until a heartbeat is in flight (one every 100 ms, each taking 80 ms).
      while (renewals.length === started || landed === renewals.length) await new Promise((resolve) => setTimeout(resolve, 5));
      await keeper.release('wf_race');
      const settle = landed;
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await inner.leaseHolder('wf_race')).toBeUndefined();
      // No heartbeat after the release: the timer stopped with the last lease.
      expect(landed).toBe(settle);
      expect(await inner.acquireLease('wf_race', 'other', 300, now())).toBe(true);
      await inner.releaseLease('wf_race', 'other');
    }
    // Heartbeats came a third of the TTL apart.
    const gaps = renewals.slice(1).map((t, i) => t - renewals[i]!).filter((gap) => gap < 200);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(90);
  });
});
