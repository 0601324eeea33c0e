/**
 * Rules every Store applies the same way, kept apart from any database so that
 * the conformance suite can hold all implementations to one behaviour.
 */
import { crc32 } from 'node:zlib';
import { isConvergeError } from '../core/errors.js';
import type { WorkflowEvent } from '../core/events.js';
import { invalidTime, storeDamaged } from './store-error.js';

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

/** What is wrong with a damaged workflow's log, kept on its index row so lists can show it. */
export interface LogDamage {
  /** The first event that is missing or unreadable. */
  seq: number;
  reason: string;
}

/**
 * The checksum stored beside each event body: CRC-32 of the body as stored (its UTF-8 text, or the
 * compressed bytes), as a signed 32-bit integer so every database's plain INTEGER holds it. It
 * catches damage (a flipped byte, a cut row), not tampering: the audit chain is for that.
 */
export function bodyChecksum(body: string | Uint8Array): number {
  return crc32(body) | 0;
}

/** One stored event as a store reads it back; `checksum` is null for rows written before checksums were kept. */
export interface StoredEventRow<B> {
  seq: number;
  body: B;
  checksum: number | null;
}

/**
 * A workflow's events as read from its rows, checked on the way, the same way by every store:
 * - the seqs run on from `afterSeq` without a gap, up to at least `lastSeq` (the index row's, read
 *   in the same statement or before the rows, so a racing append can only add rows);
 * - each body matches its checksum (rows from before checksums are not verified);
 * - each body decodes to an event with a type and a time.
 * The first failure throws STORE_DAMAGED naming the workflow and the seq; the events before it are
 * in `details.readable`, so a reader can show what is still there. Kept as one plain loop so that
 * it can be made faster later without changing what it accepts.
 */
export function checkedEvents<B>(
  workflowId: string,
  afterSeq: number,
  lastSeq: number,
  rows: readonly StoredEventRow<B>[],
  bytesOf: (body: B) => string | Uint8Array,
  decode: (row: StoredEventRow<B>) => WorkflowEvent,
): WorkflowEvent[] {
  const events: WorkflowEvent[] = [];
  let expected = afterSeq + 1;
  for (const row of rows) {
    if (row.seq !== expected) {
      const missing = row.seq > expected ? `events ${expected}–${row.seq - 1} are missing` : `event ${row.seq} appears twice`;
      throw storeDamaged(workflowId, expected, row.seq > expected && row.seq - expected === 1 ? `event ${expected} is missing` : missing, events);
    }
    if (row.checksum !== null && bodyChecksum(bytesOf(row.body)) !== row.checksum) {
      throw storeDamaged(workflowId, row.seq, `the body of event ${row.seq} does not match its checksum`, events);
    }
    let event: WorkflowEvent;
    try {
      event = decode(row);
    } catch (error) {
      // A body from a newer Converge is not damage: its own error says to upgrade.
      if (isConvergeError(error) && error.code === 'STORE_TOO_NEW') throw error;
      throw storeDamaged(workflowId, row.seq, `the body of event ${row.seq} does not decode`, events, error);
    }
    const shape = event as { type?: unknown; at?: unknown } | null;
    if (typeof shape !== 'object' || shape === null || typeof shape.type !== 'string' || typeof shape.at !== 'string') {
      throw storeDamaged(workflowId, row.seq, `the body of event ${row.seq} is not an event`, events);
    }
    events.push(event);
    expected += 1;
  }
  if (expected <= lastSeq) {
    const reason = expected === lastSeq ? `event ${expected} is missing` : `events ${expected}–${lastSeq} are missing`;
    throw storeDamaged(workflowId, expected, `${reason} (the log ends before the index row's last event ${lastSeq})`, events);
  }
  return events;
}
