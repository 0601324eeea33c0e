/**
 * The scale-out Store: PostgreSQL through a pg connection pool, shared by any number of workers
 * on any number of machines. Every read-check-write is one transaction that first locks the
 * workflow's row, so writers to one workflow queue there and the check cannot go stale before
 * the write. Nothing else is ever locked for long, so workers on different workflows do not wait.
 */
import { redactRecord } from '../record-redaction.js';
import pg from 'pg';
import type { Pool } from 'pg';
import type { NewEvent, WorkflowEvent } from '../../core/events.js';
import { storeClosed, storeDamaged, workflowNotFound } from '../store-error.js';
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
import { EventCodec } from '../event-codec.js';
import { toStoreError } from './postgres-errors.js';
import { migratePostgres, migrationFailed } from './postgres-migrator.js';
import {
  buildStatements,
  fromJsonb,
  fromWorkflowRow,
  quoteIdentifier,
  toJsonb,
  type PostgresStatements,
  type WorkflowRow,
} from './postgres-statements.js';
import {
  resolvePostgresStoreConfig,
  type PostgresStoreConfig,
  type ResolvedPostgresStoreConfig,
} from './postgres-store-config.js';
import { buildTransactions, type PostgresTransactions } from './postgres-transactions.js';
import { buildTraces, type PostgresTraces } from './postgres-traces.js';

export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = Object.freeze({ multiProcessWriters: true, distributedQueue: true });
  /** The URL without its password, e.g. `postgres://converge@db:5432/converge`. */
  readonly location: string;
  /** The schema holding Converge's tables. */
  readonly schema: string;

  readonly #pool: Pool;
  readonly #config: ResolvedPostgresStoreConfig;
  readonly #s: PostgresStatements;
  readonly #tx: PostgresTransactions;
  readonly #traces: PostgresTraces;
  readonly #codec = new EventCodec();
  #closed = false;
  /** What opening the store did to its schema, step by step (`converge migrate` reports it). */
  readonly openSteps: readonly MigrationStep[];

  private constructor(pool: Pool, config: ResolvedPostgresStoreConfig, openSteps: readonly MigrationStep[] = []) {
    this.#pool = pool;
    this.#config = config;
    this.openSteps = Object.freeze([...openSteps]);
    this.location = config.location;
    this.schema = config.schema;
    this.#s = buildStatements(config.schema);
    this.#tx = buildTransactions(pool, this.#s, this.#codec);
    this.#traces = buildTraces(pool, quoteIdentifier(config.schema));
  }

  /** Connects, creates the schema if needed and migrates it. */
  static async open(config: PostgresStoreConfig): Promise<PostgresStore> {
    const resolved = resolvePostgresStoreConfig(config);
    const pool = new pg.Pool({
      connectionString: resolved.url,
      max: resolved.poolSize,
      connectionTimeoutMillis: resolved.connectTimeoutMs,
      lock_timeout: resolved.lockTimeoutMs,
      application_name: 'converge',
      keepAlive: true,
    });
    // The server dropping an idle connection emits 'error' on the pool, and an unheard 'error'
    // would end the process. The pool has already discarded that connection; the next call opens another.
    pool.on('error', () => {});
    try {
      const steps = await migratePostgres(pool, resolved.schema, resolved.location);
      if (steps.some((step) => step.status === 'failed')) throw migrationFailed(resolved.location, resolved.schema, steps);
      return new PostgresStore(pool, resolved, steps);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw toStoreError(error, { location: resolved.location, lockTimeoutMs: resolved.lockTimeoutMs });
    }
  }

  /** Reports each step; a failed one rolled back and stopped the run. `open` already migrated. */
  async migrate(): Promise<MigrationStep[]> {
    return this.#run(undefined, () => migratePostgres(this.#pool, this.schema, this.location));
  }

  /**
   * For the work queue and provider slots of this folder, which live beside the store in the
   * same database but on their own connections. The URL may hold a password: never show it.
   */
  connectionSettings(): Pick<ResolvedPostgresStoreConfig, 'url' | 'schema' | 'location' | 'connectTimeoutMs' | 'lockTimeoutMs'> {
    const { url, schema, location, connectTimeoutMs, lockTimeoutMs } = this.#config;
    return { url, schema, location, connectTimeoutMs, lockTimeoutMs };
  }

  async createWorkflow(summary: WorkflowSummary, first: NewEvent): Promise<WorkflowEvent> {
    return this.#run(summary.id, () => this.#tx.create(redactRecord(summary), redactRecord(first)));
  }

  async append(
    workflowId: string,
    expectedSeq: number,
    events: NewEvent[],
    summary: WorkflowSummary,
  ): Promise<WorkflowEvent[]> {
    return this.#run(workflowId, () => this.#tx.append(workflowId, expectedSeq, redactRecord(events), redactRecord(summary)));
  }

  async readEvents(workflowId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    return this.#run(workflowId, async () => {
      const { rows } = await this.#pool.query<{ lastSeq: number; seq: number | null; body: string | null; checksum: number | null }>(this.#s.readEvents, [workflowId, afterSeq]);
      if (rows.length === 0) throw workflowNotFound(workflowId);
      // A workflow with no event after afterSeq comes back as one row without an event.
      const stored = rows[0]!.seq === null ? [] : (rows as Array<{ seq: number; body: string; checksum: number | null }>);
      // Parsed once here, for the definition references; a body that does not parse is left to the check.
      const bodies = stored.map((row) => ({ ...row, body: { text: row.body, value: parseOrUndefined(row.body) } }));
      const missing = this.#codec.missingIn(bodies.map((row) => row.body.value));
      if (missing.length > 0) {
        const found = await this.#pool.query<{ hash: string; body: string }>(this.#s.getDefinitions, [missing]);
        for (const definition of found.rows) {
          try {
            this.#codec.learn(definition.hash, definition.body);
          } catch {
            // A definition that does not parse stays unknown: the event naming it is then reported damaged.
          }
        }
      }
      const decode = (row: { seq: number; body: { value: unknown } }): WorkflowEvent => {
        if (row.body.value === undefined) throw new Error('the body is not JSON');
        return { ...(this.#codec.restoreDefinition(row.body.value) as NewEvent), seq: row.seq } as WorkflowEvent;
      };
      try {
        return checkedEvents(workflowId, afterSeq, rows[0]!.lastSeq, bodies, (body) => body.text, decode);
      } catch (error) {
        await this.#markFound(workflowId, error);
        throw error;
      }
    });
  }

  async markDamaged(workflowId: string, damage: LogDamage | null): Promise<void> {
    await this.#run(workflowId, () => this.#pool.query(this.#s.markDamaged, [workflowId, damage === null ? null : JSON.stringify({ seq: damage.seq, reason: damage.reason })]));
  }

  async getWorkflow(workflowId: string): Promise<WorkflowSummary | undefined> {
    return this.#run(workflowId, async () => {
      const row = (await this.#pool.query<WorkflowRow>(this.#s.getWorkflow, [workflowId])).rows[0];
      return row === undefined ? undefined : fromWorkflowRow(row);
    });
  }

  async listWorkflows(filter: WorkflowFilter = {}): Promise<WorkflowSummary[]> {
    return this.#run(undefined, async () => {
      const { rows } = await this.#pool.query<WorkflowRow>(this.#s.listWorkflows, [
        filter.status ?? null,
        filter.updatedBefore ?? null,
        filter.limit ?? null,
        filter.offset ?? 0,
        filter.updatedSince ?? null,
        filter.waking === true,
      ]);
      return rows.map(fromWorkflowRow);
    });
  }

  /**
   * A counter in `settings` bumped in the same transaction as every create, append and prune, so
   * it changes exactly when their rows become visible. Not a sequence: `nextval` is visible before
   * the commit, and a poller could store the new value while still reading the old rows.
   */
  async changeMarker(): Promise<string> {
    return this.#run(undefined, async () => (await this.#setting('change_marker')) ?? '0');
  }

  async saveSnapshot(workflowId: string, snapshot: Snapshot): Promise<void> {
    await this.#run(workflowId, () => this.#pool.query(this.#s.saveSnapshot, [workflowId, snapshot.seq, toJsonb(redactRecord(snapshot.state))]));
  }

  async loadSnapshot(workflowId: string): Promise<Snapshot | undefined> {
    return this.#run(workflowId, async () => {
      const row = (await this.#pool.query<{ seq: number; state: unknown }>(this.#s.loadSnapshot, [workflowId])).rows[0];
      if (row === undefined) return undefined;
      try {
        return { seq: row.seq, state: fromJsonb(row.state) };
      } catch (error) {
        throw storeDamaged(workflowId, row.seq, `its snapshot at event ${row.seq} does not decode`, [], error);
      }
    });
  }

  async acquireLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    return this.#run(workflowId, () => this.#tx.acquireLease(workflowId, owner, ttlMs, now));
  }

  async renewLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    return this.#run(workflowId, async () => ((await this.#pool.query(this.#s.renewLease, [workflowId, owner, leaseExpiry(now, ttlMs)])).rowCount ?? 0) > 0);
  }

  async renewLeases(workflowIds: readonly string[], owner: string, ttlMs: number, now: string): Promise<Set<string>> {
    if (workflowIds.length === 0) return new Set();
    return this.#run(undefined, async () => {
      const { rows } = await this.#pool.query<{ workflowId: string }>(this.#s.renewLeases, [workflowIds, owner, leaseExpiry(now, ttlMs)]);
      return new Set(rows.map((row) => row.workflowId));
    });
  }

  async releaseLease(workflowId: string, owner: string): Promise<void> {
    await this.#run(workflowId, () => this.#pool.query(this.#s.releaseLease, [workflowId, owner]));
  }

  async leaseHolder(workflowId: string): Promise<{ owner: string; expiresAt: string } | undefined> {
    return this.#run(workflowId, async () => {
      const row = (await this.#pool.query<{ owner: string; expiresAt: string }>(this.#s.getLease, [workflowId])).rows[0];
      return row === undefined ? undefined : { owner: row.owner, expiresAt: row.expiresAt };
    });
  }

  async leaseHolders(workflowIds: readonly string[]): Promise<Map<string, { owner: string; expiresAt: string }>> {
    if (workflowIds.length === 0) return new Map();
    return this.#run(undefined, async () => {
      const { rows } = await this.#pool.query<{ workflowId: string; owner: string; expiresAt: string }>(this.#s.getLeases, [workflowIds]);
      return new Map(rows.map((row) => [row.workflowId, { owner: row.owner, expiresAt: row.expiresAt }]));
    });
  }

  async recordAttempt(workflowId: string, actionId: string): Promise<number> {
    return this.#run(workflowId, async () => {
      const row = (await this.#pool.query<{ attempts: number }>(this.#s.recordAttempt, [workflowId, actionId])).rows[0];
      if (row === undefined) throw workflowNotFound(workflowId);
      return row.attempts;
    });
  }

  async prune(before: string): Promise<number> {
    return this.#run(undefined, () => this.#tx.prune(before));
  }

  async putTrace(trace: StepTrace): Promise<void> {
    await this.#run(trace.workflowId, async () => {
      if (!(await this.#traces.put(trace))) throw workflowNotFound(trace.workflowId);
    });
  }

  async listTraces(workflowId: string, stepNumber?: number): Promise<StepTrace[]> {
    return this.#run(workflowId, async () => {
      const traces = await this.#traces.list(workflowId, stepNumber);
      if (traces === undefined) throw workflowNotFound(workflowId);
      return traces;
    });
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.#run(undefined, () => this.#setting(key));
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.#run(undefined, () => this.#pool.query(this.#s.setSetting, [key, value]));
  }

  /**
   * PostgreSQL keeps its own pages sound (and verifies them when the cluster has data checksums);
   * what Converge can check is the logs, which `converge store check` reads whole.
   */
  async checkDatabase(): Promise<string[]> {
    await this.#run(undefined, () => this.#pool.query('SELECT 1'));
    return [];
  }

  async databaseTime(): Promise<string> {
    return this.#run(undefined, async () => (await this.#pool.query<{ now: string }>(this.#s.databaseTime)).rows[0]!.now);
  }

  /** Waits for calls in flight to return their connections, then closes the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** Marks the workflow when a read found its log damaged; a store that cannot take the mark still reports the damage. */
  async #markFound(workflowId: string, error: unknown): Promise<void> {
    const found = error as { code?: unknown; details?: { seq?: unknown; reason?: unknown } };
    if (found.code !== 'STORE_DAMAGED' || typeof found.details?.seq !== 'number') return;
    await this.#pool.query(this.#s.markDamaged, [workflowId, JSON.stringify({ seq: found.details.seq, reason: found.details.reason })]).catch(() => undefined);
  }

  async #setting(key: string): Promise<string | undefined> {
    return (await this.#pool.query<{ value: string }>(this.#s.getSetting, [key])).rows[0]?.value;
  }

  /** Runs one call against the database, turning every driver error into a ConvergeError. */
  async #run<T>(workflowId: string | undefined, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw storeClosed(this.location);
    try {
      return await body();
    } catch (error) {
      throw toStoreError(error, { location: this.location, lockTimeoutMs: this.#config.lockTimeoutMs, workflowId });
    }
  }
}

/** The stored JSON text as the event's value (unwrapped, see toJsonb), or undefined when it is not JSON. */
function parseOrUndefined(text: string): unknown {
  try {
    return fromJsonb(JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * Opens the PostgreSQL store at `url` (`postgres://user:password@host:port/database`), creating
 * and migrating its schema as needed. Errors name the server without the password.
 */
export async function openPostgresStore(
  url: string,
  options: Omit<PostgresStoreConfig, 'url'> = {},
): Promise<PostgresStore> {
  return PostgresStore.open({ ...options, url });
}
