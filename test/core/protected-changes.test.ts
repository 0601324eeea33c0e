import { describe, expect, it } from 'vitest';
import { protectedChangesAwaitingReview } from '../../src/core/protected-changes.js';
import { PASSING_PLAN, Run } from './helpers.js';

function withProtected(run: Run, paths: string[]): Run {
  const last = run.events.at(-1)!;
  if (last.type !== 'step_output_recorded') throw new Error('test: the last event is not an output');
  last.output.protectedPaths = paths;
  return run;
}

describe('protectedChangesAwaitingReview', () => {
  it('is empty when no output changed a protected path', () => {
    const run = new Run().produce('plan').validate('validate_plan', PASSING_PLAN).produce('implement', 'code', ['src/a.ts']);
    expect(protectedChangesAwaitingReview(run.state())).toEqual([]);
  });

  it('lists each protected path changed since the workflow started, once, in the order first changed', () => {
    const run = new Run().produce('plan').validate('validate_plan', PASSING_PLAN);
    withProtected(run.produce('implement', 'code', ['package.json']), ['package.json']);
    withProtected(run.produce('refine_code', 'code', ['tsconfig.json', 'package.json']), ['tsconfig.json', 'package.json']);
    expect(protectedChangesAwaitingReview(run.state())).toEqual(['package.json', 'tsconfig.json']);
  });

  it('forgets changes a person approved, but not automatic approvals', () => {
    const run = new Run().produce('plan').validate('validate_plan', PASSING_PLAN);
    withProtected(run.produce('implement', 'code', ['package.json']), ['package.json']);
    run.askGate('final_approval', 'validate_code').answerGate('approve', [], 'auto_approve');
    expect(protectedChangesAwaitingReview(run.state())).toEqual(['package.json']);
    run.askGate('final_approval', 'validate_code').answerGate('approve');
    expect(protectedChangesAwaitingReview(run.state())).toEqual([]);
    withProtected(run.produce('refine_code', 'code', ['.github/workflows/ci.yml']), ['.github/workflows/ci.yml']);
    expect(protectedChangesAwaitingReview(run.state())).toEqual(['.github/workflows/ci.yml']);
  });
});
