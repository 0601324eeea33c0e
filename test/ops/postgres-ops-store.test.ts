/**
 * The PostgreSQL ops tables against a real server named by CONVERGE_TEST_PG_URL, each run in a
 * schema of its own (dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { PostgresOpsStore } from '../../src/ops/postgres/postgres-ops-store.js';
import { runOpsStoreConformance } from './ops-store.case.js';

const url = process.env.CONVERGE_TEST_PG_URL;
const SKIP_REASON = 'CONVERGE_TEST_PG_URL is not set; start a server with: eval "$(scripts/pg-test-server.sh start)"';
const schemas: string[] = [];

if (url === undefined) {
  describe.skip(`postgres ops store (skipped: ${SKIP_REASON})`, () => {
    it('runs the shared suite', () => undefined);
  });
} else {
  runOpsStoreConformance({
    name: 'postgres',
    newStore: async () => {
      const schema = `converge_ops_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      return PostgresOpsStore.open({ url, schema });
    },
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
}
