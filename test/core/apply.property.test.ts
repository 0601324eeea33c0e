/**
 * reduce() folds onto a given state without a deep clone (it shares unchanged records), so these
 * properties guard what that must keep: folding one event at a time gives the same state as folding
 * the whole log, and a state that was folded onto never changes afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reduce } from '../../src/core/apply.js';
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
});
