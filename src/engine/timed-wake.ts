/**
 * Finds the workflows whose timed wait is over (a gate's timeout, a retry's backoff), whether or
 * not a runner holds them: a gate set to reject after 24 h must be rejected by whichever worker
 * looks, even when the process that opened it is long gone. Workers read the index rows that carry
 * `wakeAt` (the `waking` filter) and drive each one that is due; the runner then fires the timeout
 * or starts the retry as it always does.
 *
 * A row's wait is judged as the runner judges it (timed-waits.ts): by its recorded duration from
 * the event it counts from, fixed on this process's monotonic clock at first sight. So a worker
 * whose clock is set back does not wait longer than the recorded duration either. Judging it needs
 * the workflow's state once per wait, not once per look.
 */
import { decide } from '../core/decide.js';
import type { WorkflowState } from '../core/state.js';
import type { Store, WorkflowSummary } from '../store/store.js';
import { gateWait, retryWait } from './timed-waits.js';
import type { TimedWait, TimedWaits } from './timed-waits.js';
import { keysetPages } from './runnable-scan.js';
import { loadState } from './workflow-log.js';

const PAGE = 500;

/** The timed wait a workflow's state is in, as the runner would see it. */
export function timedWaitOf(state: WorkflowState): TimedWait | undefined {
  const gate = gateWait(state);
  if (gate !== undefined) return gate;
  const decision = state.gate === null ? decide(state.definition, state) : null;
  return decision === null ? undefined : retryWait(state, decision);
}

export class WakeSweep {
  readonly #store: Store;
  readonly #waits: TimedWaits;
  /** Per index row's wait (`id@wakeAt`): the wait its state is in, or null when it is in none. */
  readonly #seen = new Map<string, TimedWait | null>();
  /** The waking rows as last read, each with its wait. */
  #rows: { row: WorkflowSummary; wait: TimedWait | null }[] | undefined;

  /** `waits`: the runner's, so that a wait this sweep saw start ends at the same moment for the runner. */
  constructor(store: Store, waits: TimedWaits) {
    this.#store = store;
    this.#waits = waits;
  }

  /**
   * The index rows of workflows whose timed wait is over now; damaged ones are left out. With
   * `changed` false (the caller saw the store's change marker unmoved since the last call), the
   * rows read last time are judged again without reading them.
   */
  async due(changed = true): Promise<WorkflowSummary[]> {
    if (changed || this.#rows === undefined) this.#rows = await this.#read();
    const due: WorkflowSummary[] = [];
    for (const { row, wait } of this.#rows) if (wait !== null && this.#waits.remaining(wait) === 0) due.push(row);
    return due;
  }

  async #read(): Promise<{ row: WorkflowSummary; wait: TimedWait | null }[]> {
    const rows: { row: WorkflowSummary; wait: TimedWait | null }[] = [];
    const current = new Set<string>();
    for await (const page of keysetPages(this.#store, { waking: true }, PAGE)) {
      for (const row of page) {
        if (row.damage !== undefined || row.wakeAt === undefined || row.wakeAt === null) continue;
        const key = `${row.id}@${row.wakeAt}`;
        current.add(key);
        rows.push({ row, wait: await this.#waitOf(key, row.id) });
      }
    }
    // Rows that no longer wait (fired, answered, pruned) are forgotten, so this holds one entry per waiting row.
    for (const key of this.#seen.keys()) if (!current.has(key)) this.#seen.delete(key);
    return rows;
  }

  async #waitOf(key: string, workflowId: string): Promise<TimedWait | null> {
    const known = this.#seen.get(key);
    if (known !== undefined) return known;
    let wait: TimedWait | null;
    try {
      wait = timedWaitOf(await loadState(this.#store, workflowId)) ?? null;
    } catch {
      // Damaged (the store marks it) or gone since the list: nothing to wake.
      wait = null;
    }
    this.#seen.set(key, wait);
    return wait;
  }
}

/** Whether a live process other than `owner` holds the workflow's lease (driving it would only wait). */
export function heldElsewhere(holder: { owner: string; expiresAt: string } | undefined, owner: string, nowMs: number, isDead: (owner: string) => boolean): boolean {
  return holder !== undefined && holder.owner !== owner && Date.parse(holder.expiresAt) > nowMs && !isDead(holder.owner);
}
