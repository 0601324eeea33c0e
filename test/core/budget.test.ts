/**
 * Budgets in the core: spend is read from recorded usage and event times; decide() escalates with
 * reason `budget` before it would run another agent, and the answer (raise, accept, cancel) hands
 * back what the budget interrupted.
 */
import { describe, expect, it } from 'vitest';
import { budgetReached, budgetUse, durationSeconds, spendOf } from '../../src/core/budget.js';
import type { Budget } from '../../src/core/definition-schema.js';
import { Run, sevenStep } from './helpers.js';

function withUsage(run: Run, costUsd: number, tokens = 1000): Run {
  const actionId = run.state().runs.at(-1)!.actionId;
  return run.push({
    type: 'step_output_recorded',
    at: '',
    actionId,
    output: { artifact: 'plan', content: 'plan', files: [] },
    usage: [{ inputTokens: tokens / 2, outputTokens: tokens / 2, cachedInputTokens: 0, costUsd, provider: 'fake' }],
  });
}

function planned(budget: Budget | undefined, costUsd: number, start: Budget | undefined = undefined): Run {
  const def = sevenStep((doc) => {
    if (budget !== undefined) doc.budget = budget;
  });
  return withUsage(new Run(def, start !== undefined ? { budget: start } : {}).schedule('plan'), costUsd);
}

describe('budget', () => {
  it('reads durations in seconds', () => {
    expect([durationSeconds(90), durationSeconds('90m'), durationSeconds('1h30m'), durationSeconds('2d')]).toEqual([90, 5400, 5400, 172_800]);
  });

  it('sums cost and tokens of every run', () => {
    const state = planned({ max_cost_usd: 10 }, 1.25).state();
    expect(spendOf(state)).toMatchObject({ costUsd: 1.25, tokens: 1000 });
    expect(budgetUse(state)).toEqual([{ limit: 'cost', used: 1.25, max: 10, fraction: 0.125 }]);
  });

  it('goes on below the budget', () => {
    expect(planned({ max_cost_usd: 10 }, 1).decide()).toMatchObject({ action_type: 'invoke_agent', step_id: 'validate_plan' });
  });

  it('escalates with reason budget once the spend reaches max_cost_usd', () => {
    const decision = planned({ max_cost_usd: 1 }, 1.5).decide();
    expect(decision).toMatchObject({ action_type: 'escalate_to_human', step_id: 'validate_plan', escalation: { reason: 'budget' } });
    expect(decision?.rationale).toContain('$1.50 of $1.00');
  });

  it('takes the budget given at the start over the definition’s', () => {
    expect(planned({ max_cost_usd: 1 }, 1.5, { max_cost_usd: 5 }).decide()).toMatchObject({ step_id: 'validate_plan' });
  });

  it('escalates on tokens and on active time', () => {
    expect(planned({ max_tokens: 500 }, 0).decide()).toMatchObject({ escalation: { reason: 'budget' } });
    // Three events, one second apart.
    expect(planned({ max_duration: 2 }, 0).decide()).toMatchObject({ escalation: { reason: 'budget' } });
    expect(planned({ max_duration: '1m' }, 0).decide()).toMatchObject({ step_id: 'validate_plan' });
  });

  it('leaves time waiting at a gate out of the duration', () => {
    const run = new Run(sevenStep((doc) => (doc.budget = { max_duration: 8 }))).toPlanGate().askGate('plan_approval', 'validate_plan');
    for (let i = 0; i < 20; i++) run.push({ type: 'gate_timed_out', at: '', interactionId: 'i1' });
    run.answerGate('approve');
    expect(spendOf(run.state()).activeSeconds).toBeLessThan(8);
    expect(run.decide()).toMatchObject({ step_id: 'implement' });
  });

  it('continues with the held step after the budget is raised', () => {
    const run = planned({ max_cost_usd: 1 }, 1.5);
    run.follow(run.decide()!).answer({ kind: 'raise_budget', budget: { max_cost_usd: 3 } });
    expect(run.state().budget).toEqual({ max_cost_usd: 3 });
    expect(run.decide()).toMatchObject({ action_type: 'invoke_agent', step_id: 'validate_plan' });
  });

  it('escalates again when the raise is still below the spend', () => {
    const run = planned({ max_cost_usd: 1 }, 1.5);
    run.follow(run.decide()!).answer({ kind: 'raise_budget', budget: { max_cost_usd: 1.2 } });
    expect(run.decide()).toMatchObject({ escalation: { reason: 'budget' } });
  });

  it('stops enforcing once going over is accepted', () => {
    const run = planned({ max_cost_usd: 1 }, 1.5);
    run.follow(run.decide()!).answer({ kind: 'accept' });
    expect(budgetReached(run.state())).toEqual([]);
    expect(run.decide()).toMatchObject({ step_id: 'validate_plan' });
  });

  it('ends the workflow as cancelled on cancel', () => {
    const run = planned({ max_cost_usd: 1 }, 1.5);
    run.follow(run.decide()!).answer({ kind: 'cancel' });
    expect(run.state().status).toBe('cancelled');
    expect(run.decide()).toBeNull();
  });

  it('never stops a workflow from asking a gate or completing', () => {
    const run = new Run(sevenStep((doc) => (doc.budget = { max_cost_usd: 0.5 }))).schedule('plan');
    withUsage(run, 1).validate('validate_plan', { kind: 'plan', scoreCard: { dimensions: { alignment: 9.5, standardization: 9, compatibility: 9 }, missing: [] }, issues: [], toolResults: [], summary: '' });
    expect(run.decide()).toMatchObject({ action_type: 'request_human_approval' });
  });
});
