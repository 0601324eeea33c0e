/**
 * Budgets end to end (issue 17, part 6): a scripted session records what its calls cost; a
 * workflow whose max_cost_usd is below its spend escalates with the budget as the reason before
 * it runs another agent, and the answers raise (new limits, or doubled), accept and cancel.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/create-engine.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { WorkflowAccess } from '../../src/interfaces/shared/workflow-access.js';
import type { Caller } from '../../src/interfaces/shared/workflow-access.js';
import { openStore } from '../../src/store/index.js';
import { loadProjectConfig } from '../../src/workflows/loader.js';
import type { Budget } from '../../src/core/definition-schema.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');
const me: Caller = { name: 'ada', role: 'admin', via: 'cli' };

describe('budget', () => {
  let engine: Engine;
  let access: WorkflowAccess;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'converge-budget-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const loaded = loadProjectConfig(dir, 'converge-budget.yaml');
    engine = createEngine({ store: await openStore(':memory:'), config: loaded.config, baseDir: loaded.baseDir });
    access = new WorkflowAccess({ store: engine.store, clock: engine.clock, engine });
  });
  afterEach(() => engine.store.close());

  async function start(budget?: Budget) {
    const state = await access.start(me, { requirements: 'Write the value file', workspace: join(dir, 'project'), autoApprove: false, ...(budget ? { budget } : {}) });
    return { id: state.workflowId, outcome: await engine.runner.run(state.workflowId) };
  }

  it('escalates with the budget as the reason once the spend passes max_cost_usd', async () => {
    const { id, outcome } = await start();
    expect(outcome.waitingFor).toBe('escalation:budget');
    const state = await loadState(engine.store, id);
    expect(state.escalation).toMatchObject({ reason: 'budget', stepId: 'validate_plan', message: expect.stringContaining('$0.05 of $0.03') });
    expect(state.runs.map((r) => r.stepId)).toEqual(['plan']);
  });

  it('continues after the answer raise, to the plan gate', async () => {
    const { id } = await start();
    await access.answerEscalation(me, id, { kind: 'raise_budget', budget: { max_cost_usd: 1 } });
    const outcome = await engine.runner.run(id);
    expect(outcome.waitingFor).toBe('gate:plan_approval');
    expect((await loadState(engine.store, id)).budget).toEqual({ max_cost_usd: 1 });
  });

  it('doubles the reached limit when the raise names none', async () => {
    const { id } = await start();
    await access.answerEscalation(me, id, { kind: 'raise_budget', budget: {} });
    expect((await loadState(engine.store, id)).budget).toEqual({ max_cost_usd: 0.06 });
    // Step 2 brings the spend to $0.06, the limit again; a gate is still asked, the budget holds only agents.
    expect((await engine.runner.run(id)).waitingFor).toBe('gate:plan_approval');
  });

  it('refuses a raise that the spend already passes, and answers that do not fit a budget', async () => {
    const { id } = await start();
    await expect(access.answerEscalation(me, id, { kind: 'raise_budget', budget: { max_cost_usd: 0.04 } })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('would still be reached') });
    await expect(access.answerEscalation(me, id, { kind: 'grant_rounds', rounds: 1 })).rejects.toMatchObject({ code: 'ILLEGAL_ACTION' });
  });

  it('goes on without limits after accept, and ends on cancel', async () => {
    const accepted = await start();
    await access.answerEscalation(me, accepted.id, { kind: 'accept' });
    expect((await engine.runner.run(accepted.id)).waitingFor).toBe('gate:plan_approval');
    const cancelled = await start();
    expect((await access.answerEscalation(me, cancelled.id, { kind: 'cancel' })).status).toBe('cancelled');
  });

  it('takes a budget given at the start over converge.yaml’s', async () => {
    const { outcome } = await start({ max_cost_usd: 2 });
    expect(outcome.waitingFor).toBe('gate:plan_approval');
  });
});
