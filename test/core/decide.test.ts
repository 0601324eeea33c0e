/**
 * decide() over every transition of the seven-step definition. Each row builds a state by
 * reducing an event log (see helpers.ts) and states the decision expected from it.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import type { Decision } from '../../src/core/decision.js';
import type { FailureClass } from '../../src/core/definition-schema.js';
import {
  codeReport,
  FAILING_CODE,
  FAILING_PLAN,
  flatPlan,
  named,
  PASSING_CODE,
  PASSING_PLAN,
  planReport,
  Run,
  sevenStep,
} from './helpers.js';

const T1 = 'step1_initial_planner_prompt_template.md';
const T2 = 'step2_plan_validator_prompt_template.md';
const T3 = 'step3_revision_planner_prompt_template.md';
const T4 = 'step4_programmer_prompt_template.md';
const T5 = 'step5a_two_level_validation_agent_prompt_template.md';
const T6 = 'step6_code_refinement_programmer_prompt_template.md';

const step1 = { action_type: 'invoke_agent', target_agent: 'planner', template_to_use: T1, step_number: 1, step_id: 'plan' } as const;
const step2 = { action_type: 'invoke_agent', target_agent: 'validator', template_to_use: T2, step_number: 2, step_id: 'validate_plan' } as const;
const step3 = { action_type: 'invoke_agent', target_agent: 'planner', template_to_use: T3, step_number: 3, step_id: 'revise_plan' } as const;
const step4 = {
  action_type: 'transition_phase',
  target_agent: 'programmer',
  template_to_use: T4,
  step_number: 4,
  step_id: 'implement',
  next_phase: 'phase_2',
} as const;
const step5 = { action_type: 'invoke_agent', target_agent: 'validator', template_to_use: T5, step_number: 5, step_id: 'validate_code' } as const;
const step6 = { action_type: 'invoke_agent', target_agent: 'programmer', template_to_use: T6, step_number: 6, step_id: 'refine_code' } as const;
const step7 = { action_type: 'invoke_agent', target_agent: 'validator', template_to_use: T5, step_number: 7, step_id: 'revalidate_code' } as const;
const planGate = { action_type: 'request_human_approval', target_agent: 'human', step_number: 2, gate_id: 'plan_approval' } as const;
const finalGate = (n: 5 | 7) => ({ action_type: 'request_human_approval', target_agent: 'human', step_number: n, gate_id: 'final_approval' }) as const;
const escalation = (n: number, reason: 'cap_reached' | 'stall' | 'failure', loop?: string) =>
  ({
    action_type: 'escalate_to_human',
    target_agent: 'human',
    step_number: n,
    escalation: { reason, ...(loop !== undefined ? { loop_id: loop } : {}) },
  }) as const;

interface Row {
  name: string;
  build: (run: Run) => Run;
  /** Matched with toMatchObject; null when there is nothing to decide. */
  expected: Record<string, unknown> | null;
  /** Substrings the rationale must contain. */
  says?: string[];
  def?: ReturnType<typeof sevenStep>;
}

function check({ build, expected, says, def }: Row): Decision | null {
  const run = build(new Run(def ?? sevenStep()));
  const decision = decide(run.def, run.state());
  if (expected === null) expect(decision).toBeNull();
  else expect(decision).toMatchObject(expected);
  for (const text of says ?? []) expect(decision?.rationale).toContain(text);
  return decision;
}

const withCodeReview = sevenStep((doc) => {
  doc.gates.find((g: { id: string }) => g.id === 'code_review').enabled = true;
});

describe('decide › phase 1', () => {
  const rows: Row[] = [
    { name: 'starts a new workflow with step 1', build: (r) => r, expected: step1 },
    { name: 'goes from step 1 to step 2', build: (r) => r.produce('plan'), expected: step2 },
    {
      name: 'asks for plan approval when step 2 converges',
      build: (r) => r.toPlanGate(),
      expected: planGate,
      says: ['alignment 9.2 ≥ 9.0', 'standardization 8.5 ≥ 8.0', 'compatibility 8.8 ≥ 8.0', 'critical issues 0 ≤ 0', 'plan_approval'],
    },
    {
      name: 'moves to phase 2 with step 4 when the plan is approved',
      build: (r) => r.toPhase2(),
      expected: step4,
      says: ['Approved at "plan_approval"', 'phase_1 to phase_2'],
    },
    {
      name: 'sends change requests from the plan gate to step 3',
      build: (r) => r.toPlanGate().askGate('plan_approval', 'validate_plan').answerGate('request_changes', ['add a retry policy']),
      expected: { ...step3, change_requests: ['add a retry policy'], context_to_provide: expect.objectContaining({ change_requests: ['add a retry policy'] }) },
      says: ['add a retry policy'],
    },
    { name: 'stops when the plan is rejected', build: (r) => r.toPlanGate().askGate('plan_approval', 'validate_plan').answerGate('reject'), expected: null },
    { name: 'revises with step 3 when alignment is below 9.0', build: (r) => r.produce('plan').validate('validate_plan', FAILING_PLAN), expected: step3, says: ['alignment 8.5 < 9.0', '1 of 5 rounds of validate_plan used'] },
    {
      name: 'revises when standardization is below 8.0',
      build: (r) => r.produce('plan').validate('validate_plan', planReport({ alignment: 9.5, standardization: 7.9, compatibility: 9 })),
      expected: step3,
      says: ['standardization 7.9 < 8.0'],
    },
    {
      name: 'revises when compatibility is below 8.0',
      build: (r) => r.produce('plan').validate('validate_plan', planReport({ alignment: 9.5, standardization: 9, compatibility: 7.5 })),
      expected: step3,
      says: ['compatibility 7.5 < 8.0'],
    },
    {
      name: 'counts a missing score as not met and says which',
      build: (r) => r.produce('plan').validate('validate_plan', planReport({ alignment: 9.5, standardization: 9 })),
      expected: step3,
      says: ['compatibility missing (needs ≥ 8.0)'],
    },
    {
      name: 'does not converge with a critical issue, whatever the scores',
      build: (r) => r.produce('plan').validate('validate_plan', planReport({ alignment: 10, standardization: 10, compatibility: 10 }, { critical: 1 })),
      expected: step3,
      says: ['critical issues 1 > 0'],
    },
    {
      name: 'converges with scores exactly at the thresholds',
      build: (r) => r.produce('plan').validate('validate_plan', planReport({ alignment: 9, standardization: 8, compatibility: 8 })),
      expected: planGate,
    },
    { name: 'goes from step 3 back to step 2', build: (r) => r.planRounds([7]).produce('revise_plan'), expected: step2 },
    { name: 'hands the 4th failing plan validation to step 3 (round 4 of 5)', build: (r) => r.planRounds([6, 6.5, 7, 7.5]), expected: step3, says: ['4 of 5 rounds of validate_plan used'] },
    {
      name: 'escalates to a human after the 5th plan validation',
      build: (r) => r.planRounds([6, 6.5, 7, 7.5, 8]),
      expected: escalation(2, 'cap_reached', 'plan_loop'),
      says: ['cap of 5 rounds of validate_plan'],
    },
    {
      name: 'escalates a stall (weighted +0.2 in 2 rounds) before the cap',
      build: (r) => r.planRounds([8, 8.1, 8.2]),
      expected: escalation(2, 'stall', 'plan_loop'),
      says: ['8.0 → 8.1 → 8.2', 'less than +0.25 in 2 rounds'],
    },
    { name: 'does not call +0.25 in 2 rounds a stall', build: (r) => r.planRounds([8, 8.1, 8.25]), expected: step3 },
    { name: 'does not call a stall before 3 rounds', build: (r) => r.planRounds([8, 8]), expected: step3 },
    {
      name: 'ignores a round without a weighted score when judging a stall',
      build: (r) =>
        r
          .planRounds([8])
          .produce('revise_plan')
          .validate('validate_plan', planReport({ alignment: 8 }))
          .produce('revise_plan')
          .validate('validate_plan', flatPlan(8.1)),
      expected: escalation(2, 'stall', 'plan_loop'),
      says: ['8.0 → unscored → 8.1'],
    },
    { name: 'keeps the change requests when a revision fails and is retried', build: (r) => r.planRounds([7]).fail('revise_plan', 'timeout', { changeRequests: ['x'] }), expected: { action_type: 'retry_with_recovery', step_number: 3, change_requests: ['x'] } },
  ];
  it.each(named(rows))('%s', (_, row) => {
    check(row);
  });

  it('records the rejection as the workflow status', () => {
    const state = new Run().toPlanGate().askGate('plan_approval', 'validate_plan').answerGate('reject').state();
    expect(state.status).toBe('rejected');
  });
});

describe('decide › phase 1 › escalation answers', () => {
  const atCap = (r: Run) => r.planRounds([6, 6.5, 7, 7.5, 8]).escalate('cap_reached', 'validate_plan', 'plan_loop');
  const atStall = (r: Run) => r.planRounds([8, 8.1, 8.2]).escalate('stall', 'validate_plan', 'plan_loop');
  const rows: Row[] = [
    { name: 'waits while the escalation is open', build: atCap, expected: null },
    { name: 'grant_rounds goes back to step 3', build: (r) => atCap(r).answer({ kind: 'grant_rounds', rounds: 2 }), expected: step3, says: ['granted more rounds for plan_loop'] },
    {
      name: 'grant_rounds 2 allows a 6th validation to be revised',
      build: (r) => atCap(r).answer({ kind: 'grant_rounds', rounds: 2 }).produce('revise_plan').validate('validate_plan', flatPlan(8.5)),
      expected: step3,
      says: ['6 of 7 rounds of validate_plan used'],
    },
    {
      name: 'grant_rounds 2 escalates again after the 7th validation',
      build: (r) =>
        atCap(r)
          .answer({ kind: 'grant_rounds', rounds: 2 })
          .produce('revise_plan')
          .validate('validate_plan', flatPlan(8.5))
          .produce('revise_plan')
          .validate('validate_plan', flatPlan(8.8)),
      expected: escalation(2, 'cap_reached', 'plan_loop'),
      says: ['cap of 7 rounds'],
    },
    { name: 'accept goes through the plan gate', build: (r) => atCap(r).answer({ kind: 'accept' }), expected: planGate, says: ['Accepted as is by a human'] },
    {
      name: 'send_back goes to step 3 with the change requests',
      build: (r) => atCap(r).answer({ kind: 'send_back', changeRequests: ['split the step'] }),
      expected: { ...step3, change_requests: ['split the step'] },
    },
    { name: 'retry goes back to step 3', build: (r) => atCap(r).answer({ kind: 'retry' }), expected: step3 },
    { name: 'cancel ends the workflow', build: (r) => atCap(r).answer({ kind: 'cancel' }), expected: null },
    { name: 'grant_rounds after a stall goes back to step 3', build: (r) => atStall(r).answer({ kind: 'grant_rounds', rounds: 1 }), expected: step3 },
    {
      name: 'an answered stall restarts the stall window',
      build: (r) => atStall(r).answer({ kind: 'grant_rounds', rounds: 1 }).produce('revise_plan').validate('validate_plan', flatPlan(8.2)),
      expected: step3,
    },
  ];
  it.each(named(rows))('%s', (_, row) => {
    check(row);
  });

  it('cancel sets the status to cancelled', () => {
    expect(atCap(new Run()).answer({ kind: 'cancel' }).state().status).toBe('cancelled');
  });
});

describe('decide › phase 2', () => {
  const rows: Row[] = [
    { name: 'goes from step 4 to step 5', build: (r) => r.implemented(), expected: step5 },
    {
      name: 'asks for final approval when step 5 converges',
      build: (r) => r.implemented().validate('validate_code', PASSING_CODE),
      expected: finalGate(5),
      says: ['check tests passed', 'minor issues 1 ≤ 2', 'coverage 91.0% ≥ 85.0% (tests)'],
    },
    {
      name: 'refines (step 6) when a required check fails',
      build: (r) => r.implemented().validate('validate_code', FAILING_CODE),
      expected: step6,
      says: ['check tests failed'],
    },
    {
      name: 'refines when a required check errors',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'tsc', status: 'error' }])),
      expected: step6,
      says: ['check tsc error'],
    },
    {
      name: 'ignores a failing check that is not required',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'lint', status: 'failed', required: false }])),
      expected: finalGate(5),
    },
    {
      name: 'refines when there is a critical issue',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'tests', status: 'passed' }], { critical: 1 })),
      expected: step6,
      says: ['critical issues 1 > 0'],
    },
    {
      name: 'refines with 3 minor issues (more than 2)',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'tests', status: 'passed' }], { minor: 3 })),
      expected: step6,
      says: ['minor issues 3 > 2'],
    },
    {
      name: 'accepts exactly 2 minor issues',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'tests', status: 'passed' }], { minor: 2 })),
      expected: finalGate(5),
    },
    {
      name: 'refines when coverage is below 85%',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'tests', status: 'passed', coverage: 80 }])),
      expected: step6,
      says: ['coverage 80.0% < 85.0% (tests)'],
    },
    {
      name: 'does not require coverage when no check reports it',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'tests', status: 'passed' }])),
      expected: finalGate(5),
    },
    {
      name: 'refines when the review scores 5.5 / 6.0 with no issue and every check passing (L1 gate 7.0)',
      build: (r) =>
        r.implemented().validate('validate_code', codeReport([{ id: 'tests', status: 'passed' }, { id: 'tsc', status: 'passed' }], {}, { alignment: 5.5, standardization: 6 })),
      expected: step6,
      says: ['L1 review 5.75 < 7.0'],
    },
    {
      name: 'refines when the code review gives no score at all',
      build: (r) => r.implemented().validate('validate_code', codeReport([{ id: 'tests', status: 'passed' }], {}, {})),
      expected: step6,
      says: ['L1 review score missing (needs ≥ 7.0)'],
    },
    {
      name: 'judges the review by the overall it states, not the mean of its dimensions',
      build: (r) => {
        const report = codeReport([{ id: 'tests', status: 'passed' }], {}, { alignment: 8, standardization: 8 });
        return r.implemented().validate('validate_code', { ...report, scoreCard: { ...report.scoreCard, weighted: 6.5 } });
      },
      expected: step6,
      says: ['L1 review 6.5 < 7.0'],
    },
    {
      name: "counts the reviewer's stated critical issues over its restated list",
      build: (r) => {
        const report = codeReport([{ id: 'tests', status: 'passed' }], { critical: 2 });
        return r.implemented().validate('validate_code', { ...report, statedCounts: { critical: 0 } });
      },
      expected: finalGate(5),
      says: ['critical issues 0 ≤ 0'],
    },
    { name: 'goes from step 6 to step 7', build: (r) => r.codeRounds(0).produce('refine_code'), expected: step7 },
    { name: 'refines again when step 7 still fails', build: (r) => r.codeRounds(1), expected: step6, says: ['1 of 3 rounds of refine_code used'] },
    { name: 'refines a third time after 2 refinements', build: (r) => r.codeRounds(2), expected: step6, says: ['2 of 3 rounds of refine_code used'] },
    {
      name: 'escalates when the code still fails after 3 refinements',
      build: (r) => r.codeRounds(3),
      expected: escalation(7, 'cap_reached', 'code_loop'),
      says: ['cap of 3 rounds of refine_code'],
    },
    {
      name: 'asks for final approval when step 7 converges',
      build: (r) => r.codeRounds(1).produce('refine_code').validate('revalidate_code', PASSING_CODE),
      expected: finalGate(7),
    },
    {
      name: 'completes when the final gate approves',
      build: (r) => r.implemented().validate('validate_code', PASSING_CODE).askGate('final_approval', 'validate_code').answerGate('approve'),
      expected: { action_type: 'complete_workflow' },
      says: ['Approved at "final_approval"', 'complete'],
    },
    {
      name: 'sends change requests from the final gate to step 6',
      build: (r) =>
        r.implemented().validate('validate_code', PASSING_CODE).askGate('final_approval', 'validate_code').answerGate('request_changes', ['rename x']),
      expected: { ...step6, change_requests: ['rename x'] },
    },
    {
      name: 'stops when the final gate rejects',
      build: (r) => r.implemented().validate('validate_code', PASSING_CODE).askGate('final_approval', 'validate_code').answerGate('reject'),
      expected: null,
    },
    {
      name: 'accepting the code at the cap goes through the final gate',
      build: (r) => r.codeRounds(3).escalate('cap_reached', 'revalidate_code', 'code_loop').answer({ kind: 'accept' }),
      expected: finalGate(7),
    },
    {
      name: 'completes without asking when the final gate is off',
      def: sevenStep((doc) => {
        doc.gates.find((g: { id: string }) => g.id === 'final_approval').enabled = false;
      }),
      build: (r) => r.implemented().validate('validate_code', PASSING_CODE),
      expected: { action_type: 'complete_workflow' },
    },
    {
      name: 'goes to step 4 without asking when the plan gate is off',
      def: sevenStep((doc) => {
        doc.gates.find((g: { id: string }) => g.id === 'plan_approval').enabled = false;
      }),
      build: (r) => r.toPlanGate(),
      expected: step4,
    },
  ];
  it.each(named(rows))('%s', (_, row) => {
    check(row);
  });

  it('completes the workflow once workflow_completed is recorded', () => {
    const run = new Run().implemented().validate('validate_code', PASSING_CODE).askGate('final_approval', 'validate_code').answerGate('approve');
    run.follow(run.decide()!);
    expect(run.state().status).toBe('completed');
    expect(run.decide()).toBeNull();
  });
});

describe('decide › code review gate', () => {
  const rows: Row[] = [
    {
      name: 'is not asked while disabled (the default)',
      build: (r) => r.implemented().validate('validate_code', FAILING_CODE),
      expected: step6,
    },
    {
      name: 'is asked after the first step 5 when enabled, even if it failed',
      def: withCodeReview,
      build: (r) => r.implemented().validate('validate_code', FAILING_CODE),
      expected: { action_type: 'request_human_approval', step_number: 5, gate_id: 'code_review' },
      says: ['Review after the first validate_code', 'not converged'],
    },
    {
      name: 'approved, goes on to step 6 when step 5 failed',
      def: withCodeReview,
      build: (r) => r.implemented().validate('validate_code', FAILING_CODE).askGate('code_review', 'validate_code').answerGate('approve'),
      expected: step6,
    },
    {
      name: 'approved, goes on to the final gate when step 5 converged',
      def: withCodeReview,
      build: (r) => r.implemented().validate('validate_code', PASSING_CODE).askGate('code_review', 'validate_code').answerGate('approve'),
      expected: finalGate(5),
    },
    {
      name: 'sends change requests to step 6',
      def: withCodeReview,
      build: (r) =>
        r.implemented().validate('validate_code', PASSING_CODE).askGate('code_review', 'validate_code').answerGate('request_changes', ['use zod']),
      expected: { ...step6, change_requests: ['use zod'] },
    },
    {
      name: 'is not asked again after step 7',
      def: withCodeReview,
      build: (r) =>
        r
          .implemented()
          .validate('validate_code', FAILING_CODE)
          .askGate('code_review', 'validate_code')
          .answerGate('approve')
          .produce('refine_code')
          .validate('revalidate_code', PASSING_CODE),
      expected: finalGate(7),
    },
  ];
  it.each(named(rows))('%s', (_, row) => {
    check(row);
  });
});

describe('decide › gate timeouts', () => {
  const asked = (r: Run) => r.toPlanGate().askGate('plan_approval', 'validate_plan', Run.timeOf(100));
  it('waits at a timed-out gate whose policy is pause', () => {
    const run = asked(new Run()).timeOutGate();
    expect(run.state().gate).toMatchObject({ gateId: 'plan_approval', timedOut: true });
    expect(run.state().status).toBe('waiting_for_human');
    expect(run.decide()).toBeNull();
  });

  it('goes on when the approve policy answers a timed-out gate', () => {
    const run = asked(new Run()).timeOutGate().answerGate('approve', [], 'timeout_policy');
    expect(run.decide()).toMatchObject(step4);
    expect(run.state().approvals.at(-1)).toMatchObject({ gateId: 'plan_approval', decision: 'approve', automatic: 'timeout_policy' });
  });

  it('stops when the reject policy answers a timed-out gate', () => {
    const run = asked(new Run()).timeOutGate().answerGate('reject', [], 'timeout_policy');
    expect(run.state().status).toBe('rejected');
    expect(run.decide()).toBeNull();
  });

  it('still takes a human answer after the timeout', () => {
    const run = asked(new Run()).timeOutGate().answerGate('request_changes', ['more tests']);
    expect(run.decide()).toMatchObject({ ...step3, change_requests: ['more tests'] });
  });

  it('records an auto-approved gate as automatic', () => {
    const run = asked(new Run()).answerGate('approve', [], 'auto_approve');
    expect(run.state().approvals.at(-1)?.automatic).toBe('auto_approve');
    expect(run.decide()).toMatchObject(step4);
  });
});

describe('decide › failures', () => {
  /** Step 5 failed with `failureClass`: the failure time is the last event's. */
  const failAt5 = (failureClass: FailureClass, retryAfterMs?: number) => (r: Run) =>
    r.implemented().fail('validate_code', failureClass, retryAfterMs !== undefined ? { retryAfterMs } : {});
  const retry = (strategy: string) => ({ ...step5, action_type: 'retry_with_recovery', recovery_strategy: strategy, attempt: 2 }) as const;

  const rows: Array<Row & { delayMs?: number }> = [
    { name: 'timeout retries with extended_timeout and a doubled timeout', build: failAt5('timeout'), expected: { ...retry('extended_timeout'), timeout_ms: 600_000 } },
    { name: 'rate_limited waits for retry-after (wait_and_retry)', build: failAt5('rate_limited', 30_000), expected: { ...retry('wait_and_retry'), timeout_ms: 300_000 }, delayMs: 30_000 },
    { name: 'rate_limited without retry-after backs off 2 s', build: failAt5('rate_limited'), expected: retry('wait_and_retry'), delayMs: 2000 },
    { name: 'invalid_output retries with a repair prompt', build: failAt5('invalid_output'), expected: retry('repair_prompt') },
    { name: 'provider_down retries the same provider after a 1 s backoff, then fails over', build: failAt5('provider_down'), expected: retry('failover'), delayMs: 1000 },
    { name: 'interrupted retries at once', build: failAt5('interrupted'), expected: retry('retry_with_backoff') },
    { name: 'check_error retries with a 1 s backoff', build: failAt5('check_error'), expected: retry('retry_with_backoff'), delayMs: 1000 },
    { name: 'auth escalates at once', build: failAt5('auth'), expected: escalation(5, 'failure'), says: ['auth', 'escalate to a human'] },
    { name: 'bad_request escalates at once', build: failAt5('bad_request'), expected: escalation(5, 'failure') },
    { name: 'unknown escalates at once', build: failAt5('unknown'), expected: escalation(5, 'failure') },
  ];
  it.each(named(rows))('%s', (_, row) => {
    const decision = check(row)!;
    const run = row.build(new Run());
    const failedAt = Date.parse(run.events.at(-1)!.at);
    if (row.delayMs === undefined) expect(decision.not_before).toBeUndefined();
    else expect(decision.not_before).toBe(new Date(failedAt + row.delayMs).toISOString());
  });

  it('retries step 1 as retry_with_recovery on the same step and template', () => {
    const decision = new Run().fail('plan', 'timeout').decide();
    expect(decision).toMatchObject({ ...step1, action_type: 'retry_with_recovery', recovery_strategy: 'extended_timeout' });
  });

  it('retries step 4 as retry_with_recovery, not as a second phase transition', () => {
    const decision = new Run().toPhase2().fail('implement', 'invalid_output').decide();
    expect(decision).toMatchObject({ action_type: 'retry_with_recovery', step_number: 4, template_to_use: T4 });
    expect(decision?.next_phase).toBeUndefined();
  });

  it('keeps extending the timeout, then escalates after the 3rd retry fails', () => {
    const run = new Run().implemented().fail('validate_code', 'timeout');
    const timeouts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const decision = run.decide()!;
      expect(decision).toMatchObject({ action_type: 'retry_with_recovery', attempt: i + 2 });
      timeouts.push(decision.timeout_ms!);
      run.follow(decision).failure('timeout');
    }
    expect(timeouts).toEqual([600_000, 1_200_000, 2_400_000]);
    expect(run.decide()).toMatchObject(escalation(5, 'failure'));
    expect(run.decide()?.rationale).toContain('3 retries used, the cap for timeout is 3');
  });

  it('quotes a failure message that ends in a full stop without a second one (#15)', () => {
    const decision = new Run().fail('plan', 'auth', { message: 'The planner model answered HTTP 401 (not authorised).' }).decide();
    expect(decision?.rationale).toContain('failed with auth: The planner model answered HTTP 401 (not authorised). Policy for auth');
    expect(decision?.rationale).not.toContain('..');
  });

  it('counts retries again after a success', () => {
    const run = new Run().fail('plan', 'invalid_output');
    run.follow(run.decide()!).failure('invalid_output');
    run.follow(run.decide()!).output('plan');
    run.validate('validate_plan', FAILING_PLAN).fail('revise_plan', 'invalid_output');
    expect(run.decide()).toMatchObject({ action_type: 'retry_with_recovery', step_number: 3, attempt: 2 });
  });

  it('retries the step with a fresh attempt when a human answers a failure escalation', () => {
    const run = failAt5('auth')(new Run()).escalate('failure', 'validate_code').answer({ kind: 'retry' });
    expect(run.decide()).toMatchObject({ ...step5, attempt: 1 });
  });

  it('ends when a human cancels at a failure escalation', () => {
    const run = failAt5('unknown')(new Run()).escalate('failure', 'validate_code').answer({ kind: 'cancel' });
    expect(run.decide()).toBeNull();
  });
});

describe('decide › nothing to decide', () => {
  const rows: Row[] = [
    { name: 'while a step is in flight', build: (r) => r.schedule('plan'), expected: null },
    { name: 'while a gate waits', build: (r) => r.toPlanGate().askGate('plan_approval', 'validate_plan'), expected: null },
    { name: 'while paused', build: (r) => r.produce('plan').pause(), expected: null },
    { name: 'after cancel', build: (r) => r.produce('plan').cancel(), expected: null },
    { name: 'after cancel while a gate waits', build: (r) => r.toPlanGate().askGate('plan_approval', 'validate_plan').cancel(), expected: null },
    { name: 'after resume it decides again', build: (r) => r.produce('plan').pause().resume(), expected: step2 },
  ];
  it.each(named(rows))('%s', (_, row) => {
    check(row);
  });
});

describe('decide › context_to_provide', () => {
  it('gives step 2 the plan to validate', () => {
    const decision = new Run().produce('plan').decide()!;
    expect(decision.context_to_provide).toMatchObject({
      current_step: 2,
      current_phase: 'phase_1',
      validation_type: 'plan',
      validation_target: { ref: 'output', artifact: 'plan', version: 1 },
    });
  });

  it('gives step 3 the plan and its latest validation report', () => {
    const decision = new Run().planRounds([7, 7.5]).decide()!;
    expect(decision.context_to_provide).toMatchObject({
      original_artifact: { ref: 'output', artifact: 'plan', version: 2 },
      validation_report: { ref: 'validation', stepId: 'validate_plan', round: 2, loopId: 'plan_loop' },
    });
  });

  it('gives step 4 the validated plan', () => {
    const decision = new Run().toPhase2().decide()!;
    expect(decision.context_to_provide).toMatchObject({ current_phase: 'phase_2', implementation_plan: { ref: 'output', artifact: 'plan', version: 1 } });
  });

  it('gives step 6 the code and the latest code report', () => {
    const decision = new Run().codeRounds(0).decide()!;
    expect(decision.context_to_provide).toMatchObject({
      original_artifact: { ref: 'output', artifact: 'code', version: 1 },
      validation_report: { ref: 'validation', stepId: 'validate_code', round: 1, loopId: 'code_loop' },
    });
  });
});
