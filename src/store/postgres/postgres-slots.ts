/**
 * Provider slots in PostgreSQL: one row per (provider, slot number), claimed by setting its
 * holder and expiry. A claim locks one free row with FOR UPDATE SKIP LOCKED, so claimers never
 * wait for each other and two of them never get the same slot; expiry uses the server's clock,
 * so the machines' clocks need not agree. The rows of a provider are created on first use, up to
 * its limit; slots numbered at or above the current limit are simply never claimed.
 */
import type { Pool } from 'pg';
import type { ProviderSlots } from '../work-queue.js';
import { toStoreError } from './postgres-errors.js';
import { quoteIdentifier } from './postgres-statements.js';

/** A one-key advisory lock: PostgreSQL keeps those apart from the migrator's two-key ones. */
const SLOTS_LOCK_KEY = 'converge:provider_slots:';

function statements(schemaName: string) {
  const s = quoteIdentifier(schemaName);
  const table = `${s}.provider_slots`;
  return {
    /**
     * Made here rather than by a store migration so that stores without distributed workers never
     * carry it. The advisory lock serialises workers starting at once: a plain CREATE TABLE IF NOT
     * EXISTS can still fail on the catalog's unique index when two sessions race.
     */
    ensureTable: `BEGIN;
      SELECT pg_advisory_xact_lock(hashtext('${SLOTS_LOCK_KEY}${schemaName.replace(/'/g, "''")}'));
      CREATE TABLE IF NOT EXISTS ${table} (
        provider   TEXT COLLATE "C" NOT NULL,
        slot       INTEGER NOT NULL,
        holder     TEXT,
        expires_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
        PRIMARY KEY (provider, slot)
      );
      COMMIT;`,
    ensureRows: `INSERT INTO ${table} (provider, slot)
      SELECT $1, g FROM generate_series(0, $2::integer - 1) AS g
      ON CONFLICT DO NOTHING`,
    // Random order spreads concurrent claimers over the free rows, so fewer of them skip-lock each other out.
    claim: `WITH free AS (
        SELECT provider, slot FROM ${table}
        WHERE provider = $1 AND slot < $3 AND (holder IS NULL OR expires_at <= now())
        ORDER BY random()
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${table} AS p SET holder = $2, expires_at = now() + $4::integer * interval '1 millisecond'
      FROM free WHERE p.provider = free.provider AND p.slot = free.slot
      RETURNING p.slot`,
    renew: `UPDATE ${table} SET expires_at = now() + $4::integer * interval '1 millisecond'
      WHERE provider = $1 AND slot = $2 AND holder = $3`,
    release: `UPDATE ${table} SET holder = NULL, expires_at = '-infinity'
      WHERE provider = $1 AND slot = $2 AND holder = $3`,
    inUse: `SELECT count(*)::integer AS n FROM ${table} WHERE provider = $1 AND holder IS NOT NULL AND expires_at > now()`,
  } as const;
}

export class PostgresProviderSlots implements ProviderSlots {
  readonly #pool: Pool;
  readonly #s: ReturnType<typeof statements>;
  readonly #context: { location: string; lockTimeoutMs: number };
  /** provider → the number of rows known to exist, so `ensureRows` runs once per provider and limit. */
  readonly #rows = new Map<string, number>();
  #table: Promise<void> | undefined;

  constructor(pool: Pool, schema: string, context: { location: string; lockTimeoutMs: number }) {
    this.#pool = pool;
    this.#s = statements(schema);
    this.#context = context;
  }

  async tryClaim(provider: string, limit: number, holder: string, ttlMs: number): Promise<number | undefined> {
    return this.#run(async () => {
      await this.#ensure(provider, limit);
      const row = (await this.#pool.query<{ slot: number }>(this.#s.claim, [provider, holder, limit, Math.ceil(ttlMs)])).rows[0];
      return row?.slot;
    });
  }

  async renew(provider: string, slot: number, holder: string, ttlMs: number): Promise<boolean> {
    return this.#run(async () => ((await this.#pool.query(this.#s.renew, [provider, slot, holder, Math.ceil(ttlMs)])).rowCount ?? 0) > 0);
  }

  async release(provider: string, slot: number, holder: string): Promise<void> {
    await this.#run(() => this.#pool.query(this.#s.release, [provider, slot, holder]));
  }

  async inUse(provider: string): Promise<number> {
    return this.#run(async () => {
      await this.#ensureTable();
      return (await this.#pool.query<{ n: number }>(this.#s.inUse, [provider])).rows[0]?.n ?? 0;
    });
  }

  /** Creates the slots table if needed; claims do it too, so this only makes a failure show early. */
  async prepare(): Promise<void> {
    await this.#run(() => this.#ensureTable());
  }

  async #ensureTable(): Promise<void> {
    // A failed attempt is forgotten, so the next call (after a lost connection) tries again.
    this.#table ??= this.#createTable().catch((error: unknown) => {
      this.#table = undefined;
      throw error;
    });
    await this.#table;
  }

  async #ensure(provider: string, limit: number): Promise<void> {
    if ((this.#rows.get(provider) ?? 0) >= limit) return;
    await this.#ensureTable();
    await this.#pool.query(this.#s.ensureRows, [provider, limit]);
    this.#rows.set(provider, limit);
  }

  /** On its own connection, destroyed on failure: a failed multi-statement BEGIN…COMMIT leaves it mid-transaction. */
  async #createTable(): Promise<void> {
    const client = await this.#pool.connect();
    // A connection lost while borrowed emits 'error' on the client; unheard, it would end the process.
    const ignore = (): void => {};
    client.on('error', ignore);
    let failed = false;
    try {
      await client.query(this.#s.ensureTable);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      client.removeListener('error', ignore);
      client.release(failed);
    }
  }

  async #run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw toStoreError(error, this.#context);
    }
  }
}
