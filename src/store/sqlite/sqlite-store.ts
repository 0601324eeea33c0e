/**
 * The embedded default Store: one SQLite file in WAL mode, shared safely by several processes
 * on one machine. Every write is one short IMMEDIATE transaction, so a writer takes the file's
 * write lock before it reads what it checks, and the check cannot go stale before the write.
 */
import { redactRecord } from '../record-redaction.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { NewEvent, WorkflowEvent } from '../../core/events.js';
import { storeClosed, workflowNotFound } from '../store-error.js';
import type {
  MigrationStep,
  Snapshot,
  Store,
  StoreCapabilities,
  WorkflowFilter,
  WorkflowSummary,
} from '../store.js';
import { EventCodec, type StoredBody } from '../event-codec.js';
import { toStoreError } from './sqlite-errors.js';
import { migrateSqlite, migrationFailed } from './sqlite-migrator.js';
import { fromWorkflowRow, prepareStatements, type SqliteStatements } from './sqlite-statements.js';
import {
  SQLITE_MEMORY_PATH,
  resolveSqliteStoreConfig,
  type ResolvedSqliteStoreConfig,
  type SqliteStoreConfig,
} from './sqlite-store-config.js';
import { prepareTransactions, type SqliteTransactions } from './sqlite-transactions.js';

export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities = Object.freeze({ multiProcessWriters: true, distributedQueue: false });
  readonly location: string;

  readonly #db: Database.Database;
  readonly #config: ResolvedSqliteStoreConfig;
  readonly #s: SqliteStatements;
  readonly #tx: SqliteTransactions;
  readonly #codec = new EventCodec();
  #closed = false;

  private constructor(db: Database.Database, config: ResolvedSqliteStoreConfig) {
    this.#db = db;
    this.#config = config;
    this.location = config.path;
    this.#s = prepareStatements(db);
    this.#tx = prepareTransactions(db, this.#s, this.#codec);
  }

  /** Opens (creating it and its directory if needed) and migrates the database. */
  static async open(config: SqliteStoreConfig): Promise<SqliteStore> {
    const resolved = resolveSqliteStoreConfig(config);
    const context = { location: resolved.path, busyTimeoutMs: resolved.busyTimeoutMs };
    let db: Database.Database | undefined;
    try {
      if (resolved.path !== SQLITE_MEMORY_PATH) mkdirSync(dirname(resolved.path), { recursive: true });
      db = new Database(resolved.path, { timeout: resolved.busyTimeoutMs });
      // Persistent: once one process turns WAL on, every later connection to the file uses it.
      db.pragma('journal_mode = WAL');
      // NORMAL skips the fsync on each commit. In WAL mode that stays durable across process
      // crashes; only a power loss or OS crash can drop the last commits, never corrupt the file.
      db.pragma('synchronous = NORMAL');
      // Per connection, and off by default: the cascades that prune relies on need it.
      db.pragma('foreign_keys = ON');
      const steps = migrateSqlite(db, resolved.path);
      if (steps.some((step) => step.status === 'failed')) throw migrationFailed(resolved.path, steps);
      return new SqliteStore(db, resolved);
    } catch (error) {
      db?.close();
      throw toStoreError(error, context);
    }
  }

  /** Reports each step; a failed one rolled back and stopped the run. `open` already migrated. */
  async migrate(): Promise<MigrationStep[]> {
    return this.#run(undefined, () => migrateSqlite(this.#db, this.location));
  }

  async createWorkflow(summary: WorkflowSummary, first: NewEvent): Promise<WorkflowEvent> {
    return this.#run(summary.id, () => this.#tx.create.immediate(redactRecord(summary), redactRecord(first)));
  }

  async append(
    workflowId: string,
    expectedSeq: number,
    events: NewEvent[],
    summary: WorkflowSummary,
  ): Promise<WorkflowEvent[]> {
    return this.#run(workflowId, () => this.#tx.append.immediate(workflowId, expectedSeq, redactRecord(events), redactRecord(summary)));
  }

  async readEvents(workflowId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    return this.#run(workflowId, () => {
      const rows = this.#s.readEvents.all(workflowId, afterSeq);
      if (rows.length === 0 && this.#s.workflowExists.get(workflowId) === undefined) {
        throw workflowNotFound(workflowId);
      }
      this.#learnDefinitions(rows.map((row) => row.body));
      return rows.map((row) => this.#codec.decode(row));
    });
  }

  async getWorkflow(workflowId: string): Promise<WorkflowSummary | undefined> {
    return this.#run(workflowId, () => {
      const row = this.#s.getWorkflow.get(workflowId);
      return row === undefined ? undefined : fromWorkflowRow(row);
    });
  }

  async listWorkflows(filter: WorkflowFilter = {}): Promise<WorkflowSummary[]> {
    return this.#run(undefined, () =>
      this.#s.listWorkflows
        .all({
          statuses: filter.status === undefined ? null : JSON.stringify(filter.status),
          updatedBefore: filter.updatedBefore ?? null,
          updatedSince: filter.updatedSince ?? null,
          limit: filter.limit ?? -1,
          offset: filter.offset ?? 0,
        })
        .map(fromWorkflowRow),
    );
  }

  /**
   * A counter in `settings` bumped in the same transaction as every create, append and prune.
   * Not `PRAGMA data_version`: it is per connection and blind to this connection's own writes.
   * Not `MAX(rowid)` of events: a prune can make it go back and repeat an earlier value.
   */
  async changeMarker(): Promise<string> {
    return this.#run(undefined, () => this.#s.getSetting.get('change_marker')?.value ?? '0');
  }

  async saveSnapshot(workflowId: string, snapshot: Snapshot): Promise<void> {
    this.#run(workflowId, () => this.#tx.saveSnapshot.immediate(workflowId, snapshot.seq, redactRecord(snapshot.state)));
  }

  async loadSnapshot(workflowId: string): Promise<Snapshot | undefined> {
    return this.#run(workflowId, () => {
      const row = this.#s.loadSnapshot.get(workflowId);
      if (row === undefined) return undefined;
      const text = this.#codec.text(row.state);
      this.#learnDefinitions([text]);
      return { seq: row.seq, state: this.#codec.decodeState(text) };
    });
  }

  async acquireLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    return this.#run(workflowId, () => this.#tx.acquireLease.immediate(workflowId, owner, ttlMs, now));
  }

  async releaseLease(workflowId: string, owner: string): Promise<void> {
    this.#run(workflowId, () => {
      this.#s.releaseLease.run(workflowId, owner);
    });
  }

  async leaseHolder(workflowId: string): Promise<{ owner: string; expiresAt: string } | undefined> {
    return this.#run(workflowId, () => {
      const row = this.#s.getLease.get(workflowId);
      return row === undefined ? undefined : { owner: row.owner, expiresAt: row.expiresAt };
    });
  }

  async recordAttempt(workflowId: string, actionId: string): Promise<number> {
    return this.#run(workflowId, () => {
      const row = this.#s.recordAttempt.get(workflowId, actionId);
      if (row === undefined) throw workflowNotFound(workflowId);
      return row.attempts;
    });
  }

  async prune(before: string): Promise<number> {
    return this.#run(undefined, () => this.#tx.prune.immediate(before));
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.#run(undefined, () => this.#s.getSetting.get(key)?.value);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#run(undefined, () => {
      this.#s.setSetting.run(key, value);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #learnDefinitions(bodies: readonly StoredBody[]): void {
    for (const hash of this.#codec.missing(bodies)) {
      const row = this.#s.getDefinition.get(hash);
      if (row !== undefined) this.#codec.learn(hash, row.body);
    }
  }

  /** Runs one call against the database, turning every driver error into a ConvergeError. */
  #run<T>(workflowId: string | undefined, body: () => T): T {
    if (this.#closed) throw storeClosed(this.location);
    try {
      return body();
    } catch (error) {
      throw toStoreError(error, { location: this.location, busyTimeoutMs: this.#config.busyTimeoutMs, workflowId });
    }
  }
}

/** Opens the SQLite store at `path`, creating and migrating it as needed. */
export async function openSqliteStore(
  path: string,
  options: Omit<SqliteStoreConfig, 'path'> = {},
): Promise<SqliteStore> {
  return SqliteStore.open({ ...options, path });
}
