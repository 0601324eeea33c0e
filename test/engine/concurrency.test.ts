/**
 * Many workflows in one process share the per-provider concurrency limit.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { runWorker } from '../../src/engine/worker.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');

describe('engine › many workflows in one process', () => {
  it('keeps 20 concurrent workflows within a provider limit of 3 and completes them all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-concurrency-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const store = await openStore(':memory:');
    const config = ProjectConfigSchema.parse({
      checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
      agents: { default: { provider: 'scripted', session: 'session.yaml', max_concurrency: 3 } },
    });
    const engine = createEngine({ store, config, baseDir: dir });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const workspace = join(dir, `ws-${i}`);
      cpSync(join(dir, 'project'), workspace, { recursive: true });
      const state = await startWorkflow(store, engine.clock, {
        definition: engine.definition,
        requirements: 'Write the value file',
        workspace: { path: workspace, type: 'shared' },
        autoApprove: true,
      });
      ids.push(state.workflowId);
    }
    await runWorker(engine, { concurrency: 20, once: true, pollMs: 50 });
    const statuses = await Promise.all(ids.map(async (id) => (await store.getWorkflow(id))?.status));
    expect(statuses).toEqual(ids.map(() => 'completed'));
    expect(engine.limiter.peak('scripted')).toBeLessThanOrEqual(3);
    expect(engine.limiter.peak('scripted')).toBe(3);
    await store.close();
  }, 120_000);
});
