/**
 * Time for the engine. The core never reads a clock; the engine stamps events with this.
 * A test passes its own clock (set back, or moved by `sleep`) to see how the engine judges waits.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  now(): string;
  nowMs(): number;
  /**
   * Milliseconds on a clock that only moves forward (a monotonic one), for how long something has
   * waited; setting the wall clock back does not move it. Default: `performance.now()`.
   */
  elapsedMs?(): number;
  /** Waits `ms`, ending early when `signal` aborts; a test clock moves its own time instead. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /** Catches up with a shared clock (the database's); cheap when it did so recently. */
  sync?(): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date().toISOString(),
  nowMs: () => Date.now(),
  elapsedMs: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined),
};

export function elapsedMs(clock: Clock): number {
  return clock.elapsedMs?.() ?? performance.now();
}

/** Sleeps on `clock` (resolving, never rejecting, when `signal` aborts). */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return (clock.sleep ?? systemClock.sleep!)(ms, signal);
}

/** How often a clock that follows the database's re-reads it: clocks drift by milliseconds per hour. */
const RESYNC_MS = 60_000;

/**
 * This machine's clock moved onto a shared one (the database's, for stores that several machines
 * share): `now()` is the local time plus the offset measured at the last `sync()`, half a round
 * trip of error at most. Events, leases and waits are then judged by one clock across machines.
 * Before the first sync the offset is 0, so a caller that cares syncs first (the runner does).
 */
export function followingClock(read: () => Promise<string>, base: Clock = systemClock): Clock {
  let offsetMs = 0;
  let syncedAt = -Infinity;
  const nowMs = () => base.nowMs() + offsetMs;
  return {
    now: () => new Date(nowMs()).toISOString(),
    nowMs,
    elapsedMs: () => elapsedMs(base),
    sleep: (ms, signal) => sleepOn(base, ms, signal),
    async sync() {
      if (elapsedMs(base) - syncedAt < RESYNC_MS) return;
      const before = base.nowMs();
      const shared = Date.parse(await read());
      const after = base.nowMs();
      if (Number.isNaN(shared)) return;
      offsetMs = shared - (before + after) / 2;
      syncedAt = elapsedMs(base);
    },
  };
}
