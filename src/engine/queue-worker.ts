/**
 * The distributed worker: claims wake-up jobs from the store's work queue and drives each
 * workflow with the usual runner until it ends or waits for a person. Three rules keep any
 * number of these workers, on any number of machines, correct:
 *
 * - The job is not the lock. Before driving, the worker takes the workflow's lease in the store;
 *   when a live worker holds it, the job completes untouched. A lease watchdog stops a run whose
 *   lease another worker took (after a partition), so two workers never keep driving one workflow.
 * - Liveness comes from a sweeper, not from jobs: every few seconds each worker enqueues the
 *   running workflows that wait for nobody, have no job waiting and no live lease (a start, an
 *   approval, a dead worker's runs, a job lost with its worker), and the workflows whose timed
 *   wait is over (a gate's timeout, a retry's backoff: timed-wake.ts), which nobody else would
 *   wake. Damaged workflows are left alone.
 * - Shutdown (the signal) stops claiming at once. Each run goes on until it is about to start the
 *   agent call of a new step, so calls in progress finish and are recorded; after `drainMs`
 *   whatever is left is cancelled. Each stopped workflow is enqueued again, so another worker
 *   continues it from its log.
 */
import { leaseOwnerIsDead } from './lease-owner.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isConvergeError } from '../core/errors.js';
import type { Agent, AgentRequest } from '../agents/agent.js';
import type { ProviderSlots, WorkQueue } from '../store/work-queue.js';
import type { WorkflowSummary } from '../store/store.js';
import type { Engine } from './create-engine.js';
import { DistributedLimiter } from './distributed-limiter.js';
import type { RunOutcome } from './runner.js';
import type { StepExecutorDeps } from './step-executor.js';
import { RunnableScan } from './runnable-scan.js';
import { heldElsewhere, WakeSweep } from './timed-wake.js';

export interface QueueWorkerOptions {
  /** Workflows driven at once by this process. */
  concurrency?: number;
  /** Aborting it starts a graceful shutdown; the promise resolves when it is done. */
  signal?: AbortSignal;
  /** Return once no workflow in the store is runnable and this worker drives none (`worker --once`). */
  untilIdle?: boolean;
  /** When given, provider limits (`max_concurrency`) hold across all workers through these slots. */
  slots?: ProviderSlots;
  sweepIntervalMs?: number;
  /** At shutdown, how long runs may take to reach a step boundary before they are cancelled (default 30 s). */
  drainMs?: number;
  leaseCheckMs?: number;
  /** Index rows read per store query while sweeping (default 1,000). */
  pageSize?: number;
  /** One line per notable event (outage, shutdown, hand-back); no trailing newline. */
  log?: (line: string) => void;
  onOutcome?: (outcome: RunOutcome) => void;
  onError?: (workflowId: string, error: unknown) => void;
}

export interface QueueWorkerResult {
  /** Runs driven until the workflow ended or waited for a person. */
  runs: number;
  /** Runs stopped by the shutdown and put back in the queue for another worker. */
  handedBack: number;
}

const DEFAULT_SWEEP_MS = 2000;
/** Sweeps for which a lease seen held elsewhere is trusted without a lookup (bounded by its expiry). */
const LEASE_RECHECK_SWEEPS = 10;
/** Runnable workflows a sweep enqueues concurrently (the store's pool has 10 connections by default). */
const SWEEP_PARALLEL = 8;
/** Runnable workflows whose leases a sweep looks up in one store call. */
const SWEEP_PAGE = 500;

interface RunContext {
  workflowId: string;
  controller: AbortController;
  /** Agent calls of this run in progress (steps call one at a time, so 0 or 1). */
  calls: number;
  /** Calls of this run queued for a provider slot: meanwhile the watchdog leaves its lease alone. */
  slotWaits: number;
  /** The action of the run's latest agent call: further calls of it belong to the same step. */
  actionId?: string;
  stop?: 'drain' | 'lease';
}

const runContext = new AsyncLocalStorage<RunContext>();

/**
 * The abort signal of the queue-worker run the caller belongs to, if any. Read it on entry of a
 * call (the limiter does), before any queue that may resume work in another run's context.
 */
export function currentRunSignal(): AbortSignal | undefined {
  return runContext.getStore()?.controller.signal;
}

/**
 * Wraps the engine's agents so that, once draining, a run stops just before the first agent call
 * of a new step (a validate step calls once per review; those calls go on). The step it stops
 * at is already marked started, so the next worker retries it as `interrupted`, which the
 * recovery policy allows a few times. Agents are wrapped once each: the executor compares them.
 */
function gateAgents(
  agentFor: StepExecutorDeps['agentFor'],
  runOf: (workflowId: string) => RunContext | undefined,
  draining: () => boolean,
): StepExecutorDeps['agentFor'] {
  const gated = new WeakMap<Agent, Agent>();
  const call = async (agent: Agent, request: AgentRequest) => {
    // By workflow id, not async context: a provider's local queue may start this call from
    // the context of another run's finished call.
    const ctx = runOf(request.workflowId);
    if (ctx === undefined) return agent.call(request);
    if (draining() && ctx.actionId !== request.actionId) stopRun(ctx, 'drain');
    ctx.controller.signal.throwIfAborted();
    ctx.actionId = request.actionId;
    ctx.calls += 1;
    try {
      return await agent.call(request);
    } finally {
      ctx.calls -= 1;
    }
  };
  const gate = (agent: Agent): Agent => {
    let wrapper = gated.get(agent);
    if (wrapper === undefined) {
      wrapper = new Proxy(agent, {
        get(target, property) {
          if (property === 'call') return (request: AgentRequest) => call(target, request);
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      gated.set(agent, wrapper);
    }
    return wrapper;
  };
  return (role, providerIndex, state) => {
    const choice = agentFor(role, providerIndex, state);
    return choice.kind === 'agent' ? { kind: 'agent', agent: gate(choice.agent) } : choice;
  };
}

function stopRun(ctx: RunContext, why: 'drain' | 'lease'): void {
  ctx.stop ??= why;
  ctx.controller.abort(new Error(why === 'drain' ? 'the worker is shutting down' : 'another worker took the lease'));
}

/** A lease held by a process of this machine that no longer exists (the runner applies the same rule). */
function isUnavailable(error: unknown): boolean {
  return isConvergeError(error) && error.code === 'STORE_UNAVAILABLE';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the driver said (the store's own message only repeats the location). */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const text = messageOf(cause instanceof AggregateError ? (cause.errors[0] ?? cause) : (cause ?? error));
  return text.replace(/\.$/, '') || 'no answer';
}

/** Says once when the store goes away and once when it is back, and pauses claiming meanwhile. */
class StoreHealth {
  #downSince: number | undefined;
  constructor(readonly location: string, readonly log: (line: string) => void) {}

  get down(): boolean {
    return this.#downSince !== undefined;
  }

  failed(error: unknown): void {
    if (this.#downSince !== undefined) return;
    this.#downSince = Date.now();
    this.log(`lost the store at ${this.location} (${reasonOf(error)}); pausing: nothing recorded is lost, and work resumes when it is back`);
  }

  ok(): void {
    if (this.#downSince === undefined) return;
    const seconds = ((Date.now() - this.#downSince) / 1000).toFixed(1);
    this.#downSince = undefined;
    this.log(`the store at ${this.location} is back after ${seconds} s; resuming`);
  }
}

export async function runQueueWorker(engine: Engine, queue: WorkQueue, options: QueueWorkerOptions = {}): Promise<QueueWorkerResult> {
  const { store, runner } = engine;
  const concurrency = options.concurrency ?? 8;
  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const log = options.log ?? (() => {});
  const health = new StoreHealth(store.location, log);
  const onStoreError = (error: unknown) => (isUnavailable(error) ? health.failed(error) : log(messageOf(error)));
  const active = new Map<string, RunContext>();
  /** Where this worker's last run of a workflow left it: not worth a job until its log moves on. */
  const settled = new Map<string, number>();
  const result: QueueWorkerResult = { runs: 0, handedBack: 0 };
  let draining = false;

  // Swapped in for this worker's lifetime (the engine wires them once, at creation): limits
  // shared with all workers, and agents that stop at a step boundary when draining.
  const original = { limiter: engine.limiter, executorLimiter: engine.executor.limiter, agentFor: engine.executor.agentFor };
  if (options.slots !== undefined) {
    const shared = new DistributedLimiter(options.slots, engine.agents.limits(), { owner: runner.owner, signalOf: currentRunSignal, onError: onStoreError });
    engine.limiter = shared;
    engine.executor.limiter = shared;
  }
  engine.executor.agentFor = gateAgents(original.agentFor, (id) => active.get(id), () => draining);
  // With thousands of runs queued for a provider slot, a lease look-up for each every few seconds
  // is most of the store's traffic: a queued run is looked at once, when it gets its slot.
  const slotted = engine.executor.limiter;
  engine.executor.limiter = new Proxy(slotted, {
    get(target, property) {
      if (property !== 'run') {
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return <T>(provider: string, fn: () => Promise<T>): Promise<T> => {
        const ctx = runContext.getStore();
        if (ctx === undefined) return target.run(provider, fn);
        ctx.slotWaits += 1;
        let queued = true;
        const leave = () => {
          if (queued) ctx.slotWaits -= 1;
          queued = false;
        };
        return target
          .run(provider, async () => {
            leave();
            await watchLease(ctx);
            ctx.controller.signal.throwIfAborted();
            return fn();
          })
          .finally(leave);
      };
    },
  });

  const liveElsewhere = (holder: { owner: string; expiresAt: string }, now: number): boolean => heldElsewhere(holder, runner.owner, now, leaseOwnerIsDead);
  /**
   * Leases seen held by another live worker, not looked up again for a while (the workflow's log
   * unchanged): with thousands of workflows driven by other workers, a lookup of each one at every
   * sweep is most of a sweep's cost. A lease given back without a change to the log (rare: a
   * stopped run hands its workflow back through the queue) is noticed within LEASE_RECHECK_SWEEPS sweeps.
   */
  const leasesSeen = new Map<string, { holder: { owner: string; expiresAt: string }; lastSeq: number; until: number }>();
  const seenLately = (wf: WorkflowSummary, now: number): boolean => {
    const seen = leasesSeen.get(wf.id);
    return seen !== undefined && seen.lastSeq === wf.lastSeq && now < seen.until;
  };
  /** Whether another live worker drives `wf`, from its holder (looked up if not seen lately). */
  const drivenElsewhere = (wf: WorkflowSummary, now: number, holders: ReadonlyMap<string, { owner: string; expiresAt: string }>): boolean => {
    const seen = leasesSeen.get(wf.id);
    if (seen !== undefined && seenLately(wf, now)) return liveElsewhere(seen.holder, now);
    const holder = holders.get(wf.id);
    if (holder === undefined || !liveElsewhere(holder, now)) {
      leasesSeen.delete(wf.id);
      return false;
    }
    const recheck = now + LEASE_RECHECK_SWEEPS * (options.sweepIntervalMs ?? DEFAULT_SWEEP_MS);
    leasesSeen.set(wf.id, { holder, lastSeq: wf.lastSeq, until: Math.min(Date.parse(holder.expiresAt), recheck) });
    return true;
  };
  const wakes = new WakeSweep(store, runner.waits);
  const scan = new RunnableScan(store, () => engine.clock.nowMs(), options.pageSize === undefined ? {} : { pageSize: options.pageSize });

  /** Enqueues what nobody drives and no job waits for; returns how many workflows are runnable at all. */
  const sweep = async (): Promise<number> => {
    const queued = await queue.queued();
    const seen = new Set<string>();
    // Lease times are the store's clock (the database's, for PostgreSQL: create-engine.ts).
    await engine.clock.sync?.();
    const now = engine.clock.nowMs();
    let runnable = 0;
    const enqueued = new Set<string>();
    const candidate = (wf: WorkflowSummary, timed: boolean): boolean =>
      !active.has(wf.id) &&
      !queued.has(wf.id) &&
      !enqueued.has(wf.id) &&
      // Where this worker's last run left it, unless a timed wait there is over now.
      (timed || settled.get(wf.id) !== wf.lastSeq);
    /** Enqueues the workflows of `page` nobody drives, their leases looked up in one store call. */
    const wakePage = async (page: WorkflowSummary[], timed: boolean): Promise<void> => {
      const candidates = page.filter((wf) => candidate(wf, timed));
      const unseen = candidates.filter((wf) => !seenLately(wf, now)).map((wf) => wf.id);
      const holders = unseen.length === 0 ? new Map<string, { owner: string; expiresAt: string }>() : await store.leaseHolders(unseen);
      const free = candidates.filter((wf) => !drivenElsewhere(wf, now, holders));
      // A few at once: each enqueue is a round trip, and 100,000 one after another would take a
      // sweep minutes while the connection pool sits idle.
      for (let i = 0; i < free.length; i += SWEEP_PARALLEL) {
        await Promise.all(
          free.slice(i, i + SWEEP_PARALLEL).map(async (wf) => {
            if (enqueued.has(wf.id)) return;
            enqueued.add(wf.id);
            await queue.enqueue(wf.id);
          }),
        );
      }
    };
    // Only what changed since the last sweep is read (runnable-scan.ts); the rows kept are the runnable ones.
    const changed = await scan.refresh();
    const rows = [...scan.rows];
    for (const wf of rows) seen.add(wf.id);
    runnable = rows.length;
    for (let i = 0; i < rows.length; i += SWEEP_PAGE) await wakePage(rows.slice(i, i + SWEEP_PAGE), false);
    const due = await wakes.due(changed);
    for (const wf of due) seen.add(wf.id);
    for (let i = 0; i < due.length; i += SWEEP_PAGE) await wakePage(due.slice(i, i + SWEEP_PAGE), true);
    for (const id of settled.keys()) if (!seen.has(id)) settled.delete(id);
    for (const id of leasesSeen.keys()) if (!seen.has(id)) leasesSeen.delete(id);
    return runnable;
  };

  const sweeper = (async () => {
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_MS;
    while (!signal.aborted) {
      try {
        const runnable = await sweep();
        health.ok();
        if (options.untilIdle && runnable === 0 && active.size === 0) {
          log('nothing left to run');
          idle.abort();
        }
      } catch (error) {
        onStoreError(error);
      }
      await sleep(interval * (0.75 + Math.random() / 2), undefined, { signal }).catch(() => undefined);
    }
  })();

  /** Takes the lease with the runner's owner, so the runner's own acquire succeeds at once. */
  const mayDrive = async (workflowId: string): Promise<boolean> => {
    if (await store.acquireLease(workflowId, runner.owner, runner.leaseTtlMs, engine.clock.now())) return true;
    const holder = await store.leaseHolder(workflowId);
    // A dead local owner's lease: the runner takes it over at once.
    return holder !== undefined && !liveElsewhere(holder, engine.clock.nowMs());
  };

  const watchLease = async (ctx: RunContext): Promise<void> => {
    // Queued for a slot, a run does nothing a lost lease would spoil; it looks once it has a slot.
    if (ctx.slotWaits > 0) return;
    const holder = await store.leaseHolder(ctx.workflowId).catch(() => undefined);
    if (holder === undefined || !liveElsewhere(holder, engine.clock.nowMs()) || ctx.controller.signal.aborted) return;
    log(`${ctx.workflowId}: worker ${holder.owner} took over its lease; this worker stops driving it`);
    stopRun(ctx, 'lease');
  };

  const stopped = async (ctx: RunContext): Promise<void> => {
    if (ctx.stop !== 'drain') return;
    result.handedBack += 1;
    await queue.enqueue(ctx.workflowId).catch(onStoreError);
    log(`${ctx.workflowId}: stopped after its current step and handed back to the queue`);
  };

  const drive = async (workflowId: string): Promise<void> => {
    // Already driven here: the local run sees every change.
    if (active.has(workflowId)) return;
    // Claimed in the last batch before the shutdown: give it straight back.
    if (draining) return void (await queue.enqueue(workflowId).catch(onStoreError));
    // Reserved before the first await, so a second job for it in this process stops above.
    const ctx: RunContext = { workflowId, controller: new AbortController(), calls: 0, slotWaits: 0 };
    active.set(workflowId, ctx);
    let watchdog: NodeJS.Timeout | undefined;
    try {
      if (!(await mayDrive(workflowId))) return;
      watchdog = setInterval(() => void watchLease(ctx), options.leaseCheckMs ?? 5000);
      watchdog.unref();
      const outcome = await runContext.run(ctx, () => runner.run(workflowId, { signal: ctx.controller.signal }));
      health.ok();
      // Stopped between steps; a stop that came after the run had already ended changes nothing.
      if (ctx.stop !== undefined && outcome.waitingFor === 'interrupted') return await stopped(ctx);
      settled.set(workflowId, outcome.state.seq);
      result.runs += 1;
      options.onOutcome?.(outcome);
    } catch (error) {
      settled.delete(workflowId);
      if (ctx.stop !== undefined) return await stopped(ctx);
      if (isConvergeError(error) && error.code === 'WORKFLOW_NOT_FOUND') return;
      // The sweeper enqueues it again once the store answers.
      if (isUnavailable(error)) return health.failed(error);
      options.onError?.(workflowId, error);
      throw error;
    } finally {
      clearInterval(watchdog);
      active.delete(workflowId);
    }
  };

  let drainTimer: NodeJS.Timeout | undefined;
  const drain = (): void => {
    draining = true;
    const drainMs = options.drainMs ?? 30_000;
    const calling = [...active.values()].filter((ctx) => ctx.calls > 0).length;
    if (active.size === 0) log('stopping');
    else log(`stopping: claiming no new workflows; ${active.size} run(s) (${calling} in an agent call) finish their current step, for at most ${Math.round(drainMs / 1000)} s`);
    drainTimer = setTimeout(() => {
      for (const ctx of active.values()) stopRun(ctx, 'drain');
    }, drainMs);
    drainTimer.unref();
  };
  if (signal.aborted) drain();
  else signal.addEventListener('abort', drain, { once: true });

  try {
    await queue.work(drive, { concurrency, signal, paused: () => health.down, onError: onStoreError });
    await sweeper;
  } finally {
    clearTimeout(drainTimer);
    signal.removeEventListener('abort', drain);
    engine.limiter = original.limiter;
    engine.executor.limiter = original.executorLimiter;
    engine.executor.agentFor = original.agentFor;
  }
  return result;
}
