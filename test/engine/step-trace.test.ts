/**
 * Step traces written by the engine (issue 17, part 2): each agent run leaves its rendered prompt,
 * its answer as written and its times beside the log, on every store; a trace that cannot be
 * written costs only the trace, never the run.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { loadProjectConfig } from '../../src/workflows/loader.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');

async function toPlanGate(store: Store) {
  const dir = mkdtempSync(join(tmpdir(), 'converge-trace-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const loaded = loadProjectConfig(dir, 'converge-gates.yaml');
  const engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir });
  const state = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: join(dir, 'project'), type: 'shared' }, profile: engine.profile.id });
  const outcome = await engine.runner.run(state.workflowId, { waitForHumans: false });
  return { id: state.workflowId, outcome, dir };
}

describe.each([
  ['memory', () => openStore('memory:')],
  ['SQLite', () => openStore(join(mkdtempSync(join(tmpdir(), 'converge-trace-db-')), 'store.db'))],
])('step traces on the %s store', (_name, open) => {
  it('keeps each run\'s rendered prompt and its answer as written', async () => {
    const store = await open();
    try {
      const { id, outcome, dir } = await toPlanGate(store);
      expect(outcome.waitingFor).toBe('gate:plan_approval');
      const traces = await store.listTraces(id);
      const state = await store.readEvents(id);
      const scheduled = state.filter((e) => e.type === 'step_scheduled').map((e) => (e as { actionId: string }).actionId);
      expect(traces.map((t) => t.actionId)).toEqual(scheduled);
      const first = traces[0]!;
      expect(first).toMatchObject({ stepNumber: 1, stepId: 'plan', attempt: 1, error: null });
      expect(first.agent).toMatch(/^scripted/);
      expect(first.prompts[0]!.template).toBe('step1_initial_planner_prompt_template.md');
      expect(first.prompts[0]!.text).toContain('Write the value file');
      expect(first.outputs[0]!.text).toBe(readFileSync(join(dir, 'outputs', 'plan-v1.md'), 'utf8'));
      expect(first.completedAt! >= first.startedAt).toBe(true);
      expect((await store.listTraces(id, 2)).every((t) => t.stepNumber === 2)).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('a trace that cannot be written', () => {
  it('leaves the run to finish and record its result', async () => {
    const store = await openStore('memory:');
    store.putTrace = () => Promise.reject(new Error('disk full'));
    try {
      const { id, outcome } = await toPlanGate(store);
      expect(outcome.waitingFor).toBe('gate:plan_approval');
      expect((await store.readEvents(id)).some((e) => e.type === 'validation_recorded')).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});
