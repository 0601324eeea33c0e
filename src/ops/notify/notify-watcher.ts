/**
 * Finds what to notify without touching any workflow's path: it polls the store's change marker,
 * reads the workflows updated since its last look (whoever wrote them: this process, a CLI
 * approval, a worker on another machine, a process that crashed before it could notify), derives
 * their occurrences and puts them in the outbox, where ids make repeats harmless. While some
 * target wants reminders it also looks at every waiting workflow from time to time, as it does on
 * its first look.
 */
import type { Store } from '../../store/store.js';
import { loadState } from '../../engine/workflow-log.js';
import type { Logger } from '../logger.js';
import type { NamedTarget } from './notify-targets.js';
import { occurrencesOf } from './notify-occurrences.js';
import { entriesFor } from './notify-payload.js';
import type { Outbox } from './outbox.js';

export interface WatcherOptions {
  store: Store;
  outbox: Outbox;
  targets: readonly NamedTarget[];
  log: Logger;
  /** The dashboard's address for links, when known (public_url, else serve's own URL). */
  linkBase?: () => string | undefined;
  now?: () => number;
  /** How far back the first look goes, for what happened while no notifier ran (default 1 h). */
  lookbackMs?: number;
  /** How often waiting workflows are looked at for reminders (default 15 s). */
  reminderScanMs?: number;
}

/** Other processes stamp events with their own clocks: look this far behind the last look. */
const CLOCK_SLACK_MS = 120_000;
const LIST_LIMIT = 1000;

export class NotifyWatcher {
  readonly #o: WatcherOptions;
  readonly #reminders: boolean;
  #marker: string | undefined;
  #since: string | undefined;
  #seen = new Map<string, number>();
  #lastReminderScan = 0;

  constructor(options: WatcherOptions) {
    this.#o = options;
    this.#reminders = options.targets.some((t) => t.target.remind_every !== undefined);
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** One look; returns how many outbox rows were new. */
  async scan(): Promise<number> {
    const now = this.#now();
    const marker = await this.#o.store.changeMarker();
    // The first look takes in every waiting workflow, however long ago it began to wait.
    const reminderScan = this.#marker === undefined || (this.#reminders && now - this.#lastReminderScan >= (this.#o.reminderScanMs ?? 15_000));
    if (marker === this.#marker && !reminderScan) return 0;
    const since = this.#since ?? new Date(now - (this.#o.lookbackMs ?? 3_600_000)).toISOString();
    const changed = marker === this.#marker ? [] : await this.#o.store.listWorkflows({ updatedSince: since, limit: LIST_LIMIT });
    const waiting = reminderScan ? await this.#o.store.listWorkflows({ status: ['waiting_for_human'], limit: LIST_LIMIT }) : [];
    // Only what may still change within the window is remembered; the window moves on each look.
    const seen = marker === this.#marker ? new Map(this.#seen) : new Map<string, number>();
    const reminding = new Set(waiting.map((w) => w.id));
    const looked = new Set<string>();
    let added = 0;
    for (const summary of [...changed, ...waiting]) {
      if (looked.has(summary.id)) continue;
      looked.add(summary.id);
      if (this.#seen.get(summary.id) === summary.lastSeq && !reminding.has(summary.id)) {
        seen.set(summary.id, summary.lastSeq);
        continue;
      }
      try {
        added += await this.#enqueue(summary.id, now);
        seen.set(summary.id, summary.lastSeq);
      } catch (error) {
        // A damaged or vanished log is reported by the commands that read it; notifications go on for the rest.
        this.#o.log.warn({ workflow: summary.id, err: error instanceof Error ? error.message : String(error) }, 'notifications: could not read the workflow');
      }
    }
    this.#seen = seen;
    this.#marker = marker;
    this.#since = new Date(now - CLOCK_SLACK_MS).toISOString();
    if (reminderScan) this.#lastReminderScan = now;
    return added;
  }

  async #enqueue(workflowId: string, now: number): Promise<number> {
    const state = await loadState(this.#o.store, workflowId);
    const entries = entriesFor(state, occurrencesOf(state), this.#o.targets, { now: new Date(now).toISOString(), linkBase: this.#o.linkBase?.() });
    if (entries.length === 0) return 0;
    // Building a payload is cheap, but skipping known ids keeps the insert small on a busy store.
    const known = await this.#o.outbox.existing(entries.map((e) => e.id));
    const fresh = entries.filter((e) => !known.has(e.id));
    return fresh.length === 0 ? 0 : this.#o.outbox.enqueue(fresh);
  }
}
