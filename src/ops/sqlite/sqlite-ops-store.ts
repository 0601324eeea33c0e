/**
 * Tokens and the audit log in the workflow store's SQLite file, on a connection of their own.
 * Appends run in an IMMEDIATE transaction, so the head read, the insert and the checkpoint write
 * cannot interleave with another process's append. Triggers refuse UPDATE and DELETE on audit
 * rows: the chain catches edits anyway, the triggers stop them happening by accident.
 *
 * Outside the file, beside it: the audit key `audit.key` (shared by the stores of one folder,
 * harmless, since each chain's rows differ) and the head checkpoint `<file>.audit-head`, one per
 * store. Someone who can only edit the database reaches neither.
 */
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditAppend, AuditAppendContext, AuditCheckpoint, AuditKeySource, AuditLog, AuditRow } from '../audit-log.js';
import { readCheckpointFile, writeCheckpointFile } from '../audit/audit-checkpoint.js';
import { auditKeyFile, processAuditKey } from '../audit/audit-key.js';
import type { OpsStore } from '../ops-store.js';
import type { Outbox } from '../notify/outbox.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import type { TokenRecord, TokenStore } from '../token-store.js';
import { AUDIT_COLUMNS, fromAuditRow, fromTokenRow, toTokenParams } from '../ops-rows.js';
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

// Rows from before the keyed chain keep 'sha256'; an older Converge writing here gets it too.
const ADD_HASH_ALG = "ALTER TABLE audit_log ADD COLUMN hash_alg TEXT NOT NULL DEFAULT 'sha256'";

export interface SqliteAuditOptions {
  /** Default: `audit.key` beside the database file. */
  keyFile?: string;
  /** Default: `<database file>.audit-head`. */
  checkpointFile?: string;
  env?: NodeJS.ProcessEnv;
}

const TOKEN_COLUMNS = 'id, name, role, kind, hash, created_at, expires_at, revoked_at, last_used_at, parent_id, created_by';

export class SqliteOpsStore implements OpsStore, TokenStore, AuditLog {
  readonly #db: Database.Database;
  readonly key: AuditKeySource;
  readonly checkpointLocation: string;
  readonly outbox: Outbox;
  /** Only for an in-memory database, which has no folder to keep a file in. */
  #memoryCheckpoint: AuditCheckpoint | undefined;

  constructor(path: string, busyTimeoutMs = 5000, audit: SqliteAuditOptions = {}) {
    this.#db = new Database(path, { timeout: busyTimeoutMs });
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    const hasHashAlg = () => (this.#db.prepare('PRAGMA table_info(audit_log)').all() as Array<{ name: string }>).some((c) => c.name === 'hash_alg');
    // Checked again under the write lock: another process may be adding it at the same moment.
    if (!hasHashAlg()) {
      this.#db
        .transaction(() => {
          if (!hasHashAlg()) this.#db.exec(ADD_HASH_ALG);
        })
        .immediate();
    }
    this.outbox = new SqliteOutbox(this.#db);
    const inMemory = path === '' || path === ':memory:';
    this.key = inMemory && audit.keyFile === undefined ? processAuditKey(audit.env) : auditKeyFile(audit.keyFile ?? join(dirname(path), 'audit.key'), audit.env);
    this.checkpointLocation = inMemory && audit.checkpointFile === undefined ? 'memory' : (audit.checkpointFile ?? join(dirname(path), `${basename(path)}.audit-head`));
  }

  #readCheckpoint(): AuditCheckpoint | undefined {
    return this.checkpointLocation === 'memory' ? this.#memoryCheckpoint : readCheckpointFile(this.checkpointLocation);
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

  async append(build: (context: AuditAppendContext) => AuditAppend): Promise<AuditRow[]> {
    const tx = this.#db.transaction(() => {
      const last = this.#db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as AuditDbRow | undefined;
      const checkpoint = this.#readCheckpoint();
      const atCheckpoint = checkpoint && (this.#db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(checkpoint.seq) as { hash: string } | undefined);
      const { rows, checkpoint: next } = build({ head: last && fromAuditRow(last), checkpoint, hashAtCheckpoint: atCheckpoint?.hash });
      const insert = this.#db.prepare(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const row of rows) insert.run(row.seq, row.at, row.actor, row.action, row.target, JSON.stringify(row.details), row.prevHash, row.hash, row.hashAlg);
      // Inside the transaction, so checkpoints advance in the order rows commit. If the commit
      // itself failed now, the checkpoint would be one row ahead and verify would say so.
      if (this.checkpointLocation === 'memory') this.#memoryCheckpoint = next;
      else writeCheckpointFile(this.checkpointLocation, next);
      return rows;
    });
    return tx.immediate();
  }

  async read(afterSeq = 0, limit = 1000): Promise<AuditRow[]> {
    const rows = this.#db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`).all(afterSeq, limit) as AuditDbRow[];
    return rows.map(fromAuditRow);
  }

  async readCheckpoint(): Promise<AuditCheckpoint | undefined> {
    return this.#readCheckpoint();
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
