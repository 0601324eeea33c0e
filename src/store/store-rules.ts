/**
 * Rules every Store applies the same way, kept apart from any database so that
 * the conformance suite can hold all implementations to one behaviour.
 */
import { invalidTime } from './store-error.js';

/** Statuses after which a workflow never changes again; only these are pruned. */
export const FINISHED_STATUSES: readonly string[] = Object.freeze(['completed', 'rejected', 'cancelled', 'failed']);

function parseTime(what: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidTime(what, value);
  return ms;
}

/** When a lease taken at `now` for `ttlMs` ends, as an ISO time. */
export function leaseExpiry(now: string, ttlMs: number): string {
  return new Date(parseTime('lease time', now) + ttlMs).toISOString();
}

/**
 * Whether `owner` may take the lease over its current `holder`. Times are compared as instants,
 * not strings, so `…Z` and `…+00:00` agree; a lease ending exactly at `now` is already free.
 */
export function mayTakeLease(holder: { owner: string; expiresAt: string } | undefined, owner: string, now: string): boolean {
  if (holder === undefined || holder.owner === owner) return true;
  return parseTime('lease expiry', holder.expiresAt) <= parseTime('lease time', now);
}
