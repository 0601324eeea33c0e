/**
 * CancelWatch: one poll for every workflow a runner executes. A cancel written by another
 * process (here: straight into the store) must abort that workflow's signal and no other, and
 * a worker's single stop signal must reach every watched run without one listener per run.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelWatch } from '../../src/engine/cancel-watch.js';
import { systemClock } from '../../src/engine/clock.js';
import { openMemoryStore } from '../../src/store/index.js';
import { note, summary } from '../store/store-conformance.case.js';

const now = () => new Date().toISOString();

describe('CancelWatch', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  afterEach(() => {
    warnings.length = 0;
  });

  it('aborts the workflow cancelled elsewhere and leaves the others running', async () => {
    const store = await openMemoryStore();
    for (const id of ['wf_a', 'wf_b']) await store.createWorkflow(summary(id, { updatedAt: now() }), note(1));
    const watch = new CancelWatch(store, systemClock, 20);
    const a = watch.watch('wf_a');
    const b = watch.watch('wf_b');
    await store.append('wf_a', 1, [{ type: 'cancelled', at: now(), actor: { id: 'someone', via: 'cli' } } as never], summary('wf_a', { status: 'cancelled', updatedAt: now() }));
    await expect.poll(() => a.signal.aborted, { timeout: 2000 }).toBe(true);
    expect(a.cancelled()).toBe(true);
    expect(b.signal.aborted).toBe(false);
    expect(b.cancelled()).toBe(false);
    a.stop();
    b.stop();
  });

  it('passes one outer abort to every watched run with a single listener', async () => {
    const store = await openMemoryStore();
    const watch = new CancelWatch(store, systemClock, 1000);
    const outer = new AbortController();
    const runs = Array.from({ length: 50 }, (_, i) => watch.watch(`wf_${i}`, outer.signal));
    outer.abort(new Error('worker stopping'));
    expect(runs.every((r) => r.signal.aborted && !r.cancelled())).toBe(true);
    for (const r of runs) r.stop();
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('takes its listener off a run\'s own signal once the run stops, so finished runs leave nothing behind', async () => {
    const watch = new CancelWatch(await openMemoryStore(), systemClock, 1000);
    const own = new AbortController();
    const a = watch.watch('wf_1', own.signal);
    const b = watch.watch('wf_2', own.signal);
    expect(getEventListeners(own.signal, 'abort')).toHaveLength(1);
    a.stop();
    expect(getEventListeners(own.signal, 'abort')).toHaveLength(1);
    b.stop();
    expect(getEventListeners(own.signal, 'abort')).toHaveLength(0);
  });

  it('aborts at once when the outer signal already aborted', async () => {
    const watch = new CancelWatch(await openMemoryStore(), systemClock);
    const watched = watch.watch('wf_1', AbortSignal.abort());
    expect(watched.signal.aborted).toBe(true);
    watched.stop();
  });
});
