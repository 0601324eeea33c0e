/**
 * The embedded default Store: one SQLite file in WAL mode, shared safely by several processes
 * on one machine. Every write is one short IMMEDIATE transaction, so a writer takes the file's
 * write lock before it reads what it checks, and the check cannot go stale before the write.
 */
import { redactRecord } from '../record-redaction.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import type { NewEvent, WorkflowEvent } from '../../core/events.js';
import { fileDamaged, storeClosed, storeDamaged, workflowNotFound } from '../store-error.js';
import { checkedEvents, leaseExpiry } from '../store-rules.js';
import type { LogDamage } from '../store-rules.js';
import type {
  MigrationStep,
  Snapshot,
  StepTrace,
  Store,
  StoreCapabilities,
  WorkflowFilter,
  WorkflowSummary,
} from '../store.js';
import { EventCodec, type EventRow, type StoredBody } from '../event-codec.js';
import { sqliteNativeBinding } from './sqlite-binding.js';
import { toStoreError } from './sqlite-errors.js';
import { readSchemaVersion, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import { fromWorkflowRow, prepareStatements, type SqliteStatements } from './sqlite-statements.js';
import {
  SQLITE_MEMORY_PATH,
  resolveSqliteStoreConfig,
  type ResolvedSqliteStoreConfig,
  type SqliteStoreConfig,
} from './sqlite-store-config.js';
import { prepareTransactions, type SqliteTransactions } from './sqlite-transactions.js';
import { prepareTraces, type SqliteTraces } from './sqlite-traces.js';

// Required, not imported: importing a CommonJS package from an ES module first runs Node's export
// lexer over it (and over lib/database.js, which it re-exports), a few ms of every CLI start (issue 19).
const SqliteDatabase = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities = Object.freeze({ multiProcessWriters: true, distributedQueue: false });
  readonly location: string;

  readonly #db: Database.Database;
  readonly #config: ResolvedSqliteStoreConfig;
  readonly #s: SqliteStatements;
  readonly #tx: SqliteTransactions;
  readonly #traces: SqliteTraces;
  readonly #codec = new EventCodec();
  #closed = false;

  private constructor(db: Database.Database, config: ResolvedSqliteStoreConfig) {
    this.#db = db;
    this.#config = config;
    this.location = config.path;
    this.#s = prepareStatements(db);
    this.#tx = prepareTransactions(db, this.#s, this.#codec, (workflowId) => this.#traces.writeHeld(workflowId));
    this.#traces = prepareTraces(db);
  }

  /** Opens (creating it and its directory if needed) and migrates the database. */
  static async open(config: SqliteStoreConfig): Promise<SqliteStore> {
    const resolved = resolveSqliteStoreConfig(config);
    const context = { location: resolved.path, busyTimeoutMs: resolved.busyTimeoutMs, opening: true };
    let db: Database.Database | undefined;
    try {
      if (resolved.path !== SQLITE_MEMORY_PATH) mkdirSync(dirname(resolved.path), { recursive: true });
      const nativeBinding = sqliteNativeBinding();
      db = new SqliteDatabase(resolved.path, { timeout: resolved.busyTimeoutMs, ...(nativeBinding === undefined ? {} : { nativeBinding }) });
      // Before anything can write: a damaged file is refused, not written into. quick_check reads
      // every page (O(file size), ~1 s per GB), skipping only the index-vs-table comparisons of
      // integrity_check, which `converge store check` runs. Cheap for the usual store; a place to
      // look if opening a very large store gets slow.
      const problems = quickCheck(db);
      if (problems.length > 0) throw fileDamaged(resolved.path, problems, undefined, true);
      // Persistent: once one process turns WAL on, every later connection to the file uses it.
      db.pragma('journal_mode = WAL');
      // NORMAL skips the fsync on each commit. In WAL mode that stays durable across process
      // crashes; only a power loss or OS crash can drop the last commits, never corrupt the file.
      db.pragma('synchronous = NORMAL');
      // Per connection, and off by default: the cascades that prune relies on need it.
      db.pragma('foreign_keys = ON');
      // The migrations are loaded only for a file that is not at this build's schema (new, older, or newer: refused).
      if (readSchemaVersion(db) !== SQLITE_SCHEMA_VERSION) {
        const { migrateSqlite, migrationFailed } = await import('./sqlite-migrator.js');
        const steps = migrateSqlite(db, resolved.path);
        if (steps.some((step) => step.status === 'failed')) throw migrationFailed(resolved.path, steps);
      }
      return new SqliteStore(db, resolved);
    } catch (error) {
      db?.close();
      throw toStoreError(error, context);
    }
  }

  /** Reports each step; a failed one rolled back and stopped the run. `open` already migrated. */
  async migrate(): Promise<MigrationStep[]> {
    const { migrateSqlite } = await import('./sqlite-migrator.js');
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
    return this.#run(workflowId, () => {
      const written = this.#tx.append.immediate(workflowId, expectedSeq, redactRecord(events), redactRecord(summary));
      // The run's trace, held by putTrace, was committed with these events.
      if (written.length > 0) this.#traces.forget(workflowId);
      return written;
    });
  }

  async readEvents(workflowId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    return this.#run(workflowId, () => {
      const rows = this.#s.readEvents.all(afterSeq, workflowId);
      if (rows.length === 0) throw workflowNotFound(workflowId);
      // A workflow with no event after afterSeq comes back as one row without an event.
      const stored = rows[0]!.seq === null ? [] : (rows as EventRow[]).map((row, i) => ({ seq: row.seq, body: row, checksum: rows[i]!.checksum }));
      this.#learnDefinitions(stored.map((row) => row.body.body));
      try {
        return checkedEvents(workflowId, afterSeq, rows[0]!.lastSeq, stored, (row) => row.body, (row) => this.#codec.decode(row.body));
      } catch (error) {
        this.#markFound(workflowId, error);
        throw error;
      }
    });
  }

  async markDamaged(workflowId: string, damage: LogDamage | null): Promise<void> {
    this.#run(workflowId, () => {
      this.#s.markDamaged.run(damage === null ? null : JSON.stringify({ seq: damage.seq, reason: damage.reason }), workflowId);
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
          waking: filter.waking === true ? 1 : 0,
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
      try {
        const text = this.#codec.text(row.state);
        this.#learnDefinitions([text]);
        return { seq: row.seq, state: this.#codec.decodeState(text) };
      } catch (error) {
        throw storeDamaged(workflowId, row.seq, `its snapshot at event ${row.seq} does not decode`, [], error);
      }
    });
  }

  async acquireLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    return this.#run(workflowId, () => this.#tx.acquireLease.immediate(workflowId, owner, ttlMs, now));
  }

  async renewLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    return this.#run(workflowId, () => this.#s.renewLease.run(leaseExpiry(now, ttlMs), workflowId, owner).changes > 0);
  }

  async renewLeases(workflowIds: readonly string[], owner: string, ttlMs: number, now: string): Promise<Set<string>> {
    if (workflowIds.length === 0) return new Set();
    return this.#run(undefined, () => {
      const rows = this.#s.renewLeases.all(leaseExpiry(now, ttlMs), owner, JSON.stringify(workflowIds));
      return new Set(rows.map((row) => row.workflowId));
    });
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

  async leaseHolders(workflowIds: readonly string[]): Promise<Map<string, { owner: string; expiresAt: string }>> {
    if (workflowIds.length === 0) return new Map();
    return this.#run(undefined, () => {
      const rows = this.#s.getLeases.all(JSON.stringify(workflowIds));
      return new Map(rows.map((row) => [row.workflowId, { owner: row.owner, expiresAt: row.expiresAt }]));
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
    return this.#run(undefined, () => {
      this.#traces.flush();
      return this.#tx.prune.immediate(before);
    });
  }

  async putTrace(trace: StepTrace): Promise<void> {
    this.#run(trace.workflowId, () => {
      if (!this.#traces.put(trace)) throw workflowNotFound(trace.workflowId);
    });
  }

  async listTraces(workflowId: string, stepNumber?: number): Promise<StepTrace[]> {
    return this.#run(workflowId, () => {
      if (this.#s.getWorkflow.get(workflowId) === undefined) throw workflowNotFound(workflowId);
      this.#traces.flush();
      return this.#traces.list(workflowId, stepNumber);
    });
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.#run(undefined, () => this.#s.getSetting.get(key)?.value);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#run(undefined, () => {
      this.#s.setSetting.run(key, value);
    });
  }

  async checkDatabase(): Promise<string[]> {
    return this.#run(undefined, () => integrityProblems(this.#db.pragma('integrity_check')));
  }

  /** The live file copied page by page while others keep writing (SQLite's online backup API). */
  async backupTo(file: string): Promise<void> {
    if (this.#closed) throw storeClosed(this.location);
    try {
      this.#traces.flush();
      // After the first step, all the rest at once: a writer between small steps would restart the copy.
      await this.#db.backup(file, { progress: () => 0x7fffffff });
    } catch (error) {
      throw toStoreError(error, { location: this.location, busyTimeoutMs: this.#config.busyTimeoutMs });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#traces.flush();
    } catch {
      // Busy past the timeout: only the held traces are lost, never a workflow's log.
    }
    this.#closed = true;
    this.#db.close();
  }

  #learnDefinitions(bodies: readonly StoredBody[]): void {
    for (const hash of this.#codec.missing(bodies)) {
      const row = this.#s.getDefinition.get(hash);
      try {
        if (row !== undefined) this.#codec.learn(hash, row.body);
      } catch {
        // A definition that does not parse stays unknown: the event naming it is then reported damaged.
      }
    }
  }

  /** Marks the workflow when a read found its log damaged; a store that cannot take the mark still reports the damage. */
  #markFound(workflowId: string, error: unknown): void {
    const found = error as { code?: unknown; details?: { seq?: unknown; reason?: unknown } };
    if (found.code !== 'STORE_DAMAGED' || typeof found.details?.seq !== 'number') return;
    try {
      this.#s.markDamaged.run(JSON.stringify({ seq: found.details.seq, reason: found.details.reason }), workflowId);
    } catch {
      // read-only file, or busy: the error itself still says what is damaged
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

/** `PRAGMA quick_check` / `integrity_check` rows as problems; a sound file answers one row, "ok". */
function integrityProblems(rows: unknown): string[] {
  const lines = (rows as Array<Record<string, unknown>>).map((row) => String(Object.values(row)[0] ?? ''));
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
}

function quickCheck(db: Database.Database): string[] {
  return integrityProblems(db.pragma('quick_check'));
}

/** Opens the SQLite store at `path`, creating and migrating it as needed. */
export async function openSqliteStore(
  path: string,
  options: Omit<SqliteStoreConfig, 'path'> = {},
): Promise<SqliteStore> {
  return SqliteStore.open({ ...options, path });
}
