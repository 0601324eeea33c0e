/**
 * Tokens and the audit log in the workflow store's SQLite file, on a connection of their own.
 * Appends run in an IMMEDIATE transaction, so the head read and the insert cannot interleave
 * with another process's append. Triggers refuse UPDATE and DELETE on audit rows: the chain
 * catches edits anyway, the triggers stop them happening by accident.
 */
import Database from 'better-sqlite3';
import type { AuditHead, AuditLog, AuditRow } from '../audit-log.js';
import type { OpsStore } from '../ops-store.js';
import type { TokenRecord, TokenStore } from '../token-store.js';
import { fromAuditRow, fromTokenRow, toTokenParams } from '../ops-rows.js';
import type { AuditDbRow, TokenDbRow } from '../ops-rows.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT,
  last_used_at TEXT, parent_id TEXT, created_by TEXT);
CREATE INDEX IF NOT EXISTS api_tokens_parent ON api_tokens(parent_id);
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`;

const TOKEN_COLUMNS = 'id, name, role, kind, hash, created_at, expires_at, revoked_at, last_used_at, parent_id, created_by';

export class SqliteOpsStore implements OpsStore, TokenStore, AuditLog {
  readonly #db: Database.Database;

  constructor(path: string, busyTimeoutMs = 5000) {
    this.#db = new Database(path, { timeout: busyTimeoutMs });
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
  }

  get tokens(): TokenStore {
    return this;
  }

  get auditLog(): AuditLog {
    return this;
  }

  async insert(record: TokenRecord): Promise<void> {
    this.#db.prepare(`INSERT INTO api_tokens (${TOKEN_COLUMNS}) VALUES (@id, @name, @role, @kind, @hash, @created_at, @expires_at, @revoked_at, @last_used_at, @parent_id, @created_by)`).run(toTokenParams(record));
  }

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = this.#db.prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE hash = ?`).get(hash) as TokenDbRow | undefined;
    return row && fromTokenRow(row);
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const row = this.#db.prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as TokenDbRow | undefined;
    return row && fromTokenRow(row);
  }

  async list(): Promise<TokenRecord[]> {
    const rows = this.#db.prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC, rowid DESC`).all() as TokenDbRow[];
    return rows.map(fromTokenRow);
  }

  async revoke(id: string, at: string): Promise<number> {
    return this.#db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE (id = ? OR parent_id = ?) AND revoked_at IS NULL').run(at, id, id).changes;
  }

  async touch(id: string, at: string): Promise<void> {
    this.#db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  async append(build: (head: AuditHead | undefined) => AuditRow): Promise<AuditRow> {
    const tx = this.#db.transaction(() => {
      const head = this.#db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditHead | undefined;
      const row = build(head);
      this.#db
        .prepare('INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.seq, row.at, row.actor, row.action, row.target, JSON.stringify(row.details), row.prevHash, row.hash);
      return row;
    });
    return tx.immediate();
  }

  async read(afterSeq = 0, limit = 1000): Promise<AuditRow[]> {
    const rows = this.#db
      .prepare('SELECT seq, at, actor, action, target, details, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, limit) as AuditDbRow[];
    return rows.map(fromAuditRow);
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
