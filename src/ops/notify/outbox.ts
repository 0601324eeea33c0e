/**
 * The notification outbox: one row per (occurrence, target), written before anything is sent, so
 * a crash between "the gate opened" and "the webhook answered" loses nothing. Rows are inserted
 * with insert-or-ignore on their idempotency id: every process that sees the same occurrence
 * derives the same id, and the row exists once. A deliverer claims due rows for a while (so two
 * processes never send one row at the same moment), sends, and records the outcome.
 *
 * Secrets never reach a row: a target is stored by name, its URL and signing key are resolved from
 * converge.yaml and the environment when it is sent.
 */
import type { NotifyEvent } from './notify-config.js';

export interface OutboxEntry {
  /** The idempotency id, sent as X-Converge-Delivery; stable for one occurrence and target. */
  id: string;
  /** The target's name in converge.yaml (`targetName`). */
  target: string;
  event: NotifyEvent;
  workflowId: string | null;
  /** The payload as JSON text, exactly the body a webhook gets. */
  payload: string;
  createdAt: string;
  /** Not before this time (default: createdAt). */
  nextAttemptAt?: string;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxRow extends Omit<OutboxEntry, 'nextAttemptAt'> {
  attempts: number;
  nextAttemptAt: string;
  deliveredAt: string | null;
  /** Set when delivery stopped for good (a 4xx, or too many attempts); `lastError` says why. */
  failedAt: string | null;
  lastError: string | null;
  claimedBy: string | null;
  claimExpiresAt: string | null;
}

export function outboxStatus(row: Pick<OutboxRow, 'deliveredAt' | 'failedAt'>): OutboxStatus {
  return row.deliveredAt !== null ? 'delivered' : row.failedAt !== null ? 'failed' : 'pending';
}

/** A row as `notify list --json` and GET /api/notifications show it: no payload, its status derived. */
export function outboxRowView(r: OutboxRow) {
  const status = outboxStatus(r);
  return {
    id: r.id,
    target: r.target,
    event: r.event,
    workflow_id: r.workflowId,
    status,
    attempts: r.attempts,
    created_at: r.createdAt,
    next_attempt_at: status === 'pending' ? r.nextAttemptAt : null,
    delivered_at: r.deliveredAt,
    failed_at: r.failedAt,
    last_error: r.lastError,
  };
}

export interface OutboxClaim {
  owner: string;
  now: string;
  /** The claim lapses then, so a deliverer that died holding rows does not hold them forever. */
  until: string;
  limit: number;
  /** Only rows for these targets: the ones this process can send to. */
  targets: readonly string[];
}

export interface Outbox {
  /** Inserts the entries whose id is new; returns how many were new. */
  enqueue(entries: readonly OutboxEntry[]): Promise<number>;
  /** Which of these ids have a row already (delivered or not). */
  existing(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Claims up to `limit` pending rows that are due and not claimed by someone else (or whose claim
   * lapsed), counts the attempt, and returns them. Two callers never get the same row at once.
   */
  claimDue(claim: OutboxClaim): Promise<OutboxRow[]>;
  /** The row was delivered: it is never sent again. */
  markDelivered(id: string, owner: string, at: string): Promise<void>;
  /**
   * An attempt failed: retry at `retryAt`, or never again when `retryAt` is null. Ignored when the
   * row was delivered meanwhile or another owner holds it.
   */
  markFailed(id: string, owner: string, at: string, error: string, retryAt: string | null): Promise<void>;
  /** The newest rows first, for `converge notify list` and the API. */
  list(options?: { limit?: number; workflowId?: string; status?: OutboxStatus }): Promise<OutboxRow[]>;
}

/** The row's columns, shared by the SQL outboxes. */
export interface OutboxDbRow {
  id: string;
  target: string;
  event: string;
  workflow_id: string | null;
  payload: string;
  created_at: string;
  attempts: number | string;
  next_attempt_at: string;
  delivered_at: string | null;
  failed_at: string | null;
  last_error: string | null;
  claimed_by: string | null;
  claim_expires_at: string | null;
}

export const OUTBOX_COLUMNS = 'id, target, event, workflow_id, payload, created_at, attempts, next_attempt_at, delivered_at, failed_at, last_error, claimed_by, claim_expires_at';

export function fromOutboxRow(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    target: r.target,
    event: r.event as NotifyEvent,
    workflowId: r.workflow_id,
    payload: r.payload,
    createdAt: r.created_at,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    failedAt: r.failed_at,
    lastError: r.last_error,
    claimedBy: r.claimed_by,
    claimExpiresAt: r.claim_expires_at,
  };
}

/** An error text short enough for a row and a log line. */
export function clipError(text: string): string {
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
