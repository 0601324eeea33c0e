/**
 * The PostgreSQL store against a real server, named by CONVERGE_TEST_PG_URL
 * (start one with `eval "$(scripts/pg-test-server.sh start)"`). Every store gets a fresh schema,
 * dropped when the file is done. Without the variable the server tests are skipped, visibly;
 * the tests that need no server (unreachable server, routing) always run.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent, WorkflowEvent } from '../../../src/core/events.js';
import { isConvergeError } from '../../../src/core/errors.js';
import { openStore } from '../../../src/store/index.js';
import { migratePostgres } from '../../../src/store/postgres/postgres-migrator.js';
import { openPostgresStore, type PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import type { Store } from '../../../src/store/store.js';
import { at, note, runStoreConformance, startedWith, summary } from '../store-conformance.case.js';
import { sevenStep } from '../../core/helpers.js';

const url = process.env.CONVERGE_TEST_PG_URL;
const SKIP_REASON = 'CONVERGE_TEST_PG_URL is not set; start a server with: eval "$(scripts/pg-test-server.sh start)"';
if (url === undefined) console.warn(`postgres-store.test.ts: PostgreSQL tests skipped: ${SKIP_REASON}`);
const server = (name: string): string => (url === undefined ? `${name} (skipped: ${SKIP_REASON})` : name);

const code = (c: string) => ({ name: 'ConvergeError', code: c });

const RUN = `cv_test_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
/** A schema no other test (or earlier run) uses; dropped in afterAll. */
const freshSchema = (): string => {
  const schema = `${RUN}_${schemas.length + 1}`;
  schemas.push(schema);
  return schema;
};

let admin: pg.Pool | undefined;
/** A direct connection beside the store, as another process would have. */
const sql = async (text: string, values?: unknown[]): Promise<pg.QueryResult> => {
  admin ??= new pg.Pool({ connectionString: url, max: 4 });
  return admin.query(text, values);
};

afterAll(async () => {
  if (url === undefined) return;
  for (const schema of schemas) await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin?.end();
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** An event that records the lastSeq its writer had read when it appended. */
const written = (n: number, expectedSeq: number, trigger = `race-${n}`): NewEvent => ({
  type: 'phase_transitioned',
  at: at(n),
  from: 'race',
  to: String(expectedSeq),
  trigger,
});

/** Each winning event records the lastSeq its writer had read; a fenced log has it one below its own seq. */
function expectFencedLog(events: WorkflowEvent[], total: number): void {
  expect(events.map((event) => event.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  for (const event of events.slice(1)) {
    expect(event.type === 'phase_transitioned' ? Number(event.to) : NaN).toBe(event.seq - 1);
  }
}

describe.skipIf(url === undefined)(server('postgres'), () => {
  const events = (store: Store) => `"${(store as PostgresStore).schema}".events`;
  runStoreConformance({
    name: 'postgres',
    newStore: () => openPostgresStore(url ?? '', { schema: freshSchema() }),
    damage: {
      deleteEvent: async (store, id, seq) => void (await sql(`DELETE FROM ${events(store)} WHERE workflow_id = $1 AND seq = $2`, [id, seq])),
      // The JSON column takes only JSON: a string that is not the event, under the old checksum.
      garbleEvent: async (store, id, seq) => void (await sql(`UPDATE ${events(store)} SET body = '"garbage"' WHERE workflow_id = $1 AND seq = $2`, [id, seq])),
      garbleUnchecked: async (store, id, seq) => void (await sql(`UPDATE ${events(store)} SET body = '42', checksum = NULL WHERE workflow_id = $1 AND seq = $2`, [id, seq])),
    },
  });
});

describe.skipIf(url === undefined)(server('PostgresStore'), () => {
  const opened: PostgresStore[] = [];
  const open = async (schema: string, options: Parameters<typeof openPostgresStore>[1] = {}, at = url ?? '') => {
    const store = await openPostgresStore(at, { schema, ...options });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  describe('opening a new schema', () => {
    it('creates the schema and records schema version 4', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      expect(store.schema).toBe(schema);
      expect(await store.getSetting('schema_version')).toBe('4');
      expect(await store.migrate()).toEqual([
        { version: 1, name: 'initial', status: 'already_applied' },
        { version: 2, name: 'shared-definitions', status: 'already_applied' },
        { version: 3, name: 'integrity', status: 'already_applied' },
        { version: 4, name: 'step-traces', status: 'already_applied' },
      ]);
    });

    it('reports a multi-process store with a distributed queue', async () => {
      const store = await open(freshSchema());
      expect(store.capabilities).toEqual({ multiProcessWriters: true, distributedQueue: true });
    });

    it('shows the URL without its password as the location', async () => {
      const withPassword = new URL(url ?? '');
      withPassword.password = 's3cret-pw';
      const store = await open(freshSchema(), {}, withPassword.href);
      expect(store.location).not.toContain('s3cret-pw');
      expect(store.location).toMatch(/^postgres:\/\/[^:@]+@[^:]+:\d+\/\w+$/);
    });

    it('keeps two schemas in one database apart', async () => {
      const a = await open(freshSchema());
      const b = await open(freshSchema());
      await a.createWorkflow(summary('wf_1'), note(1));
      expect(await b.getWorkflow('wf_1')).toBeUndefined();
      await b.createWorkflow(summary('wf_1', { name: 'Other' }), note(1));
      expect((await a.getWorkflow('wf_1'))?.name).toBe('Workflow wf_1');
    });
  });

  describe('migrating from several workers at once', () => {
    it('opens three stores on one new schema at the same moment without error', async () => {
      const schema = freshSchema();
      const stores = await Promise.all([open(schema), open(schema), open(schema)]);
      for (const store of stores) expect(await store.getSetting('schema_version')).toBe('4');
      await stores[0]?.createWorkflow(summary('wf_1'), note(1));
      expect((await stores[2]?.readEvents('wf_1'))?.map((event) => event.seq)).toEqual([1]);
    });

    it('applies each migration exactly once when three migrators race', async () => {
      const schema = freshSchema();
      const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: url, max: 1 }));
      try {
        const results = await Promise.all(pools.map((pool) => migratePostgres(pool, schema, 'test')));
        expect(results.map((steps) => steps[0]?.status).sort()).toEqual(['already_applied', 'already_applied', 'applied']);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
      }
    });
  });

  describe('reopening a schema', () => {
    it('refuses a schema written by a newer Converge with STORE_TOO_NEW', async () => {
      const schema = freshSchema();
      await (await openPostgresStore(url ?? '', { schema })).close();
      await sql(`UPDATE "${schema}".settings SET value = '7' WHERE key = 'schema_version'`);

      const opening = openPostgresStore(url ?? '', { schema });
      await expect(opening).rejects.toMatchObject({ ...code('STORE_TOO_NEW'), details: { schemaVersion: 7, knownVersion: 4 } });
      await expect(opening).rejects.toThrow(/schema 7, this one knows 4/);
    });

    it('refuses a schema holding a foreign events table with MIGRATION_FAILED and leaves it unchanged', async () => {
      const schema = freshSchema();
      await sql(`CREATE SCHEMA "${schema}"`);
      await sql(`CREATE TABLE "${schema}".events (id SERIAL PRIMARY KEY, what TEXT)`);

      await expect(openPostgresStore(url ?? '', { schema })).rejects.toMatchObject(code('MIGRATION_FAILED'));
      const tables = await sql('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(tables.rows.map((row: { table_name: string }) => row.table_name)).toEqual(['events']);
    });
  });

  describe('several writers on one workflow', () => {
    it('lets exactly one of six stores with the same expectedSeq win, round after round', async () => {
      const schema = freshSchema();
      const stores = await Promise.all(Array.from({ length: 6 }, () => open(schema, { poolSize: 2 })));
      await stores[0]?.createWorkflow(summary('wf_1'), note(1));

      for (let round = 0; round < 20; round++) {
        const expected = (await stores[round % 6]?.getWorkflow('wf_1'))?.lastSeq ?? 0;
        const event = written(round, expected);
        const results = await Promise.allSettled(stores.map((store) => store.append('wf_1', expected, [event], summary('wf_1'))));

        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const losers = results.filter((result) => result.status === 'rejected').map((result) => result.reason as unknown);
        expect(losers).toHaveLength(5);
        for (const loser of losers) expect(loser).toMatchObject(code('SEQUENCE_CONFLICT'));
      }
      expectFencedLog(await stores[0]!.readEvents('wf_1'), 21);
    });

    it('keeps one gapless log when eight pool clients append in a loop at once', async () => {
      const store = await open(freshSchema(), { poolSize: 8 });
      await store.createWorkflow(summary('wf_1'), note(1));
      const writers = 8;
      const appendsEach = 25;
      let conflicts = 0;

      const writer = async (): Promise<void> => {
        for (let won = 0; won < appendsEach; ) {
          const expected = (await store.getWorkflow('wf_1'))?.lastSeq ?? 0;
          try {
            await store.append('wf_1', expected, [written(won, expected)], summary('wf_1'));
            won++;
          } catch (error) {
            if (!isConvergeError(error) || error.code !== 'SEQUENCE_CONFLICT') throw error;
            conflicts++;
          }
        }
      };
      await Promise.all(Array.from({ length: writers }, writer));

      expectFencedLog(await store.readEvents('wf_1'), 1 + writers * appendsEach);
      expect((await store.getWorkflow('wf_1'))?.lastSeq).toBe(1 + writers * appendsEach);
      expect(conflicts).toBeGreaterThan(0);
    });

    it('fails a write with retryable STORE_BUSY when another transaction holds the row past the lock timeout', async () => {
      const schema = freshSchema();
      const store = await open(schema, { lockTimeoutMs: 100 });
      await store.createWorkflow(summary('wf_1'), note(1));
      const other = await new pg.Pool({ connectionString: url, max: 1 }).connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT 1 FROM "${schema}".workflows WHERE id = 'wf_1' FOR UPDATE`);
        await expect(store.append('wf_1', 1, [note(2)], summary('wf_1'))).rejects.toMatchObject({
          ...code('STORE_BUSY'),
          retryable: true,
        });
        await other.query('ROLLBACK');
        expect(await store.append('wf_1', 1, [note(2)], summary('wf_1'))).toHaveLength(1);
      } finally {
        other.release(true);
      }
    });
  });

  describe('shared workflow definitions', () => {
    const definition = sevenStep();
    const started = (requirements: string, def = definition): NewEvent => startedWith(def, requirements);

    it('stores one definition for many workflows, names it from each log, and reads the events back whole', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      // The second requirement holds a NUL, so its body is stored wrapped (see toJsonb).
      for (const [id, text] of [['wf_1', 'one'], ['wf_2', 'two \u0000'], ['wf_3', 'three']] as const) {
        await store.createWorkflow(summary(id), started(text));
      }
      expect((await sql(`SELECT COUNT(*)::int AS n FROM "${schema}".definitions`)).rows).toEqual([{ n: 1 }]);
      const hashes = await sql(`SELECT DISTINCT definition_hash FROM "${schema}".workflows`);
      expect(hashes.rows).toHaveLength(1);
      const body = await sql(`SELECT body::text AS body FROM "${schema}".events WHERE workflow_id = 'wf_1'`);
      expect(body.rows[0].body).not.toContain('"steps"');

      const fresh = await open(schema);
      expect(await fresh.readEvents('wf_2')).toEqual([{ ...started('two \u0000'), seq: 1 }]);
      expect(await fresh.readEvents('wf_3')).toEqual([{ ...started('three'), seq: 1 }]);
    });

    it('reads a log written before definitions were shared', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      await store.createWorkflow(summary('wf_old'), note(1));
      const { seq: _seq, ...old } = { ...started('old'), seq: 2 };
      await sql(`INSERT INTO "${schema}".events (workflow_id, seq, type, at, body) VALUES ('wf_old', 2, 'workflow_started', $1, $2::json)`, [at(0), JSON.stringify(old)]);
      expect((await store.readEvents('wf_old'))[1]).toEqual({ ...started('old'), seq: 2 });
    });

    it('prunes a definition with the last workflow that uses it', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      const variant = sevenStep((doc) => {
        doc.id = 'seven-step-variant';
      });
      await store.createWorkflow(summary('wf_done', { status: 'completed', updatedAt: at(1) }), started('done', variant));
      await store.createWorkflow(summary('wf_live', { updatedAt: at(1) }), started('live'));
      const count = async () => (await sql(`SELECT COUNT(*)::int AS n FROM "${schema}".definitions`)).rows[0].n as number;
      expect(await count()).toBe(2);
      expect(await store.prune(at(100))).toBe(1);
      expect(await count()).toBe(1);
      expect((await (await open(schema)).readEvents('wf_live'))[0]).toEqual({ ...started('live'), seq: 1 });
    });
  });

  describe('values JSONB cannot hold', () => {
    it('round-trips NUL characters and lone surrogates in events and snapshots', async () => {
      const store = await open(freshSchema());
      const odd = 'nul:\u0000 lone:\ud800 pair:🚀 literal:\\u0000';
      await store.createWorkflow(summary('wf_1'), written(1, 0, odd));
      expect(await store.readEvents('wf_1')).toEqual([{ ...written(1, 0, odd), seq: 1 }]);
      await store.saveSnapshot('wf_1', { seq: 1, state: { odd } });
      expect(await store.loadSnapshot('wf_1')).toEqual({ seq: 1, state: { odd } });
    });

    it('stores ordinary events as plain JSONB that SQL can query', async () => {
      const schema = freshSchema();
      const store = await open(schema);
      await store.createWorkflow(summary('wf_1'), note(1));
      const { rows } = await sql(`SELECT body->>'trigger' AS trigger FROM "${schema}".events WHERE workflow_id = 'wf_1'`);
      expect(rows).toEqual([{ trigger: 'note-1' }]);
    });
  });

  describe('a server that drops the store’s connections', () => {
    it('reconnects on the next call', async () => {
      const name = `${RUN}_terminate`;
      const withName = new URL(url ?? '');
      withName.searchParams.set('application_name', name);
      const store = await open(freshSchema(), {}, withName.href);
      await store.createWorkflow(summary('wf_1'), note(1));

      const killed = await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      expect(killed.rowCount).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await store.getWorkflow('wf_1'))?.lastSeq).toBe(1);
    });

    it('fails an append cut off mid-transaction with retryable STORE_UNAVAILABLE, then appends again', async () => {
      const schema = freshSchema();
      const name = `${RUN}_cut`;
      const withName = new URL(url ?? '');
      withName.searchParams.set('application_name', name);
      const store = await open(schema, { lockTimeoutMs: 30_000 }, withName.href);
      await store.createWorkflow(summary('wf_1'), note(1));
      const other = await new pg.Pool({ connectionString: url, max: 1 }).connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT 1 FROM "${schema}".workflows WHERE id = 'wf_1' FOR UPDATE`);
        const appending = store.append('wf_1', 1, [note(2)], summary('wf_1')).catch((e: unknown) => e);
        // Wait until the append is queued on the row lock, then cut its connection.
        for (let i = 0; i < 100; i++) {
          const waiting = await sql("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [name]);
          if (waiting.rowCount !== 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
        expect(await appending).toMatchObject({ ...code('STORE_UNAVAILABLE'), retryable: true });
        await other.query('ROLLBACK');
      } finally {
        other.release(true);
      }
      expect(await store.append('wf_1', 1, [note(2)], summary('wf_1'))).toHaveLength(1);
      expect((await store.readEvents('wf_1')).map((event) => event.seq)).toEqual([1, 2]);
    });
  });
});

describe('PostgresStore with an unreachable server', () => {
  it('fails with retryable STORE_UNAVAILABLE that names the server but never the password', async () => {
    const port = await closedPort();
    const error: unknown = await openPostgresStore(`postgres://converge:s3cret-pw@127.0.0.1:${port}/work`).catch((e: unknown) => e);

    expect(error).toMatchObject({ ...code('STORE_UNAVAILABLE'), retryable: true });
    expect((error as Error).message).toContain(`postgres://converge@127.0.0.1:${port}/work`);
    const shown = JSON.stringify({ message: (error as Error).message, ...(error as object) });
    expect(shown).not.toContain('s3cret-pw');
    expect(String((error as Error).cause)).not.toContain('s3cret-pw');
  });

  it.each(['postgres', 'postgresql'])('is what openStore opens for a %s:// URL', async (scheme) => {
    const port = await closedPort();
    const error: unknown = await openStore(`${scheme}://converge:s3cret-pw@127.0.0.1:${port}/work`).catch((e: unknown) => e);
    expect(error).toMatchObject({ ...code('STORE_UNAVAILABLE'), retryable: true });
    expect((error as Error).message).toContain(`PostgreSQL server at postgres://converge@127.0.0.1:${port}/work`);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });
});
