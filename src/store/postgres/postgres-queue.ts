/**
 * The work queue on PostgreSQL, through pg-boss 10 (the Node-20 line), plus the provider slots:
 * everything a distributed worker needs beside the store, on one small pool of its own so that
 * claiming work never waits behind the store's writes (and the reverse).
 *
 * Choices, each forced by how pg-boss 10 behaves:
 * - Queue policy `short`: at most one *queued* job per workflow (`singletonKey` = workflow id), so
 *   enqueueing is idempotent. Not `singleton`/`stately`: in 10.x a queued job whose key already
 *   has an active one makes every batch fetch fail on the unique index, which stalls the whole
 *   queue (timgit/pg-boss#535). One driver per workflow is the store lease's job, not the queue's.
 * - `fetch` + `complete`/`fail` instead of `work`: `work` abandons a handler that outlives the
 *   job's expiry and fetches more, which would break the concurrency cap; a workflow run may
 *   legitimately last longer than any expiry we would choose.
 * - Expiry without heartbeat (10.x has none): a job active for JOB_EXPIRE_S is failed and
 *   retried. That is only a backstop for a worker that died: the worker's sweeper re-enqueues any
 *   runnable workflow without a live lease within seconds. A retried job of a run still going
 *   finds the lease taken and completes without doing anything.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Pool } from 'pg';
import PgBoss from 'pg-boss';
import { ConvergeError } from '../../core/errors.js';
import { endSentence } from '../../core/messages.js';
import type { Store } from '../store.js';
import type { ScaleOut, WorkQueue, WorkQueueOptions } from '../work-queue.js';
import { isTransientError, toStoreError } from './postgres-errors.js';
import { PostgresProviderSlots } from './postgres-slots.js';
import { PostgresStore } from './postgres-store.js';

export const QUEUE_NAME = 'converge-workflows';

/** Long enough that ordinary runs finish first; only a dead worker's job ever reaches it. */
export const JOB_EXPIRE_S = 15 * 60;
/** A handler that throws (store trouble, a bug) is retried 5 times: after ~5, 10, 20, 40, 80 s. */
export const JOB_RETRY = { retryLimit: 5, retryDelay: 5, retryBackoff: true } as const;
/** How often an idle worker asks for jobs; a finished handler or a local enqueue asks at once. */
const POLL_MS = 500;
/** pg-boss 10 refuses longer schema names. */
const MAX_QUEUE_SCHEMA = 50;

interface JobData {
  workflowId: string;
}

/**
 * The pg-boss schema beside the store's schema `converge` → `converge_queue`. pg-boss writes it
 * unquoted, so it is lower-cased; a name too long for pg-boss is shortened with a hash.
 */
export function queueSchemaFor(storeSchema: string): string {
  const name = `${storeSchema.toLowerCase()}_queue`;
  if (name.length <= MAX_QUEUE_SCHEMA) return name;
  const hash = createHash('sha256').update(storeSchema).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_QUEUE_SCHEMA - 15)}_${hash}_queue`;
}

export class PostgresWorkQueue implements WorkQueue {
  readonly #boss: PgBoss;
  readonly #context: { location: string; lockTimeoutMs: number };
  readonly #running = new Set<Promise<void>>();
  #wake: (() => void) | undefined;
  #stopping = false;
  #stopped = false;

  readonly #queuedSql: string;

  constructor(boss: PgBoss, schema: string, context: { location: string; lockTimeoutMs: number }) {
    this.#boss = boss;
    this.#context = context;
    // pg-boss's own table (unquoted, as pg-boss writes it); states are an enum: created < retry < active.
    this.#queuedSql = `SELECT DISTINCT singleton_key AS key FROM ${schema}.job
      WHERE name = $1 AND state < 'active' AND singleton_key IS NOT NULL`;
  }

  async enqueue(workflowId: string): Promise<void> {
    if (this.#stopped) throw closed(this.#context.location);
    try {
      // null back means a job for this workflow is already queued: that one will do.
      await this.#boss.send(QUEUE_NAME, { workflowId } satisfies JobData, { singletonKey: workflowId });
    } catch (error) {
      throw toStoreError(error, this.#context);
    }
    this.#wake?.();
  }

  async queued(): Promise<Set<string>> {
    try {
      const { rows } = await this.#boss.getDb().executeSql(this.#queuedSql, [QUEUE_NAME]);
      return new Set(rows.map((row: { key: string }) => row.key));
    } catch (error) {
      throw toStoreError(error, this.#context);
    }
  }

  async work(handler: (workflowId: string) => Promise<void>, options: WorkQueueOptions): Promise<void> {
    const { concurrency, signal } = options;
    const onError = (error: unknown) => options.onError?.(this.#mapError(error));
    this.#boss.on('error', onError);
    try {
      while (!signal.aborted && !this.#stopping) {
        const free = concurrency - this.#running.size;
        let claimed = 0;
        if (free > 0 && options.paused?.() !== true) {
          // pg-boss's fetch answers [] on any error, a lost connection included; the worker's
          // own store calls notice an outage and pause this loop through `paused`.
          const jobs = await this.#boss.fetch<JobData>(QUEUE_NAME, { batchSize: free });
          claimed = jobs.length;
          for (const job of jobs) this.#start(job, handler, onError);
        }
        if (claimed > 0 && claimed === free) continue;
        await this.#idle(signal);
      }
      await Promise.allSettled([...this.#running]);
    } finally {
      this.#boss.off('error', onError);
    }
  }

  async stop(graceful: boolean): Promise<void> {
    if (this.#stopped) return;
    this.#stopping = true;
    this.#wake?.();
    if (graceful) await Promise.allSettled([...this.#running]);
    this.#stopped = true;
    // Our pool is closed by the ScaleOut that owns it; pg-boss only stops its timers.
    await this.#boss.stop({ graceful: false, close: false, wait: true }).catch(() => undefined);
  }

  /** A lost connection is the store's outage; anything else is the queue's own trouble, said as such. */
  #mapError(error: unknown): ConvergeError {
    if (isTransientError(error)) return toStoreError(error, this.#context);
    return new ConvergeError('INTERNAL', endSentence(`The work queue at ${this.#context.location} failed in the background: ${error instanceof Error ? error.message : String(error)}`), {
      hint: 'Work goes on; if this repeats, check the pg-boss schema of the store.',
      retryable: true,
      cause: error,
    });
  }

  #start(job: PgBoss.Job<JobData>, handler: (workflowId: string) => Promise<void>, onError: (error: unknown) => void): void {
    const settle = async (): Promise<void> => {
      let failure: unknown;
      try {
        await handler(job.data.workflowId);
      } catch (error) {
        failure = error;
      }
      try {
        if (failure === undefined) await this.#boss.complete(QUEUE_NAME, job.id);
        else await this.#boss.fail(QUEUE_NAME, job.id, { message: failure instanceof Error ? failure.message : String(failure) });
      } catch (error) {
        // The job stays active until it expires and is retried; the sweeper is faster anyway.
        onError(error);
      }
    };
    const running: Promise<void> = settle().finally(() => {
      this.#running.delete(running);
      this.#wake?.();
    });
    this.#running.add(running);
  }

  /** Sleeps until the poll interval passes, a handler finishes, a local enqueue, or the signal. */
  async #idle(signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, POLL_MS);
      signal.addEventListener('abort', finish, { once: true });
      this.#wake = finish;
      if (signal.aborted) finish();
    });
  }
}

function closed(location: string): ConvergeError {
  return new ConvergeError('STORE_UNAVAILABLE', `The work queue of the store at ${location} is stopped.`, {
    hint: 'Open the store again to enqueue work; a stopped queue cannot be reused.',
    details: { location },
  });
}

/**
 * The queue and provider slots for a PostgreSQL store. Starts pg-boss (creating or upgrading its
 * schema, `<store schema>_queue`) and the queue; several workers may do this at once.
 */
export async function openPostgresScaleOut(store: Store): Promise<ScaleOut> {
  if (!(store instanceof PostgresStore)) {
    throw new ConvergeError('USAGE', `The store at ${store.location} cannot dispatch work to other machines.`, {
      hint: 'Distributed workers need a PostgreSQL store: --store postgres://user@host/db.',
    });
  }
  const settings = store.connectionSettings();
  const context = { location: settings.location, lockTimeoutMs: settings.lockTimeoutMs };
  const pool: Pool = new pg.Pool({
    connectionString: settings.url,
    max: 6,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    application_name: 'converge-queue',
    keepAlive: true,
  });
  // An idle connection dropped by the server is discarded by the pool; unheard, 'error' would end the process.
  pool.on('error', () => {});
  const boss = new PgBoss({
    db: { executeSql: (text, values) => pool.query(text, values) },
    schema: queueSchemaFor(settings.schema),
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: 30,
    archiveCompletedAfterSeconds: 60 * 60,
    deleteAfterDays: 7,
  });
  // Until `work` listens, background errors have nobody to tell; without a listener they would crash.
  boss.on('error', () => {});
  const slots = new PostgresProviderSlots(pool, settings.schema, context);
  try {
    await boss.start();
    if ((await boss.getQueue(QUEUE_NAME)) === null) {
      await boss.createQueue(QUEUE_NAME, { name: QUEUE_NAME, policy: 'short', expireInSeconds: JOB_EXPIRE_S, ...JOB_RETRY });
    }
    await slots.prepare();
  } catch (error) {
    await boss.stop({ graceful: false, close: false }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw toStoreError(error, context);
  }
  const queue = new PostgresWorkQueue(boss, queueSchemaFor(settings.schema), context);
  return {
    queue,
    slots,
    location: `${settings.location} (queue schema ${queueSchemaFor(settings.schema)})`,
    parts: [`work queue ${QUEUE_NAME} (pg-boss, schema ${queueSchemaFor(settings.schema)})`, `provider slots (${settings.schema}.provider_slots)`],
    async close() {
      await queue.stop(true);
      await pool.end().catch(() => undefined);
    },
  };
}
