/**
 * The seed's three usage examples (seed-workflow-orchestrator.md, "Usage Examples"), reproduced
 * exactly: each `input` is read by fromSeedState, and decide() gives the documented decision.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { seedDecision } from '../../src/core/decision.js';
import { fromSeedState } from '../../src/core/seed-state.js';
import { named, seedFields, sevenStep } from './helpers.js';

const EXAMPLES = [
  {
    name: 'Example 1: workflow initialization',
    json: {
      input: {
        requirements: 'Create a new data preprocessing step for tabular data',
        workspace_type: 'shared',
        documentation_locations: ['slipbox/0_developer_guide/', 'src/cursus/steps/'],
      },
      orchestrator_decision: {
        action_type: 'invoke_agent',
        target_agent: 'planner',
        template_to_use: 'step1_initial_planner_prompt_template.md',
        step_number: 1,
      },
    },
  },
  {
    name: 'Example 2: phase transition',
    json: {
      input: {
        validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 },
      },
      orchestrator_decision: {
        action_type: 'transition_phase',
        target_agent: 'programmer',
        template_to_use: 'step4_programmer_prompt_template.md',
        step_number: 4,
        rationale: 'All validation scores exceed thresholds - ready for implementation',
      },
    },
  },
  {
    name: 'Example 3: error recovery',
    json: {
      input: { agent_error: { agent: 'validator', step: 5, error_type: 'validation_timeout' } },
      orchestrator_decision: {
        action_type: 'retry_with_recovery',
        target_agent: 'validator',
        template_to_use: 'step5a_two_level_validation_agent_prompt_template.md',
        recovery_strategy: 'extended_timeout',
        step_number: 5,
      },
    },
  },
] as const;

const definition = sevenStep();

describe('seed examples', () => {
  it.each(named(EXAMPLES))('%s gives the documented decision', (_, { json }) => {
    const decision = decide(definition, fromSeedState(json, definition));
    const { rationale: _rationale, ...documented } = json.orchestrator_decision as Record<string, unknown>;
    expect(seedFields(decision)).toEqual(documented);
  });

  it.each(named(EXAMPLES))("%s gives the documented fields in the seed's own view", (_, { json }) => {
    const view = seedDecision(decide(definition, fromSeedState(json, definition))!);
    const { rationale: _rationale, ...documented } = json.orchestrator_decision as Record<string, unknown>;
    expect(view).toMatchObject(documented);
    expect(Object.keys(view).slice(0, Object.keys(documented).length)).toEqual(Object.keys(documented));
  });

  it('Example 1 hands the requirements and documentation locations to the planner', () => {
    const decision = decide(definition, fromSeedState(EXAMPLES[0].json, definition))!;
    expect(decision.context_to_provide).toMatchObject({
      current_step: 1,
      current_phase: 'phase_1',
      requirements: 'Create a new data preprocessing step for tabular data',
      documentation_locations: ['slipbox/0_developer_guide/', 'src/cursus/steps/'],
      workspace_context: { workspace_type: 'shared' },
    });
  });

  it('Example 2 moves from phase_1 to phase_2 and hands over the validated plan', () => {
    const decision = decide(definition, fromSeedState(EXAMPLES[1].json, definition))!;
    expect(decision.next_phase).toBe('phase_2');
    expect(decision.rationale).toContain('phase_1 to phase_2');
    expect(decision.context_to_provide).toMatchObject({ implementation_plan: { ref: 'output', artifact: 'plan', version: 1 } });
  });

  it('Example 2 with scores below the thresholds goes to step 3 instead, naming the failing score', () => {
    const json = { input: { validation_scores: { alignment_score: 8.5, standardization_score: 8.5, compatibility_score: 8.8 } } };
    const decision = decide(definition, fromSeedState(json, definition))!;
    expect(seedFields(decision)).toEqual({
      action_type: 'invoke_agent',
      target_agent: 'planner',
      template_to_use: 'step3_revision_planner_prompt_template.md',
      step_number: 3,
    });
    expect(decision.rationale).toContain('alignment 8.5 < 9.0');
  });

  it('Example 3 doubles the step timeout and names the error', () => {
    const decision = decide(definition, fromSeedState(EXAMPLES[2].json, definition))!;
    expect(decision.timeout_ms).toBe(2 * definition.timeouts.step_s * 1000);
    expect(decision.attempt).toBe(2);
    expect(decision.rationale).toContain('timeout');
  });
});
