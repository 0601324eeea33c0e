/**
 * reduce() folds onto a given state without a deep clone (it shares unchanged records), so these
 * properties guard what that must keep: folding one event at a time gives the same state as folding
 * the whole log, and a state that was folded onto never changes afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reduce } from '../../src/core/apply.js';
import type { WorkflowEvent } from '../../src/core/events.js';
import type { WorkflowState } from '../../src/core/state.js';
import { sevenStep, simulate } from './helpers.js';

describe('reduce onto an earlier state', () => {
  const def = sevenStep((doc) => {
    doc.gates.find((g: { id: string }) => g.id === 'code_review').enabled = true;
  });

  it('equals folding the whole log, event by event, and leaves every earlier state as it was', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { run } = simulate(def, { int: (min, max) => g(fc.integer, { min, max }) }, { maxDecisions: 200, failurePercent: 20 });
        const events = run.events;
        const states: WorkflowState[] = [reduce('wf_test', events.slice(0, 1))];
        const frozen: string[] = [JSON.stringify(states[0])];
        for (const event of events.slice(1)) {
          states.push(reduce('wf_test', [event], states.at(-1)));
          frozen.push(JSON.stringify(states.at(-1)));
        }
        expect(states.at(-1)).toEqual(reduce('wf_test', events));
        // Every intermediate state still reads as it did right after it was folded.
        states.forEach((state, i) => expect(JSON.stringify(state)).toBe(frozen[i]));
      }),
      { numRuns: 60 },
    );
  });

  it('equals folding the whole log when it resumes from a state read back as JSON, as from a snapshot', () => {
    // The reducer's lookups (versions per artifact, rounds per loop) live off the state's shape; a
    // state parsed from a snapshot has none and must rebuild them to number what comes next alike.
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { run } = simulate(def, { int: (min, max) => g(fc.integer, { min, max }) }, { maxDecisions: 200, failurePercent: 20 });
        const events = run.events;
        const cut = g(fc.integer, { min: 1, max: events.length });
        const snapshot = JSON.parse(JSON.stringify(reduce('wf_test', events.slice(0, cut)))) as WorkflowState;
        expect(reduce('wf_test', events.slice(cut), snapshot)).toEqual(reduce('wf_test', events));
      }),
      { numRuns: 60 },
    );
  });
});

describe('a step scheduled and started in one event', () => {
  it('folds to a started run with its agent, as scheduled + started would', () => {
    const def = sevenStep();
    const start: WorkflowEvent = { type: 'workflow_started', seq: 1, at: '2026-01-01T00:00:00.000Z', definition: def, requirements: 'r', workspace: { path: '/w', type: 'shared' }, documentationLocations: [], autoApprove: false };
    const scheduled: WorkflowEvent = { type: 'step_scheduled', seq: 2, at: '2026-01-01T00:00:01.000Z', actionId: 'wf.2', stepId: 'plan', attempt: 1, timeoutMs: 1000, decisionType: 'invoke_agent', rationale: 'first' };
    const together = reduce('wf', [start, { ...scheduled, agent: 'scripted:s.yaml' }]);
    const apart = reduce('wf', [start, scheduled, { type: 'step_started', seq: 3, at: scheduled.at, actionId: 'wf.2', agent: 'scripted:s.yaml' }]);
    expect(together.runs).toEqual(apart.runs);
    expect(together.runs[0]).toMatchObject({ status: 'started', agent: 'scripted:s.yaml', startedAt: scheduled.at });
  });
});
