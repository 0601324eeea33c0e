/**
 * No hidden cap (issue 19): a worker finds runnable workflows a page at a time, so it drives more
 * of them than one page holds, and the pages neither skip nor repeat rows that share a time.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import { keysetPages, RunnableScan } from '../../src/engine/runnable-scan.js';
import { runWorker } from '../../src/engine/worker.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { openStore } from '../../src/store/index.js';
import { loadProjectConfig } from '../../src/workflows/loader.js';
import { copyFixture } from '../e2e/helpers/cli.js';
import { startWorkflows } from '../scale/scale-helpers.js';

describe('runWorker › more runnable workflows than one page', () => {
  it('drives all 7 workflows to completion with pages of 2 rows', async () => {
    const dir = copyFixture('scale');
    const store = await openStore(':memory:');
    const ids = await startWorkflows(store, dir, 7);
    const { config, baseDir } = loadProjectConfig(dir);
    const finished = await runWorker(createEngine({ store, config, baseDir }), { concurrency: 10, once: true, pollMs: 20, pageSize: 2 });
    const statuses = await Promise.all(ids.map(async (id) => (await store.getWorkflow(id))!.status));
    expect(statuses).toEqual(ids.map(() => 'completed'));
    expect(finished).toBeGreaterThanOrEqual(7);
    await store.close();
  }, 60_000);
});

describe('keysetPages › rows that share an updated_at', () => {
  it('reads each of 9 rows once, in the stores’ order, with pages of 2 cut inside groups of equal times', async () => {
    const dir = copyFixture('scale');
    const store = await openStore(':memory:');
    const { config, baseDir } = loadProjectConfig(dir);
    const engine = createEngine({ store, config, baseDir });
    // Three groups of three workflows started in the same millisecond.
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const clock = { ...engine.clock, now: () => new Date(now).toISOString(), nowMs: () => now };
    for (let i = 0; i < 9; i++) {
      if (i % 3 === 0) now += 1000;
      await startWorkflow(store, clock, { definition: engine.definition, requirements: `#${i}`, workspace: { path: dir, type: 'shared' } });
    }
    const pages: string[][] = [];
    for await (const page of keysetPages(store, {}, 2)) pages.push(page.map((row) => row.id));
    expect(pages.flat()).toEqual((await store.listWorkflows({})).map((row) => row.id));
    expect(pages.length).toBeGreaterThan(1);

    // A scan keeps the runnable ones (all 9 are running, waiting for nobody until driven).
    const scan = new RunnableScan(store, () => now, { pageSize: 2 });
    expect(await scan.refresh()).toBe(true);
    expect(scan.size).toBe(9);
    expect(await scan.refresh()).toBe(false);
    await store.close();
  });
});
