/**
 * The SQLite ops tables: the shared suite, then what only SQLite does — living in the workflow
 * store's file and being opened by several processes' connections at once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAudit } from '../../src/ops/audit/index.js';
import { openOpsStore } from '../../src/ops/open-ops-store.js';
import type { OpsStore } from '../../src/ops/ops-store.js';
import { SqliteOpsStore } from '../../src/ops/sqlite/sqlite-ops-store.js';
import { openSqliteStore } from '../../src/store/index.js';
import { cutTail } from './audit-fixtures.js';
import { runOpsStoreConformance } from './ops-store.case.js';

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'converge-ops-')), 'converge.db');
}

const paths = new WeakMap<OpsStore, string>();

runOpsStoreConformance({
  name: 'sqlite',
  newStore: async () => {
    const path = freshPath();
    const store = new SqliteOpsStore(path);
    paths.set(store, path);
    return store;
  },
  cutTail: async (store, count) => cutTail(paths.get(store)!, count),
});

describe('sqlite: ops tables beside the workflow store', () => {
  it('opens in the store file named by store.location', async () => {
    const store = await openSqliteStore(freshPath());
    const ops = await openOpsStore(store);
    await createAudit(ops.auditLog).record({ actor: 'alice', action: 'workflow.start', target: 'wf-1' });
    const again = await openOpsStore(store);
    await expect(createAudit(again.auditLog).verify()).resolves.toMatchObject({ ok: true, rows: 1 });
    await Promise.all([ops.close(), again.close(), store.close()]);
  });

  it('keeps one chain when two connections append alternately', async () => {
    const path = freshPath();
    const a = createAudit(new SqliteOpsStore(path).auditLog);
    const b = createAudit(new SqliteOpsStore(path).auditLog);
    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).record({ actor: `p${i % 2}`, action: 'workflow.start', target: `wf-${i}` });
    await expect(a.verify()).resolves.toMatchObject({ ok: true, rows: 10 });
  });
});
