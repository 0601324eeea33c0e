/**
 * The notification outbox in the store's SQLite file. A claim runs in an IMMEDIATE transaction:
 * the select of due rows and the update that claims them cannot interleave with another
 * process's claim, so a row goes to one deliverer at a time.
 */
import type Database from 'better-sqlite3';
import { OUTBOX_COLUMNS, fromOutboxRow } from '../notify/outbox.js';
import type { Outbox, OutboxClaim, OutboxDbRow, OutboxEntry, OutboxRow, OutboxStatus } from '../notify/outbox.js';

export const SQLITE_OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS notify_outbox (
  id TEXT PRIMARY KEY, target TEXT NOT NULL, event TEXT NOT NULL, workflow_id TEXT,
  payload TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL, delivered_at TEXT, failed_at TEXT, last_error TEXT,
  claimed_by TEXT, claim_expires_at TEXT);
CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox(next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX IF NOT EXISTS notify_outbox_created ON notify_outbox(created_at);
`;

const STATUS_WHERE: Record<OutboxStatus, string> = {
  pending: 'delivered_at IS NULL AND failed_at IS NULL',
  delivered: 'delivered_at IS NOT NULL',
  failed: 'failed_at IS NOT NULL',
};

export class SqliteOutbox implements Outbox {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(SQLITE_OUTBOX_SCHEMA);
  }

  async enqueue(entries: readonly OutboxEntry[]): Promise<number> {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO notify_outbox (id, target, event, workflow_id, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const tx = this.#db.transaction(() => {
      let added = 0;
      for (const e of entries) added += insert.run(e.id, e.target, e.event, e.workflowId, e.payload, e.createdAt, e.nextAttemptAt ?? e.createdAt).changes;
      return added;
    });
    return tx.immediate();
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.#db.prepare(`SELECT id FROM notify_outbox WHERE id IN (${ids.map(() => '?').join(',')})`).all(...ids) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  async claimDue(claim: OutboxClaim): Promise<OutboxRow[]> {
    if (claim.targets.length === 0) return [];
    const tx = this.#db.transaction(() => {
      const due = this.#db
        .prepare(
          `SELECT id FROM notify_outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
             AND (claimed_by IS NULL OR claim_expires_at <= ?) AND target IN (${claim.targets.map(() => '?').join(',')}) ORDER BY next_attempt_at LIMIT ?`,
        )
        .all(claim.now, claim.now, ...claim.targets, claim.limit) as Array<{ id: string }>;
      const take = this.#db.prepare('UPDATE notify_outbox SET claimed_by = ?, claim_expires_at = ?, attempts = attempts + 1 WHERE id = ?');
      const read = this.#db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM notify_outbox WHERE id = ?`);
      return due.map(({ id }) => {
        take.run(claim.owner, claim.until, id);
        return fromOutboxRow(read.get(id) as OutboxDbRow);
      });
    });
    return tx.immediate();
  }

  async markDelivered(id: string, _owner: string, at: string): Promise<void> {
    this.#db.prepare('UPDATE notify_outbox SET delivered_at = ?, last_error = NULL, claimed_by = NULL, claim_expires_at = NULL WHERE id = ? AND delivered_at IS NULL').run(at, id);
  }

  async markFailed(id: string, owner: string, at: string, error: string, retryAt: string | null): Promise<void> {
    this.#db
      .prepare(
        `UPDATE notify_outbox SET last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), failed_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END,
           claimed_by = NULL, claim_expires_at = NULL WHERE id = ? AND delivered_at IS NULL AND claimed_by = ?`,
      )
      .run(error, retryAt, retryAt, at, id, owner);
  }

  async list(options: { limit?: number; workflowId?: string; status?: OutboxStatus } = {}): Promise<OutboxRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.workflowId !== undefined) {
      where.push('workflow_id = ?');
      params.push(options.workflowId);
    }
    if (options.status !== undefined) where.push(STATUS_WHERE[options.status]);
    const sql = `SELECT ${OUTBOX_COLUMNS} FROM notify_outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, options.limit ?? 50) as OutboxDbRow[];
    return rows.map(fromOutboxRow);
  }
}
