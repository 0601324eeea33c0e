import { describe, expect, it } from 'vitest';
import { reduce } from '../../src/core/apply.js';
import type { NewEvent, WorkflowEvent } from '../../src/core/events.js';
import { promptInputs } from '../../src/engine/prompt-inputs.js';
import { timelineView } from '../../src/interfaces/http/workflow-views.js';
import { FAILING_PLAN, HUMAN, PASSING_PLAN, Run } from './helpers.js';

function revise(run: Run, edit: Partial<Extract<NewEvent, { type: 'human_revision_recorded' }>>): Run {
  const gate = run.state().gate!;
  return run.push({
    type: 'human_revision_recorded',
    at: '',
    interactionId: gate.interactionId,
    artifact: 'plan',
    content: '# Plan (edited by ada)\n\n1. Do it the simple way.',
    diff: '--- plan v1\n+++ plan v2\n',
    actor: HUMAN,
    ...edit,
  } as NewEvent);
}

describe('human_revision_recorded', () => {
  it('makes the edited plan the newest version while the gate stays pending', () => {
    const run = new Run().produce('plan', '# Plan\n\n1. Do it.').validate('validate_plan', PASSING_PLAN).askGate('plan_approval', 'validate_plan');
    revise(run, { comment: 'simpler' });
    const state = run.state();
    expect(state.gate).not.toBeNull();
    expect(state.status).toBe('waiting_for_human');
    const plans = state.outputs.filter((o) => o.output.artifact === 'plan');
    expect(plans.map((p) => p.version)).toEqual([1, 2]);
    expect(plans[1]!.output.content).toContain('edited by ada');
    expect(plans[1]!.human).toMatchObject({ actor: HUMAN, comment: 'simpler' });
  });

  it('gives step 4 the edited plan once the gate is approved', () => {
    const run = new Run().produce('plan', '# Plan\n\n1. Do it.').validate('validate_plan', PASSING_PLAN).askGate('plan_approval', 'validate_plan');
    revise(run, {}).answerGate('approve');
    const decision = run.decide();
    expect(decision?.step_number).toBe(4);
    run.schedule('implement');
    const state = run.state();
    expect(promptInputs(state.definition, state, state.runs.at(-1)!).plan).toContain('edited by ada');
  });

  it('gives step 3 the edited plan as the one to revise when changes are requested', () => {
    const run = new Run().produce('plan', '# Plan\n\n1. Do it.').validate('validate_plan', PASSING_PLAN).askGate('plan_approval', 'validate_plan');
    revise(run, {}).answerGate('request_changes', ['name the columns']);
    expect(run.decide()?.step_number).toBe(3);
    run.schedule('revise_plan', { changeRequests: ['name the columns'] });
    const state = run.state();
    const inputs = promptInputs(state.definition, state, state.runs.at(-1)!);
    expect(inputs.original_artifact).toContain('edited by ada');
    expect(inputs.change_requests).toEqual(['name the columns']);
  });

  it('records a file revision as a code version that changes that file only', () => {
    const run = new Run().produce('plan').validate('validate_plan', PASSING_PLAN).askGate('plan_approval', 'validate_plan').answerGate('approve');
    run.produce('implement', 'code', ['src/a.ts']).askGate('final_approval', 'validate_code');
    revise(run, { artifact: 'code', path: 'src/a.ts', content: 'export const a = 2;\n' });
    const code = run.state().outputs.filter((o) => o.output.artifact === 'code');
    expect(code.at(-1)!.output.files).toEqual([{ path: 'src/a.ts', action: 'update', content: 'export const a = 2;\n' }]);
    expect(code.at(-1)!.human?.path).toBe('src/a.ts');
  });

  it('is refused when no gate is pending', () => {
    const run = new Run().produce('plan').validate('validate_plan', FAILING_PLAN);
    const events = [...run.events, { type: 'human_revision_recorded', seq: run.events.length + 1, at: Run.timeOf(99), interactionId: 'i1', artifact: 'plan', content: 'x', diff: '', actor: HUMAN } as WorkflowEvent];
    expect(() => reduce('wf_test', events)).toThrow(/no open approval/);
  });

  it('shows in the timeline, in event order, after the validation and before the approval', () => {
    const run = new Run().produce('plan').validate('validate_plan', PASSING_PLAN).askGate('plan_approval', 'validate_plan');
    revise(run, {}).answerGate('approve');
    const kinds = timelineView(run.state()).map((i) => `${i.kind}${i.kind === 'step' ? i.step_number : ''}`);
    expect(kinds).toEqual(['step1', 'step2', 'revision', 'gate']);
    const revision = timelineView(run.state()).find((i) => i.kind === 'revision')!;
    expect(revision.title).toBe('human revision by ada: plan');
    expect(revision.diff).toContain('+++ plan v2');
  });
});

describe('timeline order', () => {
  it('lists an auto-approved plan gate before step 4 when both were recorded at the same instant', () => {
    const run = new Run().produce('plan').validate('validate_plan', PASSING_PLAN).askGate('plan_approval', 'validate_plan').answerGate('approve', [], 'auto_approve');
    run.schedule('implement');
    // One write: every event of the batch carries the same instant.
    const last = run.events.at(-1)!.at;
    for (const e of run.events.slice(-5)) e.at = last;
    const entries = timelineView(reduce('wf_test', run.events)).map((i) => `${i.kind}${i.kind === 'step' ? i.step_number : ''}`);
    expect(entries.indexOf('gate')).toBeLessThan(entries.indexOf('step4'));
  });
});
