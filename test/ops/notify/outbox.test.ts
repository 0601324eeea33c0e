/** The outbox suite on memory, SQLite and (with CONVERGE_TEST_PG_URL) PostgreSQL. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { MemoryOutbox } from '../../../src/ops/memory/memory-outbox.js';
import { PostgresOpsStore } from '../../../src/ops/postgres/postgres-ops-store.js';
import { SqliteOpsStore } from '../../../src/ops/sqlite/sqlite-ops-store.js';
import { runOutboxConformance } from './outbox.case.js';

runOutboxConformance({ name: 'memory', open: async () => ({ outbox: new MemoryOutbox(), close: async () => undefined }) });

runOutboxConformance({
  name: 'sqlite',
  open: async () => {
    const ops = new SqliteOpsStore(join(mkdtempSync(join(tmpdir(), 'converge-outbox-')), 'converge.db'));
    return { outbox: ops.outbox, close: () => ops.close() };
  },
});

const url = process.env.CONVERGE_TEST_PG_URL;
if (url === undefined) {
  describe.skip('outbox (postgres) (skipped: CONVERGE_TEST_PG_URL is not set; start a server with: eval "$(scripts/pg-test-server.sh start)")', () => undefined);
} else {
  runOutboxConformance({
    name: 'postgres',
    open: async () => {
      const schema = `outbox_${randomBytes(4).toString('hex')}`;
      const ops = await PostgresOpsStore.open({ url, schema, auditKeyFile: join(mkdtempSync(join(tmpdir(), 'converge-pg-key-')), 'audit.key'), env: {} });
      return {
        outbox: ops.outbox,
        close: async () => {
          await ops.close();
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA ${schema} CASCADE`).finally(() => client.end());
        },
      };
    },
  });
}
