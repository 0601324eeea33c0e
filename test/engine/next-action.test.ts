/**
 * nextAction: what a host-driven workflow needs now — a step result with its rendered prompts,
 * an approval with scores against thresholds, an escalation answer, or nothing.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../src/core/definition-schema.js';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/create-engine.js';
import { nextAction } from '../../src/engine/next-action.js';
import { respondToGate, startWorkflow, submitStepResult } from '../../src/engine/workflow-commands.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';
import { sevenStep } from '../core/helpers.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');
const output = (name: string) => readFileSync(join(FIXTURE, 'outputs', name), 'utf8');

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function hostWorkflow(
  definition?: WorkflowDefinition,
  checks: unknown[] = [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
  editsInPlace?: boolean,
): Promise<{ engine: Engine; id: string; workspace: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-next-action-'));
  cpSync(join(FIXTURE, 'project'), dir, { recursive: true });
  store = await openStore(':memory:');
  const config = ProjectConfigSchema.parse({
    checks,
    agents: { default: { provider: 'external' } },
  });
  const engine = createEngine({ store, config, baseDir: dir });
  const state = await startWorkflow(store, engine.clock, {
    definition: definition ?? engine.definition,
    requirements: 'Write the value file',
    workspace: { path: dir, type: 'shared' },
    agentMode: 'host',
    ...(editsInPlace === undefined ? {} : { editsInPlace }),
  });
  return { engine, id: state.workflowId, workspace: dir };
}

async function submit(engine: Engine, id: string, step: number, ...files: string[]) {
  await submitStepResult(engine.store, engine.executor, id, step, files.map(output));
  return engine.runner.run(id, { waitForHumans: false });
}

/** Runs the plan loop with the converging plan, approves it, and leaves the workflow at step 4. */
async function throughPlanApproval(engine: Engine, id: string) {
  await engine.runner.run(id, { waitForHumans: false });
  await submit(engine, id, 1, 'plan-v2.md');
  await submit(engine, id, 2, 'plan-review-2.md');
  await respondToGate(engine.store, engine.clock, id, { decision: 'approve' }, { id: 'tester', via: 'cli' });
  await engine.runner.run(id, { waitForHumans: false });
}

async function next(engine: Engine, id: string) {
  return nextAction(engine, await loadState(engine.store, id));
}

describe('nextAction', () => {
  describe('a host workflow just started', () => {
    it('reports nothing to do until the runner schedules step 1', async () => {
      const { engine, id } = await hostWorkflow();
      expect(await next(engine, id)).toMatchObject({ kind: 'none', status: 'running', message: expect.stringContaining('deciding') });
    });

    it('asks for the step 1 plan with the rendered planner prompt', async () => {
      const { engine, id, workspace } = await hostWorkflow();
      await engine.runner.run(id, { waitForHumans: false });
      const action = await next(engine, id);
      expect(action).toMatchObject({
        kind: 'submit_step_result',
        step_number: 1,
        step_id: 'plan',
        role: 'planner',
        templates: ['step1_initial_planner_prompt_template.md'],
        expected_output: { format: 'plan', texts: 1 },
        workspace: { path: workspace },
      });
      if (action.kind !== 'submit_step_result') throw new Error('unreachable');
      expect(action.prompts).toHaveLength(1);
      expect(action.prompts[0]!.text).toContain('Write the value file');
      expect(action.expected_output.description).toContain('# Implementation Plan');
    });
  });

  describe('a plan validation', () => {
    it('asks for one report naming the rubric dimensions', async () => {
      const { engine, id } = await hostWorkflow();
      await engine.runner.run(id, { waitForHumans: false });
      await submit(engine, id, 1, 'plan-v1.md');
      const action = await next(engine, id);
      expect(action).toMatchObject({ kind: 'submit_step_result', step_number: 2, role: 'validator', expected_output: { format: 'report', texts: 1 } });
      if (action.kind !== 'submit_step_result') throw new Error('unreachable');
      expect(action.expected_output.description).toContain('- Alignment Score: <0-10>/10');
      expect(action.prompts[0]!.text).toContain('Write src/value.txt');
    });

    it('asks for the approval of the converged plan with scores against thresholds', async () => {
      const { engine, id } = await hostWorkflow();
      await engine.runner.run(id, { waitForHumans: false });
      await submit(engine, id, 1, 'plan-v2.md');
      await submit(engine, id, 2, 'plan-review-2.md');
      const action = await next(engine, id);
      expect(action).toMatchObject({
        kind: 'respond_to_approval',
        gate: { id: 'plan_approval' },
        step: { id: 'validate_plan', number: 2 },
        answers: ['approve', 'reject', 'request_changes'],
        summary: { converged: true, round: 1, issues: { critical: 0 } },
      });
      if (action.kind !== 'respond_to_approval') throw new Error('unreachable');
      expect(action.summary.scores).toContainEqual({ dimension: 'alignment', score: 9.5, min: 9 });
      expect(action.how).toContain('step 3');
    });
  });

  describe('a code validation with checks', () => {
    it('asks for two reports, one per template, with the check results already run', async () => {
      const { engine, id } = await hostWorkflow();
      await throughPlanApproval(engine, id);
      await submit(engine, id, 4, 'code-v2.md');
      const action = await next(engine, id);
      expect(action).toMatchObject({
        kind: 'submit_step_result',
        step_number: 5,
        expected_output: { format: 'report', texts: 2 },
        check_results: [{ id: 'value', status: 'passed', required: true }],
      });
      if (action.kind !== 'submit_step_result') throw new Error('unreachable');
      expect(action.prompts.map((p) => p.template)).toEqual([
        'step5a_two_level_validation_agent_prompt_template.md',
        'step5b_two_level_standardization_validation_agent_prompt_template.md',
      ]);
      expect(action.prompts[0]!.text).toContain('value');
      expect(action.expected_output.description).toContain('texts[1] answers prompts[1]');
    });

    it('asks for the reviews at once when the project has no checks', async () => {
      const { engine, id } = await hostWorkflow(undefined, []);
      await throughPlanApproval(engine, id);
      await submit(engine, id, 4, 'code-v2.md');
      expect(await next(engine, id)).toMatchObject({ kind: 'submit_step_result', step_number: 5, check_results: [] });
    });

    it('tells a host that edits in place (the default) that its changes in the workspace are recorded, and which checks verify them', async () => {
      const { engine, id } = await hostWorkflow();
      await throughPlanApproval(engine, id);
      const action = await next(engine, id);
      expect(action).toMatchObject({ kind: 'submit_step_result', step_number: 4, expected_output: { format: 'files' } });
      if (action.kind !== 'submit_step_result') throw new Error('unreachable');
      expect(action.workspace.note).toContain('records every file that differs from it when you submit');
      expect(action.workspace.note).not.toContain('NOT recorded');
      expect(action.expected_output.description).toContain('a short summary of what you changed');
      expect(action.prompts[0]!.text).toContain('Edit the files in the workspace directly');
      expect(action.prompts[0]!.text).toContain('- `node check.mjs`: value');
    });

    it('says a host that returns blocks (edits_in_place false) must return files as blocks to have them recorded', async () => {
      const { engine, id } = await hostWorkflow(undefined, undefined, false);
      await throughPlanApproval(engine, id);
      const action = await next(engine, id);
      expect(action).toMatchObject({ kind: 'submit_step_result', step_number: 4, expected_output: { format: 'files' } });
      if (action.kind !== 'submit_step_result') throw new Error('unreachable');
      expect(action.workspace.note).toContain('NOT recorded');
      expect(action.expected_output.description).toContain('# File: <relative path>');
    });
  });

  describe('a plan loop at its cap', () => {
    it('asks for an escalation answer with the allowed answers', async () => {
      const { engine, id } = await hostWorkflow(sevenStep((doc) => (doc.loops[0].max_rounds = 1)));
      await engine.runner.run(id, { waitForHumans: false });
      await submit(engine, id, 1, 'plan-v1.md');
      await submit(engine, id, 2, 'plan-review-1.md');
      const action = await next(engine, id);
      expect(action).toMatchObject({
        kind: 'answer_escalation',
        reason: 'cap_reached',
        step: { id: 'validate_plan' },
        answers: ['grant_rounds', 'accept', 'send_back', 'retry', 'cancel'],
        summary: { converged: false },
      });
    });
  });

  describe('a step run by a configured agent', () => {
    it('reports nothing to do while the agent works', async () => {
      const { engine, id } = await hostWorkflow();
      await engine.runner.run(id, { waitForHumans: false });
      const busy = { executor: { ...engine.executor, agentFor: () => ({ kind: 'agent' as const, agent: {} as never }) } };
      expect(await nextAction(busy, await loadState(engine.store, id))).toMatchObject({ kind: 'none', message: expect.stringContaining('configured planner agent') });
    });
  });

  describe('a finished workflow', () => {
    it('reports nothing to do with the final status', async () => {
      const { engine, id } = await hostWorkflow();
      await engine.runner.run(id, { waitForHumans: false });
      await submit(engine, id, 1, 'plan-v2.md');
      await submit(engine, id, 2, 'plan-review-2.md');
      await respondToGate(engine.store, engine.clock, id, { decision: 'reject' }, { id: 'tester', via: 'cli' });
      await engine.runner.run(id, { waitForHumans: false });
      expect(await next(engine, id)).toMatchObject({ kind: 'none', status: 'rejected' });
    });
  });
});
