/**
 * One poll for all the workflows a runner is executing: did someone cancel one of them from
 * another process? A per-workflow poll would cost a query per workflow per tick and a timer per
 * waiting workflow; this costs one indexed query per tick, however many workflows are in flight.
 */
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';

/** Cancels are looked up this far back, to tolerate clocks that disagree between machines. */
const CLOCK_SLACK_MS = 5 * 60_000;

export interface Watched {
  /** Aborts when the workflow is cancelled elsewhere or the outer signal aborts. */
  readonly signal: AbortSignal;
  readonly cancelled: () => boolean;
  stop(): void;
}

interface Entry {
  controller: AbortController;
  cancelled: boolean;
}

export class CancelWatch {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #everyMs: number;
  readonly #watched = new Map<string, Entry>();
  /**
   * Entries per outer signal, with one abort listener per signal: a worker passes the same
   * signal to a thousand runs, and a listener each would trip Node's leak warning.
   */
  readonly #byOuter = new Map<AbortSignal, { entries: Set<Entry>; onAbort: () => void }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store, clock: Clock, everyMs = 500) {
    this.#store = store;
    this.#clock = clock;
    this.#everyMs = everyMs;
  }

  watch(workflowId: string, outer?: AbortSignal): Watched {
    const entry: Entry = { controller: new AbortController(), cancelled: false };
    this.#watched.set(workflowId, entry);
    if (outer?.aborted) entry.controller.abort(outer.reason);
    else if (outer !== undefined) this.#follow(outer, entry);
    this.#timer ??= setInterval(() => void this.#poll(), this.#everyMs).unref();
    return {
      signal: entry.controller.signal,
      cancelled: () => entry.cancelled,
      stop: () => {
        if (outer !== undefined) this.#unfollow(outer, entry);
        if (this.#watched.get(workflowId) === entry) this.#watched.delete(workflowId);
        if (this.#watched.size === 0 && this.#timer !== undefined) {
          clearInterval(this.#timer);
          this.#timer = undefined;
        }
      },
    };
  }

  #follow(outer: AbortSignal, entry: Entry): void {
    let followers = this.#byOuter.get(outer);
    if (followers === undefined) {
      const entries = new Set<Entry>();
      const onAbort = () => {
        this.#byOuter.delete(outer);
        for (const e of entries) e.controller.abort(outer.reason);
      };
      followers = { entries, onAbort };
      this.#byOuter.set(outer, followers);
      outer.addEventListener('abort', onAbort, { once: true });
    }
    followers.entries.add(entry);
  }

  /** Forgets an entry; the last one of a signal also takes the listener off it (a run's own signal would leak otherwise). */
  #unfollow(outer: AbortSignal, entry: Entry): void {
    const followers = this.#byOuter.get(outer);
    if (followers === undefined) return;
    followers.entries.delete(entry);
    if (followers.entries.size === 0) {
      outer.removeEventListener('abort', followers.onAbort);
      this.#byOuter.delete(outer);
    }
  }

  async #poll(): Promise<void> {
    if (this.#watched.size === 0) return;
    // The cancel was stamped by its writer's clock, which may be the system's or the engine's.
    const since = new Date(Math.min(this.#clock.nowMs(), Date.now()) - CLOCK_SLACK_MS).toISOString();
    const cancelled = await this.#store.listWorkflows({ status: ['cancelled'], updatedSince: since }).catch(() => []);
    for (const workflow of cancelled) {
      const entry = this.#watched.get(workflow.id);
      if (entry === undefined || entry.cancelled) continue;
      entry.cancelled = true;
      entry.controller.abort(new Error(`Workflow ${workflow.id} was cancelled.`));
    }
  }
}
