/**
 * The notification outbox in the store's PostgreSQL database. A claim is one UPDATE over the due
 * rows selected FOR UPDATE SKIP LOCKED: deliverers on several machines each take other rows, and
 * none waits on another's.
 */
import type { Pool } from 'pg';
import { OUTBOX_COLUMNS, fromOutboxRow } from '../notify/outbox.js';
import type { Outbox, OutboxClaim, OutboxDbRow, OutboxEntry, OutboxRow, OutboxStatus } from '../notify/outbox.js';

export function postgresOutboxSchema(s: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${s}.notify_outbox (
  id TEXT PRIMARY KEY, target TEXT NOT NULL, event TEXT NOT NULL, workflow_id TEXT,
  payload TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL, delivered_at TEXT, failed_at TEXT, last_error TEXT,
  claimed_by TEXT, claim_expires_at TEXT);
CREATE INDEX IF NOT EXISTS notify_outbox_due ON ${s}.notify_outbox(next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX IF NOT EXISTS notify_outbox_created ON ${s}.notify_outbox(created_at);`;
}

const STATUS_WHERE: Record<OutboxStatus, string> = {
  pending: 'delivered_at IS NULL AND failed_at IS NULL',
  delivered: 'delivered_at IS NOT NULL',
  failed: 'failed_at IS NOT NULL',
};

export class PostgresOutbox implements Outbox {
  readonly #pool: Pool;
  readonly #t: string;

  constructor(pool: Pool, schema: string) {
    this.#pool = pool;
    this.#t = `${schema}.notify_outbox`;
  }

  async enqueue(entries: readonly OutboxEntry[]): Promise<number> {
    let added = 0;
    for (const e of entries) {
      const result = await this.#pool.query(
        `INSERT INTO ${this.#t} (id, target, event, workflow_id, payload, created_at, next_attempt_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (id) DO NOTHING`,
        [e.id, e.target, e.event, e.workflowId, e.payload, e.createdAt, e.nextAttemptAt ?? e.createdAt],
      );
      added += result.rowCount ?? 0;
    }
    return added;
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.#pool.query<{ id: string }>(`SELECT id FROM ${this.#t} WHERE id = ANY($1)`, [ids]);
    return new Set(rows.map((r) => r.id));
  }

  async claimDue(claim: OutboxClaim): Promise<OutboxRow[]> {
    const { rows } = await this.#pool.query<OutboxDbRow>(
      `UPDATE ${this.#t} SET claimed_by = $1, claim_expires_at = $2, attempts = attempts + 1
        WHERE id IN (SELECT id FROM ${this.#t} WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3
                       AND (claimed_by IS NULL OR claim_expires_at <= $3) AND target = ANY($5) ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING ${OUTBOX_COLUMNS}`,
      [claim.owner, claim.until, claim.now, claim.limit, [...claim.targets]],
    );
    return rows.map(fromOutboxRow).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt));
  }

  async markDelivered(id: string, _owner: string, at: string): Promise<void> {
    await this.#pool.query(`UPDATE ${this.#t} SET delivered_at = $1, last_error = NULL, claimed_by = NULL, claim_expires_at = NULL WHERE id = $2 AND delivered_at IS NULL`, [at, id]);
  }

  async markFailed(id: string, owner: string, at: string, error: string, retryAt: string | null): Promise<void> {
    await this.#pool.query(
      `UPDATE ${this.#t} SET last_error = $1, next_attempt_at = COALESCE($2, next_attempt_at), failed_at = CASE WHEN $2::text IS NULL THEN $3 ELSE NULL END,
          claimed_by = NULL, claim_expires_at = NULL WHERE id = $4 AND delivered_at IS NULL AND claimed_by = $5`,
      [error, retryAt, at, id, owner],
    );
  }

  async list(options: { limit?: number; workflowId?: string; status?: OutboxStatus } = {}): Promise<OutboxRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.workflowId !== undefined) {
      params.push(options.workflowId);
      where.push(`workflow_id = $${params.length}`);
    }
    if (options.status !== undefined) where.push(STATUS_WHERE[options.status]);
    params.push(options.limit ?? 50);
    const { rows } = await this.#pool.query<OutboxDbRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM ${this.#t} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromOutboxRow);
  }
}
