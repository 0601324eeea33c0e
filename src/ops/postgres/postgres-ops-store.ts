/**
 * Tokens and the audit log in the workflow store's PostgreSQL database (schema `converge` by
 * default). Appends take a transaction-scoped advisory lock, so appends from every server and
 * CLI queue there and the chain never forks. Triggers refuse UPDATE and DELETE on audit rows.
 *
 * The audit key is `CONVERGE_AUDIT_KEY`, else `~/.converge/audit-<id>.key`, where id hashes the
 * server, database and schema (never the user or password). Several machines writing one chain
 * must share one key: set the same `CONVERGE_AUDIT_KEY` on each. A machine without it refuses to
 * make a key of its own once HMAC rows exist, so a second key never slips into the chain.
 *
 * The head checkpoint is the table `audit_checkpoint`, not a file: every machine that writes sees
 * the same one, containers that lose their files lose no checkpoint, and it is written in the row's
 * transaction, so it is never out of step by accident. Its MAC keeps anyone with SQL access from
 * forging one; what they can still do is put back an older checkpoint they copied earlier while
 * cutting the rows after it. Only a checkpoint kept off this server would catch that.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { AuditAppend, AuditAppendContext, AuditCheckpoint, AuditKeySource, AuditLog, AuditRow } from '../audit-log.js';
import { auditKeyFile } from '../audit/audit-key.js';
import type { OpsStore } from '../ops-store.js';
import type { Outbox } from '../notify/outbox.js';
import { PostgresOutbox, postgresOutboxSchema } from './postgres-outbox.js';
import type { TokenRecord, TokenStore } from '../token-store.js';
import { AUDIT_COLUMNS, fromAuditRow, fromTokenRow, toTokenParams } from '../ops-rows.js';
import type { AuditDbRow, TokenDbRow } from '../ops-rows.js';

export interface PostgresOpsStoreConfig {
  url: string;
  schema?: string;
  poolSize?: number;
  /** Default: `~/.converge/audit-<id>.key` (see above); `CONVERGE_AUDIT_KEY` wins over it. */
  auditKeyFile?: string;
  env?: NodeJS.ProcessEnv;
}

/** Server, port, database and schema, without user or password: the chain's identity. */
export function defaultAuditKeyFile(url: string, schema: string): string {
  let where = url;
  try {
    const u = new URL(url);
    for (const secret of ['password', 'sslpassword', 'user']) u.searchParams.delete(secret);
    where = `${u.hostname}:${u.port || '5432'}${u.pathname}?${u.searchParams.toString()}`;
  } catch {
    // An unparseable URL fails on connect anyway; hash it whole meanwhile.
  }
  const id = createHash('sha256').update(`${where}#${schema}`).digest('hex').slice(0, 16);
  return join(homedir(), '.converge', `audit-${id}.key`);
}

const TOKEN_COLUMNS = 'id, name, role, kind, hash, created_at, expires_at, revoked_at, last_used_at, parent_id, created_by';
const LOCK_KEY = 'converge.audit_log';

function schemaSql(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.api_tokens (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT,
  last_used_at TEXT, parent_id TEXT, created_by TEXT);
CREATE INDEX IF NOT EXISTS api_tokens_parent ON ${s}.api_tokens(parent_id);
CREATE TABLE IF NOT EXISTS ${s}.audit_log (
  seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
ALTER TABLE ${s}.audit_log ADD COLUMN IF NOT EXISTS hash_alg TEXT NOT NULL DEFAULT 'sha256';
CREATE TABLE IF NOT EXISTS ${s}.audit_checkpoint (
  id SMALLINT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL);
CREATE OR REPLACE FUNCTION ${s}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON ${s}.audit_log
  FOR EACH ROW EXECUTE FUNCTION ${s}.audit_log_append_only();`;
}

export class PostgresOpsStore implements OpsStore, TokenStore, AuditLog {
  readonly #pool: Pool;
  readonly #s: string;
  readonly key: AuditKeySource;
  readonly checkpointLocation: string;
  readonly outbox: Outbox;

  private constructor(pool: Pool, schema: string, key: AuditKeySource) {
    this.#pool = pool;
    this.#s = schema;
    this.key = key;
    this.checkpointLocation = `table ${schema}.audit_checkpoint`;
    this.outbox = new PostgresOutbox(pool, schema);
  }

  static async open(config: PostgresOpsStoreConfig): Promise<PostgresOpsStore> {
    const schema = config.schema ?? 'converge';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 4 });
    const key = auditKeyFile(config.auditKeyFile ?? defaultAuditKeyFile(config.url, schema), config.env);
    const store = new PostgresOpsStore(pool, schema, key);
    try {
      // DDL from two processes at once can collide in the catalog; the lock queues them.
      await store.#transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${LOCK_KEY}.ddl`]);
        await client.query(schemaSql(schema));
        await client.query(postgresOutboxSchema(schema));
      });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  get tokens(): TokenStore {
    return this;
  }

  get auditLog(): AuditLog {
    return this;
  }

  async #transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async insert(r: TokenRecord): Promise<void> {
    const p = toTokenParams(r);
    await this.#pool.query(`INSERT INTO ${this.#s}.api_tokens (${TOKEN_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, [
      p.id, p.name, p.role, p.kind, p.hash, p.created_at, p.expires_at, p.revoked_at, p.last_used_at, p.parent_id, p.created_by,
    ]);
  }

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.#pool.query<TokenDbRow>(`SELECT ${TOKEN_COLUMNS} FROM ${this.#s}.api_tokens WHERE hash = $1`, [hash]);
    return rows[0] && fromTokenRow(rows[0]);
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.#pool.query<TokenDbRow>(`SELECT ${TOKEN_COLUMNS} FROM ${this.#s}.api_tokens WHERE id = $1`, [id]);
    return rows[0] && fromTokenRow(rows[0]);
  }

  async list(): Promise<TokenRecord[]> {
    const { rows } = await this.#pool.query<TokenDbRow>(`SELECT ${TOKEN_COLUMNS} FROM ${this.#s}.api_tokens ORDER BY created_at DESC, id DESC`);
    return rows.map(fromTokenRow);
  }

  async revoke(id: string, at: string): Promise<number> {
    const result = await this.#pool.query(`UPDATE ${this.#s}.api_tokens SET revoked_at = $1 WHERE (id = $2 OR parent_id = $2) AND revoked_at IS NULL`, [at, id]);
    return result.rowCount ?? 0;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.#pool.query(`UPDATE ${this.#s}.api_tokens SET last_used_at = $1 WHERE id = $2`, [at, id]);
  }

  async #readCheckpoint(client: Pool | PoolClient): Promise<AuditCheckpoint | undefined> {
    const { rows } = await client.query<{ seq: string; hash: string; mac: string }>(`SELECT seq, hash, mac FROM ${this.#s}.audit_checkpoint WHERE id = 1`);
    return rows[0] && { seq: Number(rows[0].seq), hash: rows[0].hash, mac: rows[0].mac };
  }

  async append(build: (context: AuditAppendContext) => AuditAppend): Promise<AuditRow[]> {
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK_KEY]);
      const last = await client.query<AuditDbRow>(`SELECT ${AUDIT_COLUMNS} FROM ${this.#s}.audit_log ORDER BY seq DESC LIMIT 1`);
      const checkpoint = await this.#readCheckpoint(client);
      const atCheckpoint = checkpoint && (await client.query<{ hash: string }>(`SELECT hash FROM ${this.#s}.audit_log WHERE seq = $1`, [checkpoint.seq])).rows[0];
      const { rows, checkpoint: next } = build({ head: last.rows[0] && fromAuditRow(last.rows[0]), checkpoint, hashAtCheckpoint: atCheckpoint?.hash });
      for (const row of rows) {
        await client.query(`INSERT INTO ${this.#s}.audit_log (${AUDIT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, [
          row.seq, row.at, row.actor, row.action, row.target, JSON.stringify(row.details), row.prevHash, row.hash, row.hashAlg,
        ]);
      }
      await client.query(
        `INSERT INTO ${this.#s}.audit_checkpoint (id, seq, hash, mac) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, mac = EXCLUDED.mac`,
        [next.seq, next.hash, next.mac],
      );
      return rows;
    });
  }

  async read(afterSeq = 0, limit = 1000): Promise<AuditRow[]> {
    const { rows } = await this.#pool.query<AuditDbRow>(`SELECT ${AUDIT_COLUMNS} FROM ${this.#s}.audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
    return rows.map(fromAuditRow);
  }

  async readCheckpoint(): Promise<AuditCheckpoint | undefined> {
    return this.#readCheckpoint(this.#pool);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}
