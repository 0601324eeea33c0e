/**
 * The queue worker and the distributed limiter in one process, on a memory store with the
 * in-memory queue and slots: the rules that do not need PostgreSQL to be shown.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/create-engine.js';
import { DistributedLimiter } from '../../src/engine/distributed-limiter.js';
import { runQueueWorker } from '../../src/engine/queue-worker.js';
import { join } from 'node:path';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { loadProjectConfig } from '../../src/workflows/loader.js';
import { copyFixture } from '../e2e/helpers/cli.js';
import { MemoryProviderSlots, MemoryWorkQueue } from './memory-scale-out.js';
import { allLogProblems, startWorkflows, traceLines, waitUntil } from './scale-helpers.js';

async function setup(count: number): Promise<{ dir: string; store: Store; ids: string[]; engine: () => Engine }> {
  const dir = copyFixture('scale');
  const store = await openStore(':memory:');
  const ids = await startWorkflows(store, dir, count);
  const { config, baseDir } = loadProjectConfig(dir);
  return { dir, store, ids, engine: () => createEngine({ store, config, baseDir }) };
}

const statuses = async (store: Store, ids: string[]) => Promise.all(ids.map(async (id) => (await store.getWorkflow(id))!.status));

describe('runQueueWorker › one process, memory store and queue', () => {
  it('drives every started workflow to completion once its sweeper enqueues them', async () => {
    const { store, ids, engine } = await setup(6);
    const queue = new MemoryWorkQueue();
    const result = await runQueueWorker(engine(), queue, { untilIdle: true, sweepIntervalMs: 50 });
    expect(result).toEqual({ runs: 6, handedBack: 0 });
    expect(await statuses(store, ids)).toEqual(ids.map(() => 'completed'));
    expect([...queue.sent].sort()).toEqual([...ids].sort());
  });

  it('stops each run before the agent call of a new step on shutdown, hands it back, and loses no call', async () => {
    const { dir, store, ids, engine } = await setup(4);
    const queue = new MemoryWorkQueue();
    const controller = new AbortController();
    const lines: string[] = [];
    const first = runQueueWorker(engine(), queue, { signal: controller.signal, sweepIntervalMs: 50, log: (line) => lines.push(line) });
    await waitUntil('a first step recorded', async () => (await store.readEvents(ids[0]!)).some((e) => e.type === 'step_output_recorded'), 10_000, 5);
    controller.abort();
    const stopped = await first;

    expect(stopped.handedBack).toBeGreaterThan(0);
    expect(lines.some((line) => /^stopping: claiming no new workflows; \d run\(s\)/.test(line))).toBe(true);
    expect(new Set(queue.waiting).size).toBe(stopped.handedBack);
    // Every call that started also ended: none was cut off by the shutdown.
    const starts = traceLines(dir).filter((l) => l.endsWith(' start')).map((l) => l.replace(/ start$/, ''));
    const ends = traceLines(dir).filter((l) => l.endsWith(' end')).map((l) => l.replace(/ end$/, ''));
    expect(ends.sort()).toEqual(starts.sort());

    const second = await runQueueWorker(engine(), queue, { untilIdle: true, sweepIntervalMs: 50 });
    expect(second.runs).toBeGreaterThanOrEqual(stopped.handedBack);
    expect(await statuses(store, ids)).toEqual(ids.map(() => 'completed'));
    expect(await allLogProblems(store, ids)).toEqual([]);
    const all = traceLines(dir).filter((l) => l.endsWith(' start'));
    expect(all.length, 'an agent call was made twice').toBe(new Set(all).size);
  });

  it('leaves a workflow alone while another live worker holds its lease, and drives it once released', async () => {
    const { store, ids, engine } = await setup(1);
    const id = ids[0]!;
    const other = `${hostname()}:${process.pid}:another-worker`;
    expect(await store.acquireLease(id, other, 60_000, new Date().toISOString())).toBe(true);
    const queue = new MemoryWorkQueue();
    const controller = new AbortController();
    const running = runQueueWorker(engine(), queue, { signal: controller.signal, sweepIntervalMs: 50 });
    await queue.enqueue(id);
    await sleep(300);
    expect(queue.waiting).toEqual([]);
    expect((await store.getWorkflow(id))!.lastSeq).toBe(1);
    expect((await store.leaseHolder(id))!.owner).toBe(other);

    await store.releaseLease(id, other);
    await waitUntil('the workflow completed', async () => (await store.getWorkflow(id))!.status === 'completed', 10_000, 20);
    controller.abort();
    expect((await running).runs).toBe(1);
  });
});

describe('DistributedLimiter › limiters of two workers sharing one set of slots', () => {
  it('never lets more than the limit of calls run at once across both', async () => {
    const slots = new MemoryProviderSlots();
    const a = new DistributedLimiter(slots, { p: 2 }, { owner: 'a' });
    const b = new DistributedLimiter(slots, { p: 2 }, { owner: 'b' });
    let now = 0;
    let max = 0;
    const call = async () => {
      max = Math.max(max, ++now);
      await sleep(20);
      now--;
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).run('p', call)));
    expect(max).toBe(2);
    expect(await slots.inUse('p')).toBe(0);
  });

  it('gives a dead holder’s slot to a waiting call once the slot expires', async () => {
    const slots = new MemoryProviderSlots();
    expect(await slots.tryClaim('p', 1, 'dead-worker', 150)).toBe(0);
    const limiter = new DistributedLimiter(slots, { p: 1 }, { owner: 'a' });
    const started = Date.now();
    await limiter.run('p', async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('stops waiting for a slot when the run it serves is stopped', async () => {
    const slots = new MemoryProviderSlots();
    await slots.tryClaim('p', 1, 'busy-worker', 60_000);
    const controller = new AbortController();
    const limiter = new DistributedLimiter(slots, { p: 1 }, { owner: 'a', signalOf: () => controller.signal });
    const waiting = limiter.run('p', async () => 'called');
    setTimeout(() => controller.abort(new Error('the worker is shutting down')), 50);
    await expect(waiting).rejects.toThrow('the worker is shutting down');
  });

  it('fires a gate timeout for a workflow it never ran, whose runner has gone (#18)', async () => {
    const dir = copyFixture('scale');
    const store = await openStore(':memory:');
    const loaded = loadProjectConfig(dir);
    const config = { ...loaded.config, gates: { plan_approval: { timeout_s: 1, on_timeout: 'reject' as const } } };
    const opener = createEngine({ store, config, baseDir: loaded.baseDir });
    const state = await startWorkflow(store, opener.clock, {
      definition: opener.definition,
      requirements: 'Write the value file',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      autoApprove: false,
    });
    // Another runner takes it to the plan gate and returns there, as `converge resume --no-wait` would.
    expect((await opener.runner.run(state.workflowId)).waitingFor).toBe('gate:plan_approval');
    expect((await store.getWorkflow(state.workflowId))!.wakeAt).toEqual(expect.any(String));

    const queue = new MemoryWorkQueue();
    const controller = new AbortController();
    const worker = runQueueWorker(createEngine({ store, config, baseDir: loaded.baseDir }), queue, { signal: controller.signal, sweepIntervalMs: 50 });
    try {
      await waitUntil('the gate timed out and rejected the workflow', async () => (await store.getWorkflow(state.workflowId))!.status === 'rejected', 10_000, 20);
    } finally {
      controller.abort();
      await worker;
    }
    const events = await store.readEvents(state.workflowId);
    expect(events.filter((e) => e.type === 'gate_timed_out')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'approval_decided', decision: 'reject', automatic: 'timeout_policy' });
    expect((await store.getWorkflow(state.workflowId))!.wakeAt ?? null).toBeNull();
  });

  it('keeps the process-local default for providers without a limit', async () => {
    const limiter = new DistributedLimiter(new MemoryProviderSlots(), {}, { owner: 'a' });
    expect(await limiter.run('unlimited', async () => 42)).toBe(42);
  });
});
