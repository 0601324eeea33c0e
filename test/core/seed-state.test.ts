/**
 * The seed's state document both ways: toSeedState (export) and fromSeedState (what a team that
 * runs the seven steps by hand gives `converge decide`).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reduce } from '../../src/core/apply.js';
import { decide } from '../../src/core/decide.js';
import type { Decision } from '../../src/core/decision.js';
import { isConvergeError } from '../../src/core/errors.js';
import type { ConvergeError } from '../../src/core/errors.js';
import { fromSeedState, SeedStateInputSchema, toSeedState, waitingRationale } from '../../src/core/seed-state.js';
import type { SeedState } from '../../src/core/seed-state.js';
import type { WorkflowState } from '../../src/core/state.js';
import { schemaKeyReport } from '../fixtures/seed-state/schema-keys.js';
import { FAILING_CODE, FAILING_PLAN, named, PASSING_CODE, PASSING_PLAN, Run, seedFields, sevenStep, simulate, T0 } from './helpers.js';

const def = sevenStep();

/** A whole run: one plan revision (whose first attempt timed out), one code refinement, both gates approved. */
function convergedRun(): Run {
  const run = new Run(def, { taskType: 'Processing', profile: 'cursus' })
    .produce('plan', '# Implementation Plan v1\nDetails')
    .validate('validate_plan', FAILING_PLAN)
    .fail('revise_plan', 'timeout', { message: 'Planner timed out after 300 seconds' });
  run.follow(run.decide()!).output('# Implementation Plan v2\nMore details');
  run.validate('validate_plan', PASSING_PLAN).askGate('plan_approval', 'validate_plan').answerGate('approve');
  run.follow(run.decide()!).output('code', ['src/step.py', 'src/contract.py']);
  run.validate('validate_code', FAILING_CODE).produce('refine_code', 'fixed', ['src/step.py']).validate('revalidate_code', PASSING_CODE);
  run.askGate('final_approval', 'revalidate_code').answerGate('approve');
  return run.follow(run.decide()!);
}

describe('toSeedState › a converged run', () => {
  const run = convergedRun();
  const state = run.state();
  const seed = toSeedState(state);

  it('has the identity, status and position fields', () => {
    expect(seed).toMatchObject({
      schema_version: '1.0.0',
      workflow_id: 'wf_test',
      workflow_name: def.name,
      created_at: Run.timeOf(1),
      updated_at: run.events.at(-1)!.at,
      status: 'completed',
      converge_status: 'completed',
      current_phase: 'phase_2',
      current_step: 7,
      last_completed_step: 7,
      total_execution_time: run.events.length - 1,
    });
  });

  it('lists every step run in step_history, with agent, template and status', () => {
    expect(seed.step_history.map((e) => [e.step_number, e.agent, e.template, e.status])).toEqual([
      [1, 'planner', 'step1_initial_planner_prompt_template.md', 'completed'],
      [2, 'validator', 'step2_plan_validator_prompt_template.md', 'completed'],
      [3, 'planner', 'step3_revision_planner_prompt_template.md', 'failed'],
      [3, 'planner', 'step3_revision_planner_prompt_template.md', 'completed'],
      [2, 'validator', 'step2_plan_validator_prompt_template.md', 'completed'],
      [4, 'programmer', 'step4_programmer_prompt_template.md', 'completed'],
      [5, 'validator', 'step5a_two_level_validation_agent_prompt_template.md', 'completed'],
      [6, 'programmer', 'step6_code_refinement_programmer_prompt_template.md', 'completed'],
      [7, 'validator', 'step5a_two_level_validation_agent_prompt_template.md', 'completed'],
    ]);
    const first = seed.step_history[0]!;
    expect(first.execution_time).toBe(1);
    expect(first.output).toEqual({ artifact: 'plan', version: 1, summary: '# Implementation Plan v1', files: [] });
  });

  it('gives a validation its scores and a summary of its report', () => {
    const validation = seed.step_history[1]!;
    expect(validation.validation_scores).toEqual({ alignment_score: 8.5, standardization_score: 8.5, compatibility_score: 8.8, overall_score: 8.6 });
    expect(validation.output).toMatchObject({ report_kind: 'plan', critical_issues: 0, converged: false, unmet: ['alignment 8.5 < 9.0'] });
    expect(seed.step_history[6]!.output).toMatchObject({ report_kind: 'code', checks: [{ id: 'tests', status: 'failed', required: true, coverage: 91 }, { id: 'tsc', status: 'passed' }] });
  });

  it('gives a failed step its error_info and the recovery that followed', () => {
    expect(seed.step_history[2]!.error_info).toEqual({
      error_type: 'timeout',
      error_message: 'Planner timed out after 300 seconds',
      error_details: { agent: 'planner', step: 3, template: 'step3_revision_planner_prompt_template.md', timeout_duration: 300, partial_output: null },
      recovery_attempts: 0,
      recovery_strategies: [{ strategy: 'extended_timeout', attempted_at: seed.step_history[3]!.scheduled_at, result: 'success' }],
    });
    expect(seed.step_history[3]!.error_info).toBeNull();
    expect(seed.step_history[3]!.input_context).toEqual({ attempt: 2, timeout_ms: 600_000, recovery_strategy: 'extended_timeout' });
  });

  it('has the convergence status, with the criteria read from the definition', () => {
    expect(seed.convergence_status).toMatchObject({
      phase_1_converged: true,
      phase_2_converged: true,
      convergence_criteria: { alignment_threshold: 9, standardization_threshold: 8, compatibility_threshold: 8, max_critical_issues: 0 },
    });
    expect(seed.convergence_status.convergence_history.map((h) => [h.phase, h.step_number, h.attempt, h.converged])).toEqual([
      ['phase_1', 2, 1, false],
      ['phase_1', 2, 2, true],
      ['phase_2', 5, 1, false],
      ['phase_2', 7, 2, true],
    ]);
  });

  it('has the human approvals, with the per-gate fields, and their history', () => {
    const approvals = seed.human_approvals;
    expect(approvals).toMatchObject({
      plan_approved: true,
      plan_approval_timestamp: state.approvals[0]!.at,
      plan_approver: 'ada',
      code_approved: false,
      code_approval_timestamp: null,
      code_approver: null,
      final_approved: true,
      final_approver: 'ada',
    });
    expect(approvals.approval_history.map((a) => [a.approval_type, a.gate_id, a.status])).toEqual([
      ['plan', 'plan_approval', 'approved'],
      ['final', 'final_approval', 'approved'],
    ]);
    expect(seed.pending_approval).toBeNull();
  });

  it('has the workspace, the requirements and the artifacts', () => {
    expect(seed.workspace_context).toEqual({
      developer_type: 'shared',
      workspace_type: 'shared',
      workspace_path: '/repo',
      project_context: { project_name: null, project_type: 'cursus', target_environment: null },
      file_locations: { builders_path: null, configs_path: null, specs_path: null, contracts_path: null, scripts_path: null },
    });
    expect(seed.requirements).toEqual({
      initial_requirements: 'Create a new data preprocessing step for tabular data',
      step_type: 'Processing',
      documentation_locations: ['slipbox/0_developer_guide/', 'src/cursus/steps/'],
      special_requirements: [],
      constraints: [],
    });
    expect(seed.artifacts.implementation_plan).toBe('# Implementation Plan v2\nMore details');
    expect(seed.artifacts.generated_code).toEqual({
      builder: null,
      config: null,
      spec: null,
      contract: null,
      script: null,
      files: ['src/step.py', 'src/contract.py'],
    });
    expect(seed.artifacts.validation_reports).toHaveLength(4);
    expect(seed.artifacts.revision_history.map((r) => [r.artifact, r.version, r.step_number])).toEqual([
      ['plan', 1, 1],
      ['plan', 2, 3],
      ['code', 1, 4],
      ['code', 2, 6],
    ]);
  });

  it('counts iterations, failures, recoveries and human interventions', () => {
    expect(seed.metrics).toEqual({
      total_iterations: 4,
      phase_1_iterations: 2,
      phase_2_iterations: 2,
      validation_failures: 2,
      recovery_actions: 1,
      human_interventions: 2,
    });
  });

  it('records the phase transition with the approval that allowed it', () => {
    expect(seed.phase_transitions).toEqual([
      {
        from_phase: 'phase_1',
        to_phase: 'phase_2',
        trigger: 'test',
        timestamp: expect.any(String),
        validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8, overall_score: 8.83 },
        human_approval_required: true,
        human_approval_status: 'approved',
      },
    ]);
  });

  it('gives the latest plan scores at the top level, as in the seed\'s Example 2', () => {
    expect(seed.validation_scores).toEqual({ alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 });
  });

  it('is plain JSON that fromSeedState accepts', () => {
    const json = JSON.parse(JSON.stringify(seed)) as unknown;
    expect(json).toEqual(seed);
    expect(SeedStateInputSchema.safeParse(json).success).toBe(true);
  });
});

describe("toSeedState › the schema's field names", () => {
  it('writes every field of workflow_state_schema.md, in every object that has it', () => {
    expect(schemaKeyReport(JSON.parse(JSON.stringify(toSeedState(convergedRun().state()))))).toEqual({ missing: [], unseen: [] });
  });

  it('keeps them when the export is read back and exported again', () => {
    const first = JSON.parse(JSON.stringify(toSeedState(convergedRun().state()))) as unknown;
    expect(schemaKeyReport(toSeedState(fromSeedState(first, def)))).toEqual({ missing: [], unseen: [] });
  });

  it('names the cursus components among the generated files', () => {
    const files = [
      'src/cursus/steps/builders/builder_tabular_step.py',
      'src/cursus/steps/configs/config_tabular_step.py',
      'src/cursus/steps/specs/tabular_spec.py',
      'src/cursus/steps/contracts/tabular_contract.py',
      'src/cursus/steps/scripts/tabular.py',
      'test/steps/test_tabular.py',
    ];
    const seed = toSeedState(new Run().toPhase2().produce('implement', 'code', files).state());
    expect(seed.artifacts.generated_code).toEqual({ builder: files[0], config: files[1], spec: files[2], contract: files[3], script: files[4], files });
  });
});

describe('toSeedState › status and position', () => {
  it.each(named([
    { name: 'a workflow that has not run a step is initialized', build: (r: Run) => r, status: 'initialized', ours: 'running' },
    { name: 'a running workflow is running', build: (r: Run) => r.produce('plan'), status: 'running', ours: 'running' },
    { name: 'a workflow waiting at a gate is paused', build: (r: Run) => r.toPlanGate().askGate('plan_approval', 'validate_plan'), status: 'paused', ours: 'waiting_for_human' },
    { name: 'a workflow waiting on an escalation is paused', build: (r: Run) => r.fail('plan', 'auth').escalate('failure', 'plan'), status: 'paused', ours: 'waiting_for_human' },
    { name: 'a paused workflow is paused', build: (r: Run) => r.produce('plan').pause(), status: 'paused', ours: 'running' },
    { name: 'a rejected workflow is cancelled (nothing failed)', build: (r: Run) => r.toPlanGate().askGate('plan_approval', 'validate_plan').answerGate('reject'), status: 'cancelled', ours: 'rejected' },
    { name: 'a cancelled workflow is cancelled', build: (r: Run) => r.cancel(), status: 'cancelled', ours: 'cancelled' },
    { name: 'a failed workflow is failed', build: (r: Run) => r.push({ type: 'workflow_failed', at: '', message: 'disk full' }), status: 'failed', ours: 'failed' },
  ]))('%s', (_, { build, status, ours }) => {
    const seed = toSeedState(build(new Run()).state());
    expect([seed.status, seed.converge_status]).toEqual([status, ours]);
  });

  it('has current_step 0 and last_completed_step 0 before the first step', () => {
    expect(toSeedState(new Run().state())).toMatchObject({ current_step: 0, last_completed_step: 0, step_history: [] });
  });

  it('reports a pending approval and a timed-out gate', () => {
    const seed = toSeedState(new Run().toPlanGate().askGate('plan_approval', 'validate_plan', Run.timeOf(50)).timeOutGate().state());
    expect(seed.pending_approval).toEqual({
      approval_type: 'plan',
      gate_id: 'plan_approval',
      step_number: 2,
      requested_at: Run.timeOf(8),
      timeout_at: Run.timeOf(50),
      timed_out: true,
    });
  });
});

function seedError(json: unknown): ConvergeError {
  try {
    fromSeedState(json, def);
  } catch (error) {
    if (isConvergeError(error)) return error;
    throw error;
  }
  throw new Error('test: the seed state was accepted');
}

describe('fromSeedState › invalid input', () => {
  it('names a missing workflow_id and status, with a hint', () => {
    const error = seedError({ current_step: 2 });
    expect(error.code).toBe('SEED_STATE_INVALID');
    expect(error.message).toContain('has 2 problems');
    expect(error.message).toMatch(/workflow_id: .*expected string/);
    expect(error.message).toMatch(/status: .*"initialized"\|"running"\|"paused"\|"completed"\|"failed"\|"cancelled"/);
    expect(error.hint).toContain('workflow_id and status');
  });

  it('names a bad status value', () => {
    expect(seedError({ workflow_id: 'wf', status: 'done' }).message).toMatch(/^ {2}status: .*expected one of/m);
  });

  it('names a bad field inside step_history by its path', () => {
    const error = seedError({ workflow_id: 'wf', status: 'running', step_history: [{ step_number: 1, status: 'completed' }, { step_number: 2, status: 'finished' }] });
    expect(error.message).toMatch(/step_history\[1\]\.status: .*"completed"\|"failed"\|"in_progress"\|"skipped"/);
    expect(error.details.problems).toEqual([{ path: 'step_history[1].status', message: expect.any(String) }]);
  });

  it('names a step number the definition does not have', () => {
    const error = seedError({ workflow_id: 'wf', status: 'running', step_history: [{ step_number: 9, status: 'completed' }] });
    expect(error.message).toContain('step_history[0].step_number: definition "seven-step" has no step 9');
  });

  it('names an agent that does not run the step', () => {
    const error = seedError({
      workflow_id: 'wf',
      status: 'running',
      step_history: [{ step_number: 1, agent: 'planner', status: 'completed' }, { step_number: 2, agent: 'planner', status: 'completed' }],
    });
    expect(error.message).toContain('step_history[1].agent: step 2 (validate_plan) is run by the validator, not "planner"');
  });

  it('names a history entry without a step', () => {
    expect(seedError({ workflow_id: 'wf', status: 'running', step_history: [{ status: 'completed' }] }).message).toContain(
      'step_history[0].step_number: needs step_number',
    );
  });

  it('names a timestamp it cannot read', () => {
    expect(seedError({ workflow_id: 'wf', status: 'running', created_at: 'yesterday' }).message).toContain('created_at: must be an ISO 8601 timestamp');
  });

  it('names a score out of range', () => {
    const error = seedError({ workflow_id: 'wf', status: 'running', validation_scores: { alignment_score: 92 } });
    expect(error.message).toMatch(/validation_scores\.alignment_score: .*10/);
  });

  it('says what it expected when the input is not an object', () => {
    expect(seedError(42).message).toMatch(/\(root\): .*expected object/);
    expect(seedError(null).message).toMatch(/\(root\): .*expected object/);
  });

  it('names a bad agent_error in the seed example shape', () => {
    expect(seedError({ input: { agent_error: { agent: 'validator', step: 9, error_type: 'x' } } }).message).toContain(
      'input.agent_error.step: definition "seven-step" has no step 9',
    );
    expect(seedError({ input: { agent_error: { agent: 'planner', step: 5, error_type: 'x' } } }).message).toContain(
      'input.agent_error.agent: step 5 (validate_code) is run by the validator, not "planner"',
    );
    expect(seedError({ input: { agent_error: { agent: 'planner', error_type: 'x' } } }).message).toMatch(/input\.agent_error\.step: /);
  });
});

describe('fromSeedState › a hand-run workflow', () => {
  const decideFor = (json: unknown) => decide(def, fromSeedState(json, def));
  const base = { workflow_id: 'wf_hand', status: 'running' };
  const planEntries = (scores: number[]) =>
    scores.flatMap((score, i) => [
      { step_number: i === 0 ? 1 : 3, agent: 'planner', status: 'completed', output: `plan v${i + 1}` },
      { step_number: 2, agent: 'validator', status: 'completed', validation_scores: { alignment_score: score, standardization_score: score, compatibility_score: score } },
    ]);

  const rows: Array<{ name: string; json: Record<string, unknown>; expected: Partial<Decision> | null; says?: string }> = [
    { name: 'that has not started begins with step 1', json: { workflow_id: 'wf', status: 'initialized' }, expected: { action_type: 'invoke_agent', step_number: 1 } },
    { name: 'with step 1 done goes to step 2', json: { ...base, last_completed_step: 1 }, expected: { action_type: 'invoke_agent', step_number: 2 } },
    { name: 'with step 1 done and current_step 1 goes to step 2', json: { ...base, current_step: 1, last_completed_step: 1 }, expected: { step_number: 2 } },
    { name: 'with step 2 in flight (current_step 2) has nothing to decide', json: { ...base, current_step: 2, last_completed_step: 1 }, expected: null },
    { name: 'with only current_step 0 begins with step 1', json: { ...base, current_step: 0 }, expected: { step_number: 1 } },
    {
      name: 'with a converged step 2 and no approval asks for plan approval',
      json: { ...base, last_completed_step: 2, validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } },
      expected: { action_type: 'request_human_approval', gate_id: 'plan_approval', step_number: 2 },
    },
    {
      name: 'with a converged step 2 and the plan approved moves to step 4',
      json: {
        ...base,
        last_completed_step: 2,
        validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 },
        human_approvals: { plan_approval: { approved: true, approver: 'lead' } },
      },
      expected: { action_type: 'transition_phase', step_number: 4, target_agent: 'programmer' },
    },
    {
      name: 'with a step 2 below the threshold goes to step 3, naming the score',
      json: { ...base, step_history: planEntries([8.5]) },
      expected: { action_type: 'invoke_agent', step_number: 3 },
      says: 'alignment 8.5 < 9.0',
    },
    {
      name: 'with a missing score goes to step 3 and says it is missing',
      json: { ...base, step_history: [{ step_number: 1, status: 'completed' }, { step_number: 2, status: 'completed', validation_scores: { alignment_score: 9.5, standardization_score: 9 } }] },
      expected: { action_type: 'invoke_agent', step_number: 3 },
      says: 'compatibility missing',
    },
    {
      name: 'with 5 failing plan validations escalates',
      json: { ...base, step_history: planEntries([6, 6.5, 7, 7.5, 8]) },
      expected: { action_type: 'escalate_to_human', step_number: 2, escalation: expect.objectContaining({ reason: 'cap_reached' }) },
    },
    {
      name: 'with changes requested at the plan gate goes to step 3 with them',
      json: {
        ...base,
        step_history: planEntries([9.5]),
        human_approvals: { approval_history: [{ approval_type: 'plan', status: 'changes_requested', approver: 'lead', change_requests: ['add tests'] }] },
      },
      expected: { action_type: 'invoke_agent', step_number: 3, change_requests: ['add tests'] },
    },
    {
      name: 'with a failing check at step 5 goes to step 6',
      json: {
        ...base,
        last_completed_step: 4,
        step_history: [
          ...planEntries([9.5]),
          { step_number: 4, status: 'completed', output: { files: ['src/a.py'] } },
          { step_number: 5, status: 'completed', output: { checks: [{ id: 'unit', status: 'failed' }] } },
        ],
        human_approvals: { plan_approval: { approved: true } },
      },
      expected: { action_type: 'invoke_agent', step_number: 6 },
      says: 'check unit failed',
    },
    {
      name: 'with a passing step 7 asks for final approval',
      json: {
        ...base,
        step_history: [
          ...planEntries([9.5]),
          { step_number: 4, status: 'completed' },
          { step_number: 5, status: 'completed', output: { minor_issues: 4 } },
          { step_number: 6, status: 'completed' },
          // The review's scores count too (the code rubric's L1 gate, 7.0): a step 7 without them is not a pass.
          {
            step_number: 7,
            status: 'completed',
            output: { minor_issues: 1, checks: [{ id: 'unit', status: 'passed', coverage: 90 }] },
            validation_scores: { alignment_score: 9, standardization_score: 8.5 },
          },
        ],
        human_approvals: { plan_approval: { approved: true } },
      },
      expected: { action_type: 'request_human_approval', gate_id: 'final_approval', step_number: 7 },
    },
    {
      name: 'with a TimeoutError retries with a longer timeout',
      json: { ...base, step_history: [{ step_number: 1, status: 'failed', error_info: { type: 'TimeoutError', message: 'took too long' } }] },
      expected: { action_type: 'retry_with_recovery', step_number: 1, recovery_strategy: 'extended_timeout', timeout_ms: 600_000 },
    },
    {
      name: 'with a rate limit waits for retry-after',
      json: {
        ...base,
        step_history: [
          { step_number: 1, status: 'failed', completed_at: '2025-05-01T10:00:00.000Z', error_info: { type: 'rate_limited', details: { retry_after_ms: 5000 } } },
        ],
      },
      expected: { action_type: 'retry_with_recovery', recovery_strategy: 'wait_and_retry', not_before: '2025-05-01T10:00:05.000Z' },
    },
    {
      name: 'with an unknown error escalates',
      json: { ...base, step_history: [{ step_number: 1, status: 'failed', error_info: { type: 'KeyboardMeltdown' } }] },
      expected: { action_type: 'escalate_to_human', escalation: expect.objectContaining({ reason: 'failure' }) },
    },
    { name: 'with a step in progress has nothing to decide', json: { ...base, step_history: [{ step_number: 1, status: 'in_progress' }] }, expected: null },
    { name: 'that is completed has nothing to decide', json: { ...base, status: 'completed', step_history: planEntries([9.5]) }, expected: null },
    { name: 'that is cancelled has nothing to decide', json: { ...base, status: 'cancelled' }, expected: null },
    { name: 'that is explicitly paused has nothing to decide', json: { ...base, paused: true, last_completed_step: 1 }, expected: null },
    {
      name: 'that is paused in the seed\'s sense (waiting for a human) names the human step',
      json: { ...base, status: 'paused', last_completed_step: 2, validation_scores: { alignment_score: 9.5, standardization_score: 9, compatibility_score: 9 } },
      expected: { action_type: 'request_human_approval', gate_id: 'plan_approval' },
    },
    { name: 'skips entries marked skipped', json: { ...base, step_history: [{ step_number: 1, status: 'completed' }, { step_number: 2, status: 'skipped' }] }, expected: { step_number: 2 } },
  ];

  it.each(named(rows))('%s', (_, { json, expected, says }) => {
    const decision = decideFor(json);
    if (expected === null) expect(decision).toBeNull();
    else expect(decision).toMatchObject(expected);
    if (says !== undefined) expect(decision?.rationale).toContain(says);
  });

  it('uses the requirements, workspace and documentation locations it is given', () => {
    const state = fromSeedState(
      {
        ...base,
        workflow_name: 'Tabular preprocessing',
        created_at: '2025-05-01T09:00:00.000Z',
        workspace_context: { developer_type: 'isolated developer', workspace_path: '/projects/p1' },
        requirements: { initial_requirements: 'Build it', step_type: 'Processing', documentation_locations: ['docs/'] },
      },
      def,
    );
    expect(state).toMatchObject({
      workflowId: 'wf_hand',
      name: 'Tabular preprocessing',
      createdAt: '2025-05-01T09:00:00.000Z',
      requirements: 'Build it',
      taskType: 'Processing',
      documentationLocations: ['docs/'],
      workspace: { type: 'isolated', path: '/projects/p1' },
    });
  });

  it('keeps the plan text of the last plan for step 4', () => {
    const state = fromSeedState({ ...base, step_history: planEntries([9.5]), artifacts: { implementation_plan: 'FULL PLAN' } }, def);
    expect(state.outputs.map((o) => o.output.content)).toEqual(['plan v1']);
    const summaryOnly = fromSeedState({ ...base, last_completed_step: 1, artifacts: { implementation_plan: 'FULL PLAN' } }, def);
    expect(summaryOnly.outputs.map((o) => o.output.content)).toEqual(['FULL PLAN']);
  });

  it('builds its state with the reducer, from a log that starts with workflow_started', () => {
    const state = fromSeedState({ ...base, step_history: planEntries([8, 9.5]) }, def);
    expect(state.seq).toBeGreaterThan(8);
    expect(state.runs.map((r) => r.stepNumber)).toEqual([1, 2, 3, 2]);
    expect(state.validations.map((v) => v.round)).toEqual([1, 2]);
  });
});

describe('fromSeedState › the seed example inputs', () => {
  it('reads Example 2 as a validated and approved plan (a hand-run gate is not modelled)', () => {
    const state = fromSeedState({ input: { validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } } }, def);
    expect(state.runs.map((r) => [r.stepNumber, r.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    expect(state.approvals).toMatchObject([{ gateId: 'plan_approval', decision: 'approve', actor: { id: 'seed-input' } }]);
  });

  it('reads Example 3 as the shortest path to step 5, which then failed', () => {
    const state = fromSeedState({ input: { agent_error: { agent: 'validator', step: 5, error_type: 'validation_timeout' } } }, def);
    expect(state.runs.map((r) => [r.stepNumber, r.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [4, 'completed'],
      [5, 'failed'],
    ]);
    expect(state.phase).toBe('phase_2');
    expect(state.runs.at(-1)!.failure).toMatchObject({ class: 'timeout' });
  });

  it('reaches step 7 through a failing step 5 and a refinement', () => {
    const state = fromSeedState({ input: { agent_error: { agent: 'validator', step: 7, error_type: 'RateLimitError' } } }, def);
    expect(state.runs.map((r) => r.stepNumber)).toEqual([1, 2, 4, 5, 6, 7]);
    expect(seedFields(decide(def, state))).toMatchObject({ action_type: 'retry_with_recovery', step_number: 7, recovery_strategy: 'wait_and_retry' });
  });
});

describe('fromSeedState › reading back an export', () => {
  /** What decide() said, without the prose (a failure's message is kept, the rest is the same). */
  const comparable = (d: Decision | null) => (d === null ? null : { ...d, rationale: undefined });

  it('gives the same decision as the original state after every event of random runs', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.gen(), (codeReview, g) => {
        const definition = codeReview
          ? sevenStep((doc) => {
              doc.gates.find((x: { id: string }) => x.id === 'code_review').enabled = true;
            })
          : def;
        const { run } = simulate(definition, { int: (min, max) => g(fc.integer, { min, max }) });
        for (let n = 1; n <= run.events.length; n++) {
          const original = reduce('wf_test', run.events.slice(0, n));
          const exported = JSON.parse(JSON.stringify(toSeedState(original))) as SeedState;
          const readBack = fromSeedState(exported, definition);
          expect(comparable(decide(definition, readBack)), `after event ${n} (${run.events[n - 1]!.type})`).toEqual(
            comparable(decide(definition, original)),
          );
          expect(readBack.status).toBe(original.status);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('exports the same document again, except the times of events it does not replay', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { run } = simulate(def, { int: (min, max) => g(fc.integer, { min, max }) });
        const first = toSeedState(run.state());
        const second = toSeedState(fromSeedState(JSON.parse(JSON.stringify(first)), def));
        const { updated_at: _u1, total_execution_time: _t1, ...a } = first;
        const { updated_at: _u2, total_execution_time: _t2, ...b } = second;
        expect(b).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });

  it('reads an approval that followed an accepted escalation as following it, not the later converged validation', () => {
    const run = new Run().planRounds([6, 6.5, 7, 7.5, 8]).escalate('cap_reached', 'validate_plan', 'plan_loop').answer({ kind: 'accept' });
    run.askGate('plan_approval', 'validate_plan').answerGate('request_changes', ['name the columns']);
    run.produce('revise_plan').validate('validate_plan', PASSING_PLAN);
    const readBack = fromSeedState(JSON.parse(JSON.stringify(toSeedState(run.state()))), def);
    expect(seedFields(decide(def, readBack))).toEqual(seedFields(run.decide()));
    expect(run.decide()).toMatchObject({ action_type: 'request_human_approval', gate_id: 'plan_approval' });
  });

  it('keeps the workflow time in the export', () => {
    const state: WorkflowState = convergedRun().state();
    expect(Date.parse(toSeedState(state).created_at)).toBe(T0 + 1000);
  });
});

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/seed-state/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe("fromSeedState › the schema's own names", () => {
  const atStep5 = (errorInfo: Record<string, unknown>) => ({
    workflow_id: 'wf_hand',
    status: 'running',
    current_step: 5,
    last_completed_step: 4,
    step_history: [
      { step_number: 1, status: 'completed' },
      { step_number: 2, status: 'completed', validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } },
      { step_number: 4, status: 'completed' },
      { step_number: 5, agent: 'validator', status: 'failed', error_info: errorInfo },
    ],
    human_approvals: { plan_approved: true, plan_approval_timestamp: null, plan_approver: 'lead' },
  });

  it('reads an error record with error_type, error_message, error_details and recovery_attempts', () => {
    const state = atStep5({
      error_type: 'validation_timeout',
      error_message: 'Validator agent timed out after 300 seconds',
      error_details: { agent: 'validator', step: 5, template: 'step5a_two_level_validation_agent_prompt_template.md', timeout_duration: 300, partial_output: {} },
      recovery_attempts: 0,
    });
    expect(decide(def, fromSeedState(state, def))).toMatchObject({
      action_type: 'retry_with_recovery',
      step_number: 5,
      recovery_strategy: 'extended_timeout',
      timeout_ms: 600_000,
      rationale: expect.stringContaining('Validator agent timed out after 300 seconds'),
    });
  });

  it('counts the retries the record lists: recovery_attempts of 1 at 600 s is the third attempt, at 1200 s', () => {
    expect(decide(def, fromSeedState(fixture('validation-timeout'), def))).toMatchObject({
      action_type: 'retry_with_recovery',
      recovery_strategy: 'extended_timeout',
      attempt: 3,
      timeout_ms: 1_200_000,
    });
  });

  it('escalates when the recovery_attempts the record lists used up the policy', () => {
    const state = atStep5({ error_type: 'agent_timeout', recovery_attempts: 3 });
    expect(decide(def, fromSeedState(state, def))).toMatchObject({ action_type: 'escalate_to_human', rationale: expect.stringContaining('3 retries used') });
  });

  it.each(named([
    { name: 'plan_approved true lets step 4 run', approvals: { plan_approved: true, plan_approver: 'lead' }, expected: { action_type: 'transition_phase', step_number: 4 } },
    { name: 'plan_approved false is not yet approved', approvals: { plan_approved: false, plan_approver: null }, expected: { action_type: 'request_human_approval' } },
  ]))("reads the schema's per-gate approval fields: %s", (_, { approvals, expected }) => {
    const state = {
      workflow_id: 'wf_hand',
      status: 'running',
      step_history: [
        { step_number: 1, status: 'completed' },
        { step_number: 2, status: 'completed', validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } },
      ],
      human_approvals: approvals,
    };
    expect(decide(def, fromSeedState(state, def))).toMatchObject(expected);
  });

  it("reads the schema's generated_code components and an implementation_plan object", () => {
    const state = fromSeedState(fixture('validation-timeout'), def);
    expect(state.outputs.map((o) => [o.output.artifact, o.output.files.map((f) => f.path)])).toEqual([
      ['plan', []],
      ['code', ['src/cursus/steps/contracts/tabular_preprocessing_contract.py', 'src/cursus/steps/scripts/tabular_preprocessing.py']],
    ]);
    expect(state.outputs[0]!.output.content).toContain('"purpose": "Tabular data preprocessing with feature engineering"');
    const fromArtifacts = fromSeedState({ ...atStep5({ error_type: 'x' }), step_history: undefined, current_step: 4, artifacts: fixture('validation-timeout').artifacts }, def);
    expect(fromArtifacts.outputs.at(-1)!.output.files.map((f) => f.path)).toEqual([
      'src/cursus/steps/contracts/tabular_preprocessing_contract.py',
      'src/cursus/steps/scripts/tabular_preprocessing.py',
    ]);
  });

  it('still reads exports written before the schema\'s names (error_info.type, plan_approval: {…}, generated_code as a list)', () => {
    const legacy = {
      workflow_id: 'wf_old',
      status: 'running',
      step_history: [
        { step_number: 1, status: 'completed' },
        { step_number: 2, status: 'completed', validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } },
        { step_number: 4, status: 'failed', error_info: { type: 'timeout', message: 'slow', details: { timeout_ms: 120_000 }, recovery_attempts: 0, recovery_strategies: [] } },
      ],
      convergence_status: { criteria: { alignment_threshold: 9 } },
      human_approvals: { plan_approval: { approved: true, timestamp: null, approver: 'lead' }, code_approval: { approved: false, timestamp: null, approver: null } },
      artifacts: { implementation_plan: 'PLAN', generated_code: ['src/a.py'] },
    };
    expect(decide(def, fromSeedState(legacy, def))).toMatchObject({ action_type: 'retry_with_recovery', step_number: 4, timeout_ms: 240_000 });
  });

  it('names an error record without error_type, and says what to give', () => {
    const error = seedError(atStep5({ error_message: 'boom' }));
    expect(error.message).toContain('step_history[3].error_info.error_type: needs error_type');
    expect(error.message).toContain('"agent_timeout"');
  });
});

describe('fromSeedState › the order of step_history and the counters come before timestamps', () => {
  const base = { workflow_id: 'wf_hand', status: 'running' };
  const converged = { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 };
  const at = (minute: number) => `2025-09-05T10:${String(minute).padStart(2, '0')}:00Z`;
  const step4Done = fixture('step4-completed');

  const rows: Array<{ name: string; json: Record<string, unknown>; expected: Partial<Decision> | null }> = [
    { name: 'step 4 completed, current_step 4 and last_completed_step 4, the plan approval stamped after step 4: step 5', json: step4Done, expected: { action_type: 'invoke_agent', step_number: 5, target_agent: 'validator' } },
    {
      name: 'the same with the approval stamped before step 1: step 5',
      json: { ...step4Done, human_approvals: { approval_history: [{ approval_type: 'plan', status: 'approved', approver: 'lead', timestamp: '2025-01-01T00:00:00Z' }] } },
      expected: { step_number: 5 },
    },
    {
      name: 'a history that ends before the step the counters name completed: the step after that one',
      json: { ...base, current_step: 4, last_completed_step: 4, step_history: [{ step_number: 1, status: 'completed' }, { step_number: 2, status: 'completed', validation_scores: converged }], human_approvals: { plan_approved: true } },
      expected: { action_type: 'invoke_agent', step_number: 5 },
    },
    {
      name: 'a last entry still in_progress that both counters say completed: the step after it',
      json: { ...step4Done, step_history: [...(step4Done.step_history as object[]).slice(0, 2), { step_number: 4, status: 'in_progress' }] },
      expected: { step_number: 5 },
    },
    {
      name: 'a last entry in_progress while the counters name an earlier step: still in flight',
      json: { ...step4Done, current_step: 4, last_completed_step: 2, step_history: [...(step4Done.step_history as object[]).slice(0, 2), { step_number: 4, status: 'in_progress' }] },
      expected: null,
    },
    {
      name: 'changes requested, then approved, all stamped with one placeholder time: the approval follows the second validation',
      json: {
        ...base,
        step_history: [
          { step_number: 1, status: 'completed', completed_at: at(0) },
          { step_number: 2, status: 'completed', completed_at: at(0), validation_scores: converged },
          { step_number: 3, status: 'completed', completed_at: at(0) },
          { step_number: 2, status: 'completed', completed_at: at(0), validation_scores: converged },
        ],
        human_approvals: {
          approval_history: [
            { approval_type: 'plan', status: 'changes_requested', approver: 'lead', timestamp: at(0), change_requests: ['add tests'] },
            { approval_type: 'plan', status: 'approved', approver: 'lead', timestamp: at(0) },
          ],
        },
      },
      expected: { action_type: 'transition_phase', step_number: 4 },
    },
  ];

  it.each(named(rows))('%s', (_, { json, expected }) => {
    const decision = decide(def, fromSeedState(json, def));
    if (expected === null) expect(decision).toBeNull();
    else expect(decision).toMatchObject(expected);
  });

  it('reads a failure stamped before the step before it as happening after it', () => {
    const json = {
      ...base,
      step_history: [
        { step_number: 1, status: 'completed', completed_at: at(30) },
        { step_number: 2, status: 'failed', completed_at: at(5), error_info: { error_type: 'rate_limited', error_details: { retry_after_ms: 5000 } } },
      ],
    };
    expect(decide(def, fromSeedState(json, def))).toMatchObject({ recovery_strategy: 'wait_and_retry', not_before: '2025-09-05T10:30:05.000Z' });
  });

  it('keeps the log in order: a time earlier than the event before it gives way to that event\'s time', () => {
    const state = fromSeedState(step4Done, def);
    const [, validation, implement] = state.runs;
    expect(state.approvals[0]!.at).toBe('2025-09-06T09:00:00Z');
    expect(Date.parse(validation!.completedAt!)).toBeLessThan(Date.parse(state.approvals[0]!.at));
    // Step 4's placeholder time is earlier than the approval that let it run.
    expect([implement!.scheduledAt, implement!.completedAt]).toEqual(['2025-09-06T09:00:00Z', '2025-09-06T09:00:00Z']);
  });

  it('names counters that contradict the history, and says how to fix them', () => {
    const error = seedError({
      ...base,
      current_step: 2,
      last_completed_step: 2,
      step_history: [1, 2, 4, 5].map((n) => ({ step_number: n, status: 'completed', ...(n === 2 ? { validation_scores: converged } : {}) })),
    });
    expect(error.message).toContain('last_completed_step: current_step and last_completed_step say step 2 (validate_plan) completed last');
    expect(error.message).toContain('step_history ends with step 5 (validate_code, completed)');
    expect(error.hint).toContain('set current_step and last_completed_step to the step of the last completed entry');
  });
});

describe('waitingRationale', () => {
  const waiting = (run: Run) => {
    const state = fromSeedState(JSON.parse(JSON.stringify(toSeedState(run.state()))), def);
    expect(decide(def, state)).toBeNull();
    return waitingRationale(state);
  };

  it('says a state waits at an escalation, for which step and why', () => {
    expect(waiting(new Run().fail('plan', 'auth', { message: 'bad key' }).escalate('failure', 'plan'))).toEqual({
      waiting_for: 'escalation',
      step_number: 1,
      rationale: expect.stringMatching(/^Waits at an escalation: step 1 \(plan\) was escalated to a person because it failed \(test escalation\)/),
    });
    expect(waiting(new Run().planRounds([6, 6.5, 7, 7.5, 8]).escalate('cap_reached', 'validate_plan', 'plan_loop')).rationale).toContain('because its cap was reached');
  });

  it.each(named([
    { name: 'a gate', run: () => new Run().toPlanGate().askGate('plan_approval', 'validate_plan'), waitingFor: 'approval', says: 'Waits for approval "plan_approval" after step 2 (validate_plan)' },
    { name: 'a step in flight', run: () => new Run().schedule('plan'), waitingFor: 'step', says: 'step 1 (plan), which is in progress' },
    { name: 'a pause', run: () => new Run().produce('plan').pause(), waitingFor: 'paused', says: 'paused' },
    { name: 'the end', run: () => new Run().cancel(), waitingFor: 'ended', says: 'has ended (cancelled)' },
  ]))('says what else it waits for: %s', (_, { run, waitingFor, says }) => {
    const result = waiting(run());
    expect(result.waiting_for).toBe(waitingFor);
    expect(result.rationale).toContain(says);
  });
});

describe('SeedStateInputSchema › timestamps', () => {
  it('reads a time without a zone (Python isoformat) as UTC, not as local time', () => {
    const parsed = SeedStateInputSchema.parse({ workflow_id: 'wf_tz', status: 'running', created_at: '2025-01-01T10:00:00', updated_at: '2025-01-01 10:05:00.123' });
    expect(parsed.created_at).toBe('2025-01-01T10:00:00Z');
    expect(parsed.updated_at).toBe('2025-01-01T10:05:00.123Z');
  });

  it('keeps a time that names its zone as given', () => {
    const parsed = SeedStateInputSchema.parse({ workflow_id: 'wf_tz', status: 'running', created_at: '2025-01-01T10:00:00+02:00' });
    expect(parsed.created_at).toBe('2025-01-01T10:00:00+02:00');
  });
});
