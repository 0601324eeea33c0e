/**
 * A worker drives every runnable workflow of a store, many at once, all sharing the engine's
 * per-provider limits. Workflows waiting for a person or an external result are left alone
 * until their log changes, or until their timed wait is over (a gate's timeout, a retry's
 * backoff: timed-wake.ts), whoever started them. Damaged workflows are left alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowSummary } from '../store/store.js';
import type { Engine } from './create-engine.js';
import { leaseOwnerIsDead } from './lease-owner.js';
import type { RunOutcome } from './runner.js';
import { heldElsewhere, WakeSweep } from './timed-wake.js';

export interface WorkerOptions {
  concurrency?: number;
  pollMs?: number;
  /** Return once nothing is runnable and nothing is running. */
  once?: boolean;
  signal?: AbortSignal;
  onOutcome?: (outcome: RunOutcome) => void;
  onError?: (workflowId: string, error: unknown) => void;
}

export async function runWorker(engine: Engine, options: WorkerOptions = {}): Promise<number> {
  const concurrency = options.concurrency ?? 8;
  const active = new Map<string, Promise<void>>();
  const lastSeen = new Map<string, number>();
  const wakes = new WakeSweep(engine.store, engine.runner.waits);
  const woken = new Map<string, number>();
  let finished = 0;
  while (!options.signal?.aborted) {
    await engine.clock.sync?.();
    const runnable = (await engine.store.listWorkflows({ status: ['running'], limit: 1000 })).filter(
      // A workflow we already drove to a stop is picked up again only when its log moved on...
      (wf) => wf.waitingFor === null && wf.damage === undefined && lastSeen.get(wf.id) !== wf.lastSeq,
    );
    // ...or when its timed wait is over (once per wait: the run fires it, and the log moves on).
    const due = (await wakes.due()).filter((wf) => woken.get(wf.id) !== wf.lastSeq);
    const candidates: WorkflowSummary[] = [...runnable, ...due];
    for (const wf of candidates) {
      if (active.size >= concurrency) break;
      if (active.has(wf.id)) continue;
      // Driven by a live process already (a `converge run` waiting at its gate fires the timeout itself).
      if (heldElsewhere(await engine.store.leaseHolder(wf.id), engine.runner.owner, engine.clock.nowMs(), leaseOwnerIsDead)) continue;
      if (due.includes(wf)) woken.set(wf.id, wf.lastSeq);
      const run = engine.runner
        .run(wf.id, { ...(options.signal ? { signal: options.signal } : {}) })
        .then((outcome) => {
          lastSeen.set(wf.id, outcome.state.seq);
          finished += 1;
          options.onOutcome?.(outcome);
        })
        .catch((error: unknown) => options.onError?.(wf.id, error))
        .finally(() => active.delete(wf.id));
      active.set(wf.id, run);
    }
    if (options.once && active.size === 0) {
      const runnable = (await engine.store.listWorkflows({ status: ['running'], limit: 1000 })).some(
        (wf) => wf.waitingFor === null && wf.damage === undefined && lastSeen.get(wf.id) !== wf.lastSeq,
      );
      if (!runnable) break;
    }
    if (active.size >= concurrency) await Promise.race(active.values());
    else await sleep(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
  await Promise.allSettled(active.values());
  return finished;
}
