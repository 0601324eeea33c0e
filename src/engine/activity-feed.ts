/**
 * Live activity of the steps this process runs (what a command agent does, which check runs),
 * passed from the engine's progress listener to whoever watches a workflow now: the HTTP SSE
 * streams of `converge serve`, whose in-process worker runs the steps. Nothing here is recorded
 * (the results are, and the step's trace keeps the transcript); a watcher that connects later
 * sees only what comes after.
 *
 * Rate-limited per workflow: a CLI that streams hundreds of events a second must not flood the
 * streams. Each workflow has a bucket of BURST items refilled at RATE per second; an item over the
 * limit is dropped and counted, and the next one delivered says how many were skipped.
 */
import type { StepProgress, StepProgressListener } from './step-progress.js';

export interface ActivityItem {
  workflow_id: string;
  /** The step's number. */
  step: number;
  action_id: string;
  at: string;
  /** `agent` (what the agent reports doing), `check_started`, `check_finished`. */
  kind: 'agent' | 'check_started' | 'check_finished';
  text: string;
  /** The role whose agent reported it (`agent` items). */
  role?: string;
  /** Items dropped by the rate limit since the last one delivered for this workflow. */
  skipped?: number;
}

export type ActivityWatcher = (item: ActivityItem) => void;

export interface ActivityFeedOptions {
  /** Items per second per workflow once the burst is spent (default 5). */
  ratePerSecond?: number;
  /** Items delivered at once before the rate applies (default 20). */
  burst?: number;
  /** Milliseconds now; the wall clock unless a test brings its own. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  skipped: number;
}

export class ActivityFeed {
  readonly #watchers = new Map<string, Set<ActivityWatcher>>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;

  constructor(options: ActivityFeedOptions = {}) {
    this.#rate = options.ratePerSecond ?? 5;
    this.#burst = options.burst ?? 20;
    this.#now = options.now ?? Date.now;
  }

  /** The engine's `onProgress`. */
  readonly listener: StepProgressListener = (progress) => this.publish(progress);

  publish(progress: StepProgress): void {
    const watchers = this.#watchers.get(progress.workflowId);
    if (watchers === undefined || watchers.size === 0) return;
    const bucket = this.#take(progress.workflowId);
    if (bucket === undefined) return;
    const item = { ...itemOf(progress, new Date(this.#now()).toISOString()), ...(bucket.skipped > 0 ? { skipped: bucket.skipped } : {}) };
    bucket.skipped = 0;
    for (const watcher of watchers) {
      try {
        watcher(item);
      } catch {
        // A watcher that fails (a closed stream) must not stop the others, nor the step.
      }
    }
  }

  /** Calls `watcher` with each item of `workflowId` from now on; returns the function that stops it. */
  watch(workflowId: string, watcher: ActivityWatcher): () => void {
    let set = this.#watchers.get(workflowId);
    if (set === undefined) this.#watchers.set(workflowId, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0) {
        this.#watchers.delete(workflowId);
        this.#buckets.delete(workflowId);
      }
    };
  }

  /** The workflow's bucket with one token taken, or undefined (and one more skipped) when it is empty. */
  #take(workflowId: string): Bucket | undefined {
    const now = this.#now();
    let bucket = this.#buckets.get(workflowId);
    if (bucket === undefined) this.#buckets.set(workflowId, (bucket = { tokens: this.#burst, refilledAt: now, skipped: 0 }));
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.#rate);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) {
      bucket.skipped += 1;
      return undefined;
    }
    bucket.tokens -= 1;
    return bucket;
  }
}

function itemOf(progress: StepProgress, at: string): ActivityItem {
  const ref = { workflow_id: progress.workflowId, step: progress.stepNumber, action_id: progress.actionId, at };
  switch (progress.kind) {
    case 'agent_activity':
      return { ...ref, kind: 'agent', role: progress.role, text: progress.text };
    case 'check_started':
      return { ...ref, kind: 'check_started', text: `check ${progress.check} started (${progress.index + 1}/${progress.total})` };
    case 'check_finished':
      return { ...ref, kind: 'check_finished', text: `check ${progress.check} ${progress.status} in ${(progress.durationMs / 1000).toFixed(1)} s (${progress.index + 1}/${progress.total})` };
  }
}
