/**
 * The runnable workflows of a store (running, waiting for nobody, not damaged), kept current
 * without re-reading every row at every look. Workers poll this; with 100,000 workflows parked
 * at a gate or in a provider's queue, a poll must not cost 100,000 rows.
 *
 * - Nothing changed (the store's change marker is the same): nothing is read.
 * - Something changed: only the rows updated since the previous look began are read (less a
 *   margin for a commit that took its time or a writer whose clock is a little behind).
 * - Now and then (and at the first look) every running row is read again, so that a row missed
 *   by the rule above (a writer far behind in time) is found anyway.
 *
 * Rows are read a page at a time by keyset on `updated_at`, never by OFFSET over the whole set,
 * so a page costs the same deep in the set as at its start, and rows that move while the pages
 * are read are neither skipped nor lost (a row that moves gets a new `updated_at`, above every
 * page already read, and the marker makes the next look read it).
 */
import type { Store, WorkflowFilter, WorkflowSummary } from '../store/store.js';

/** Rows per read; the worker's `pageSize` option. */
export const DEFAULT_PAGE_SIZE = 1000;
/** How often every running row is read again. */
const FULL_SCAN_MS = 60_000;
/** How far before the previous look's start a look reads again. */
const MARGIN_MS = 2000;

export interface RunnableScanOptions {
  pageSize?: number;
  fullScanMs?: number;
}

/** Whether a worker may drive the workflow of this index row. */
export function isRunnableRow(row: WorkflowSummary): boolean {
  return row.status === 'running' && row.waitingFor === null && row.damage === undefined;
}

/**
 * Every row matching `filter`, newest first (`updated_at DESC, id`, the stores' order), a page
 * at a time. Each page starts strictly below the previous page's last `updated_at`; the rows
 * that share that last value, which the limit may have cut, are read as a group first (ties are
 * few: rows written in the same millisecond).
 */
export async function* keysetPages(store: Store, filter: WorkflowFilter, pageSize: number): AsyncGenerator<WorkflowSummary[]> {
  let before = filter.updatedBefore;
  for (;;) {
    const bound = before === undefined ? {} : { updatedBefore: before };
    const page = await store.listWorkflows({ ...filter, ...bound, limit: pageSize, offset: 0 });
    if (page.length < pageSize) {
      if (page.length > 0) yield page;
      return;
    }
    const edge = page[page.length - 1]!.updatedAt;
    const above = page.filter((row) => row.updatedAt !== edge);
    // The rows at `edge` come after the `above.length` newer ones, in id order.
    const ties = (await store.listWorkflows({ ...filter, ...bound, updatedSince: edge, offset: above.length })).filter((row) => row.updatedAt === edge);
    const ids = new Set(above.map((row) => row.id));
    yield [...above, ...ties.filter((row) => !ids.has(row.id))];
    before = edge;
  }
}

export class RunnableScan {
  readonly #store: Store;
  readonly #nowMs: () => number;
  readonly #pageSize: number;
  readonly #fullScanMs: number;
  readonly #runnable = new Map<string, WorkflowSummary>();
  #marker: string | undefined;
  /** When the previous look began, on the store's clock; undefined before the first full read. */
  #lookedAt: number | undefined;
  #fullAt = Number.NEGATIVE_INFINITY;

  constructor(store: Store, nowMs: () => number, options: RunnableScanOptions = {}) {
    this.#store = store;
    this.#nowMs = nowMs;
    this.#pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE);
    this.#fullScanMs = options.fullScanMs ?? FULL_SCAN_MS;
  }

  /** The runnable rows as of the latest `refresh`, newest change first within each look. */
  get rows(): IterableIterator<WorkflowSummary> {
    return this.#runnable.values();
  }

  get size(): number {
    return this.#runnable.size;
  }

  /** Forgets a row (a worker took it); a later change of its log brings it back. */
  forget(workflowId: string): void {
    this.#runnable.delete(workflowId);
  }

  /** Brings the rows up to date; false when the store had not changed, so nothing was read. */
  async refresh(): Promise<boolean> {
    // Read before the rows: a change committed during the read moves the marker past this value.
    const marker = await this.#store.changeMarker();
    // Rows carry their writer's time, which may be the system's or the engine's (a test's, the
    // database's): a look reads from the earlier of both. Full reads go by elapsed real time.
    const now = Math.min(this.#nowMs(), Date.now());
    const elapsed = performance.now();
    const full = this.#lookedAt === undefined || elapsed - this.#fullAt >= this.#fullScanMs;
    if (!full && marker === this.#marker) return false;
    if (full) {
      const found = new Map<string, WorkflowSummary>();
      for await (const page of keysetPages(this.#store, { status: ['running'] }, this.#pageSize)) {
        for (const row of page) if (isRunnableRow(row)) found.set(row.id, row);
      }
      this.#runnable.clear();
      for (const [id, row] of found) this.#runnable.set(id, row);
      this.#fullAt = elapsed;
    } else {
      const since = new Date(this.#lookedAt! - MARGIN_MS).toISOString();
      for await (const page of keysetPages(this.#store, { updatedSince: since }, this.#pageSize)) {
        for (const row of page) {
          if (isRunnableRow(row)) this.#runnable.set(row.id, row);
          else this.#runnable.delete(row.id);
        }
      }
    }
    this.#marker = marker;
    this.#lookedAt = now;
    return true;
  }
}
