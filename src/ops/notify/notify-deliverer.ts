/**
 * Sends what is due in the outbox: claims rows for a while, sends each, records the outcome.
 * Retries back off exponentially with jitter, capped; a 429's Retry-After wins over the schedule.
 * A permanent failure (a 4xx, too many attempts) is recorded with its reason and logged, never
 * retried. Delivery is at least once: a process that dies after the send and before recording it
 * sends again once its claim lapses, with the same X-Converge-Delivery id for the receiver to
 * drop the duplicate.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { NamedTarget } from './notify-targets.js';
import { sendTo } from './notify-send.js';
import type { SendResult } from './notify-send.js';
import { clipError } from './outbox.js';
import type { Outbox, OutboxRow } from './outbox.js';

export interface RetryPolicy {
  /** The first retry's delay; each next one doubles. */
  baseMs: number;
  capMs: number;
  /** Attempts in all before a row is given up. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ baseMs: 2_000, capMs: 15 * 60_000, maxAttempts: 20 });

export interface DelivererOptions {
  outbox: Outbox;
  targets: readonly NamedTarget[];
  log: Logger;
  env?: NodeJS.ProcessEnv;
  retry?: Partial<RetryPolicy>;
  /** Where command targets run. */
  cwd?: string;
  now?: () => number;
  random?: () => number;
  batch?: number;
}

/** The delay before attempt `attempts + 1`: base·2^(attempts−1), capped, ±20 % jitter. */
export function backoffMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const raw = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

export class NotifyDeliverer {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #o: DelivererOptions;
  readonly #byName: Map<string, NamedTarget>;
  readonly #retry: RetryPolicy;
  readonly #claimMs: number;

  constructor(options: DelivererOptions) {
    this.#o = options;
    this.#byName = new Map(options.targets.map((t) => [t.name, t]));
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    // Long enough for a whole batch sent one after another at the longest timeout.
    const longest = Math.max(10, ...options.targets.map((t) => t.target.timeout_s));
    this.#claimMs = (longest * (options.batch ?? 10) + 30) * 1000;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** Sends every row due now (in batches) and returns how many were delivered. */
  async deliverDue(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const now = this.#now();
      const rows = await this.#o.outbox.claimDue({
        owner: this.owner,
        now: new Date(now).toISOString(),
        until: new Date(now + this.#claimMs).toISOString(),
        limit: this.#o.batch ?? 10,
        targets: [...this.#byName.keys()],
      });
      if (rows.length === 0) return delivered;
      const results = await Promise.all(rows.map((row) => this.#deliver(row)));
      delivered += results.filter(Boolean).length;
    }
  }

  async #deliver(row: OutboxRow): Promise<boolean> {
    const named = this.#byName.get(row.target)!;
    let result: SendResult;
    try {
      result = await sendTo(named.target, row.payload, { ...(this.#o.env ? { env: this.#o.env } : {}), ...(this.#o.cwd ? { cwd: this.#o.cwd } : {}) });
    } catch (error) {
      result = { ok: false, retry: true, reason: error instanceof Error ? error.message : String(error) };
    }
    const at = new Date(this.#now()).toISOString();
    const fields = { delivery: row.id, target: row.target, event: row.event, workflow: row.workflowId, attempt: row.attempts };
    if (result.ok) {
      await this.#o.outbox.markDelivered(row.id, this.owner, at);
      this.#o.log.info({ ...fields, result: result.detail }, 'notification delivered');
      return true;
    }
    const giveUp = !result.retry || row.attempts >= this.#retry.maxAttempts;
    const reason = clipError(giveUp && result.retry ? `gave up after ${row.attempts} attempts; last: ${result.reason}` : result.reason);
    const delay = result.retryAfterMs ?? backoffMs(row.attempts, this.#retry, this.#o.random);
    const retryAt = giveUp ? null : new Date(this.#now() + Math.min(delay, 24 * 3_600_000)).toISOString();
    await this.#o.outbox.markFailed(row.id, this.owner, at, reason, retryAt);
    if (giveUp) this.#o.log.error({ ...fields, reason }, 'notification failed for good; it is not retried');
    else this.#o.log.warn({ ...fields, reason, retry_at: retryAt }, 'notification not delivered; retrying');
    return false;
  }
}
