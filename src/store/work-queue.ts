/**
 * The scale-out contract of a store that can dispatch work to other machines
 * (`capabilities.distributedQueue`): a queue of wake-up calls for workflows, and provider slots
 * that cap concurrent agent calls across every worker. `postgres/` implements both (pg-boss and
 * one table); the engine sees only these interfaces.
 *
 * A job only says "look at workflow X". Who may drive X is decided by the store's lease, and
 * what counts is decided by the log's sequence fence, so a duplicate, late or retried job is
 * harmless: at worst a worker looks, finds nothing to do, and completes the job.
 */
import type { ConvergeError } from '../core/errors.js';

export interface WorkQueueOptions {
  /** Jobs handled at once by this process. */
  concurrency: number;
  /** Aborting it stops claiming; `work` then waits for the handlers in flight and returns. */
  signal: AbortSignal;
  /** Claims nothing while this returns true (e.g. while the store is unreachable). */
  paused?: () => boolean;
  /** Errors of the queue's own background work (polling, maintenance), already mapped. */
  onError?: (error: ConvergeError) => void;
}

export interface WorkQueue {
  /**
   * Asks some worker to look at the workflow. At most one job per workflow waits in the queue:
   * enqueueing one that is already queued does nothing. Throws STORE_UNAVAILABLE when the
   * queue cannot be reached.
   */
  enqueue(workflowId: string): Promise<void>;
  /**
   * The workflows that have a job waiting to be claimed (including one waiting to be retried).
   * Jobs being handled are not listed: whether their handler is alive is the lease's to say.
   */
  queued(): Promise<Set<string>>;
  /**
   * Claims jobs and calls `handler` for each, at most `concurrency` at once. A handler that
   * returns completes its job; one that throws fails it, and the queue retries it later with
   * backoff. Resolves once `signal` is aborted and every handler it started has settled.
   */
  work(handler: (workflowId: string) => Promise<void>, options: WorkQueueOptions): Promise<void>;
  /**
   * Stops claiming and releases the queue's connections. With `graceful`, first waits for the
   * handlers of a running `work` to settle. Idempotent.
   */
  stop(graceful: boolean): Promise<void>;
}

/**
 * Numbered slots per provider, shared by every worker: holding one is the right to make one
 * call. A slot is held until released or until its expiry passes, so the slot of a worker that
 * died frees itself. Times are the database's, so clocks of different machines do not matter.
 */
export interface ProviderSlots {
  /** Takes a free slot numbered below `limit` for `holder`; undefined when all are taken. */
  tryClaim(provider: string, limit: number, holder: string, ttlMs: number): Promise<number | undefined>;
  /** Extends a held slot; false when it expired and someone else took it. */
  renew(provider: string, slot: number, holder: string, ttlMs: number): Promise<boolean>;
  /** Frees the slot if `holder` still holds it. */
  release(provider: string, slot: number, holder: string): Promise<void>;
  /** Slots held right now across all workers, for diagnostics. */
  inUse(provider: string): Promise<number>;
}

/** What a distributed worker needs from its store; `close` releases both. */
export interface ScaleOut {
  queue: WorkQueue;
  slots: ProviderSlots;
  /** Where the queue lives, for log lines (never a password). */
  location: string;
  /** What opening it made sure exists, one line each, for `converge migrate`. */
  parts: readonly string[];
  close(): Promise<void>;
}
