/**
 * A worker drives every runnable workflow of a store, many at once, all sharing the engine's
 * per-provider limits. Workflows waiting for a person or an external result are left alone
 * until their log changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from './create-engine.js';
import type { RunOutcome } from './runner.js';

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
  let finished = 0;
  while (!options.signal?.aborted) {
    const candidates = await engine.store.listWorkflows({ status: ['running'], limit: 1000 });
    for (const wf of candidates) {
      if (active.size >= concurrency) break;
      if (active.has(wf.id) || wf.waitingFor !== null) continue;
      // A workflow we already drove to a stop is picked up again only when its log moved on.
      if (lastSeen.get(wf.id) === wf.lastSeq) continue;
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
        (wf) => wf.waitingFor === null && lastSeen.get(wf.id) !== wf.lastSeq,
      );
      if (!runnable) break;
    }
    if (active.size >= concurrency) await Promise.race(active.values());
    else await sleep(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
  await Promise.allSettled(active.values());
  return finished;
}
