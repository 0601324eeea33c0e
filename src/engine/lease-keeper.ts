/**
 * Keeps the leases a runner holds alive with one timer for all of them, instead of one timer per
 * workflow: a thousand workflows waiting for a provider slot then cost a map entry each.
 *
 * The heartbeat runs every ttl/3, so two can be missed (a stalled event loop, a slow store) before
 * the lease lapses. It renews all the leases in one `renewLeases` call (one statement: with ten
 * thousand runs held, one query per lease per heartbeat was most of the database's work), which
 * extends only the leases this owner still holds: a heartbeat in flight when a lease is released,
 * or after another owner took it over, changes nothing for that lease, so a released lease never
 * comes back, and the others are renewed as usual.
 */
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';

/** Below this, heartbeats would be store traffic for nothing: no lease is that short in practice. */
const MIN_HEARTBEAT_MS = 50;

export class LeaseKeeper {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #ttlMs: number;
  /** The heartbeat in flight per lease, awaited before a release so it cannot land after it. */
  readonly #held = new Map<string, Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store, clock: Clock, owner: string, ttlMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#owner = owner;
    this.#ttlMs = ttlMs;
  }

  /** How often the leases are renewed: a third of their lifetime. */
  get heartbeatMs(): number {
    return Math.max(MIN_HEARTBEAT_MS, Math.floor(this.#ttlMs / 3));
  }

  /** Starts renewing a lease the runner has just acquired. */
  keep(workflowId: string): void {
    this.#held.set(workflowId, Promise.resolve());
    this.#timer ??= setInterval(() => this.#renewAll(), this.heartbeatMs).unref();
  }

  /** Stops renewing and gives the lease back, after any renewal still in flight. */
  async release(workflowId: string): Promise<void> {
    const renewal = this.#held.get(workflowId);
    this.#held.delete(workflowId);
    if (this.#held.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    await renewal;
    await this.#store.releaseLease(workflowId, this.#owner).catch(() => undefined);
  }

  #renewAll(): void {
    const ids = [...this.#held.keys()];
    const renewal = this.#store.renewLeases(ids, this.#owner, this.#ttlMs, this.#clock.now()).catch(() => undefined);
    for (const workflowId of ids) this.#held.set(workflowId, renewal);
  }
}
