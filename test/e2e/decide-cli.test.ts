/**
 * `converge decide` reproduces the seed's three JSON examples, and reads states written in the
 * seed's `workflow_state_schema.md` — its names, the order of its history — as their authors meant
 * them. `converge export` writes that schema, and reading an export back keeps its names.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromSeedState, toSeedState } from '../../src/core/seed-state.js';
import { loadDefinition } from '../../src/workflows/loader.js';
import { schemaKeyReport } from '../fixtures/seed-state/schema-keys.js';
import { converge, ROOT } from './helpers/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'converge-decide-'));

function input(name: string, value: unknown): string {
  writeFileSync(join(cwd, name), JSON.stringify(value));
  return name;
}

describe('converge decide', () => {
  it.each([
    [
      'example 1: workflow start',
      { input: { requirements: 'Create a new data preprocessing step for tabular data', workspace_type: 'shared', documentation_locations: ['slipbox/0_developer_guide/', 'src/cursus/steps/'] } },
      { action_type: 'invoke_agent', target_agent: 'planner', template_to_use: 'step1_initial_planner_prompt_template.md', step_number: 1 },
    ],
    [
      'example 2: phase transition',
      { input: { validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } } },
      { action_type: 'transition_phase', target_agent: 'programmer', template_to_use: 'step4_programmer_prompt_template.md', step_number: 4 },
    ],
    [
      'example 3: error recovery',
      { input: { agent_error: { agent: 'validator', step: 5, error_type: 'validation_timeout' } } },
      { action_type: 'retry_with_recovery', target_agent: 'validator', template_to_use: 'step5a_two_level_validation_agent_prompt_template.md', recovery_strategy: 'extended_timeout', step_number: 5 },
    ],
  ])('reproduces the seed %s', async (name, state, expected) => {
    const result = await converge(['decide', input(`${name.slice(0, 9).replace(/\W/g, '')}.json`, state)], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject(expected);
  });

  it('names a malformed field of a seed state', async () => {
    const result = await converge(['decide', input('bad.json', { workflow_id: 'w1', status: 'running', current_step: 'two' })], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/current_step/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  const fixture = (name: string) => {
    copyFileSync(join(ROOT, 'test', 'fixtures', 'seed-state', name), join(cwd, name));
    return name;
  };
  const decideJson = async (args: string[]) => {
    const result = await converge(['decide', ...args], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  it("accepts the schema's error record (error_type, error_message, error_details, recovery_attempts) at step 5 and retries with a longer timeout", async () => {
    const state = {
      workflow_id: 'wf_hand',
      workflow_name: 'Tabular preprocessing',
      status: 'running',
      current_phase: 'phase_2',
      current_step: 5,
      last_completed_step: 4,
      step_history: [
        { step_number: 1, agent: 'planner', status: 'completed', error_info: null },
        { step_number: 2, agent: 'validator', status: 'completed', validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 }, error_info: null },
        { step_number: 4, agent: 'programmer', status: 'completed', error_info: null },
        {
          step_number: 5,
          agent: 'validator',
          status: 'failed',
          error_info: {
            error_type: 'validation_timeout',
            error_message: 'Validator agent timed out after 300 seconds',
            error_details: { agent: 'validator', step: 5, template: 'step5a_two_level_validation_agent_prompt_template.md', timeout_duration: 300, partial_output: {} },
            recovery_attempts: 0,
          },
        },
      ],
      human_approvals: { plan_approved: true, plan_approval_timestamp: null, plan_approver: 'lead' },
    };
    expect(await decideJson([input('timeout-at-5.json', state)])).toMatchObject({
      action_type: 'retry_with_recovery',
      target_agent: 'validator',
      template_to_use: 'step5a_two_level_validation_agent_prompt_template.md',
      step_number: 5,
      rationale: expect.stringContaining('Validator agent timed out after 300 seconds'),
      recovery_strategy: 'extended_timeout',
    });
    expect(await decideJson([fixture('validation-timeout.json'), '--full'])).toMatchObject({
      action_type: 'retry_with_recovery',
      recovery_strategy: 'extended_timeout',
      attempt: 3,
      timeout_ms: 1_200_000,
    });
  });

  it('gives step 5 to a state whose step 4 completed (current_step 4, last_completed_step 4), whatever its timestamps say', async () => {
    expect(await decideJson([fixture('step4-completed.json')])).toMatchObject({ action_type: 'invoke_agent', target_agent: 'validator', step_number: 5 });
  });

  it('says a state waiting at an escalation waits at an escalation', async () => {
    const state = {
      workflow_id: 'wf_hand',
      status: 'paused',
      step_history: [{ step_number: 1, agent: 'planner', status: 'failed', error_info: { error_type: 'auth', error_message: 'API key rejected' } }],
      escalations: [{ reason: 'failure', step_number: 1, message: 'Step 1 (plan) failed with auth: API key rejected.', answer: null }],
    };
    expect(await decideJson([input('escalated.json', state)])).toEqual({
      action_type: null,
      status: 'waiting_for_human',
      waiting_for: 'escalation',
      step_number: 1,
      rationale: expect.stringMatching(/^Waits at an escalation: step 1 \(plan\) was escalated to a person because it failed/),
    });
  });

  it('names what is wrong in an error record, without a stack trace', async () => {
    const state = { workflow_id: 'w1', status: 'running', step_history: [{ step_number: 1, status: 'failed', error_info: { error_message: 'boom' } }] };
    const result = await converge(['decide', input('no-type.json', state)], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('step_history[0].error_info.error_type: needs error_type');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exports a recorded workflow in the schema's names, and keeps them when read back", async () => {
    const demo = await converge(['demo'], { cwd });
    expect(demo.exitCode, demo.stderr).toBe(0);
    const id = /converge show (wf-[0-9a-f]+)/.exec(demo.stdout)![1]!;
    const exported = await converge(['export', id, '--format', 'seed-state'], { cwd });
    expect(exported.exitCode, exported.stderr).toBe(0);
    const seed = JSON.parse(exported.stdout) as unknown;

    const written = schemaKeyReport(seed);
    expect(written.missing).toEqual([]);
    // The demo's steps all succeed, so it has no error record; every other object of the schema is there.
    expect(written.unseen).toEqual(['step_history[].error_info', 'step_history[].error_info.error_details', 'step_history[].error_info.recovery_strategies[]']);

    const readBack = toSeedState(fromSeedState(seed, loadDefinition('seven-step')));
    expect(schemaKeyReport(readBack)).toEqual(written);
    expect(keyPaths(readBack)).toEqual(keyPaths(seed));

    writeFileSync(join(cwd, 'demo-export.json'), exported.stdout);
    expect(await decideJson(['demo-export.json'])).toMatchObject({ action_type: null, status: 'completed', waiting_for: 'ended' });
    expect(JSON.parse(readFileSync(join(cwd, 'demo-export.json'), 'utf8'))).toMatchObject({ workflow_id: id, status: 'completed' });
  }, 120_000);
});

/** Every key path of a JSON document, array items merged: the shape without the values. */
function keyPaths(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => keyPaths(item, `${at}[]`)))].sort();
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${at}.${key}`, ...keyPaths(inner, `${at}.${key}`)]).sort();
}
