/**
 * `converge decide` reproduces the seed's three JSON examples from states in the seed's schema.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge } from './helpers/cli.js';

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
});
