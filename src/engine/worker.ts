/**
 * A worker drives every runnable workflow of a store, many at once, all sharing the engine's
 * per-provider limits. Workflows waiting for a person or an external result are left alone
 * until their log changes, or until their timed wait is over (a gate's timeout, a retry's
 * backoff: timed-wake.ts), whoever started them. Damaged workflows are left alone. Runnable
 * workflows are found a page at a time, and a poll reads only what changed (runnable-scan.ts),
 * so one worker drives any number of them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowSummary } from '../store/store.js';
import type { Engine } from './create-engine.js';
import { leaseOwnerIsDead } from './lease-owner.js';
import type { RunOutcome } from './runner.js';
import { RunnableScan } from './runnable-scan.js';
import { heldElsewhere, WakeSweep } from './timed-wake.js';

export interface WorkerOptions {
  concurrency?: number;
  pollMs?: number;
  /** Return once nothing is runnable and nothing is running. */
  once?: boolean;
  signal?: AbortSignal;
  onOutcome?: (outcome: RunOutcome) => void;
  onError?: (workflowId: string, error: unknown) => void;
  /** Index rows read per store query while looking for runnable workflows (default 1,000; any number of workflows is driven). */
  pageSize?: number;
}

export async function runWorker(engine: Engine, options: WorkerOptions = {}): Promise<number> {
  const concurrency = options.concurrency ?? 8;
  const active = new Map<string, Promise<void>>();
  /** The seq where this worker's last run of a workflow left it: not runnable again until its log moves on. */
  const lastSeen = new Map<string, number>();
  const scan = new RunnableScan(engine.store, () => engine.clock.nowMs(), options.pageSize === undefined ? {} : { pageSize: options.pageSize });
  const wakes = new WakeSweep(engine.store, engine.runner.waits);
  const woken = new Map<string, number>();
  const moved = (wf: WorkflowSummary) => !active.has(wf.id) && (lastSeen.get(wf.id) ?? -1) < wf.lastSeq;
  let finished = 0;
  const drive = (wf: WorkflowSummary): void => {
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
  };
  while (!options.signal?.aborted) {
    await engine.clock.sync?.();
    const changed = await scan.refresh();
    // A workflow whose timed wait is over is driven once per wait: the run fires it, and the log moves on.
    const due = (await wakes.due(changed)).filter((wf) => woken.get(wf.id) !== wf.lastSeq && !active.has(wf.id));
    for (const wf of due) {
      if (active.size >= concurrency) break;
      if (await held(engine, wf.id)) continue;
      woken.set(wf.id, wf.lastSeq);
      scan.forget(wf.id);
      drive(wf);
    }
    // A workflow this worker already drove to a stop is picked up again only when its log moved on.
    for (const wf of [...scan.rows]) {
      if (active.size >= concurrency) break;
      if (!moved(wf)) {
        // Where this worker's run left it: back in the scan when its log moves on.
        if (!active.has(wf.id)) scan.forget(wf.id);
        continue;
      }
      // Left in the scan while another live process drives it, to be looked at again next time.
      if (await held(engine, wf.id)) continue;
      scan.forget(wf.id);
      drive(wf);
    }
    if (options.once && active.size === 0) {
      await scan.refresh();
      if (![...scan.rows].some(moved)) break;
    }
    if (active.size >= concurrency) await Promise.race(active.values());
    else await sleep(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
  await Promise.allSettled(active.values());
  return finished;
}

/** Driven by a live process already (a `converge run` waiting at its gate fires the timeout itself). */
async function held(engine: Engine, workflowId: string): Promise<boolean> {
  return heldElsewhere(await engine.store.leaseHolder(workflowId), engine.runner.owner, engine.clock.nowMs(), leaseOwnerIsDead);
}
