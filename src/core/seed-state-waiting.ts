/**
 * Why `decide` has nothing to decide for a state, in words: `converge decide` prints this instead
 * of a decision, so a team running the steps by hand learns what it is waiting for.
 */
import type { WorkflowState } from './state.js';
import { currentRun, TERMINAL_STATUSES } from './state.js';
import { stepOf } from './seed-state-lookups.js';

export interface Waiting {
  /** `step`: a run in flight. */
  waiting_for: 'escalation' | 'approval' | 'step' | 'paused' | 'ended' | 'nothing';
  step_number: number | null;
  rationale: string;
}

/** Meant for states where `decide` returned null; the checks follow decide's own order. */
export function waitingRationale(state: WorkflowState): Waiting {
  const def = state.definition;
  const described = (stepId: string) => {
    const step = stepOf(def, stepId);
    return { number: step.number, text: `step ${step.number} (${step.id})` };
  };
  if (TERMINAL_STATUSES.has(state.status)) {
    return { waiting_for: 'ended', step_number: null, rationale: `Nothing to decide: the workflow has ended (${state.status}).` };
  }
  if (state.paused) {
    return { waiting_for: 'paused', step_number: null, rationale: 'Nothing to decide: the workflow is paused; resume it to go on.' };
  }
  if (state.escalation !== null) {
    const e = state.escalation;
    const step = described(e.stepId);
    const reason = e.reason === 'cap_reached' ? 'its cap was reached' : e.reason === 'stall' ? 'its scores stalled' : 'it failed';
    return {
      waiting_for: 'escalation',
      step_number: step.number,
      rationale:
        `Waits at an escalation: ${step.text} was escalated to a person because ${reason}` +
        `${e.message ? ` (${e.message})` : ''}. A person answers it: grant more rounds, accept, send back with change requests, retry or cancel.`,
    };
  }
  if (state.gate !== null) {
    const step = described(state.gate.stepId);
    return {
      waiting_for: 'approval',
      step_number: step.number,
      rationale:
        `Waits for approval "${state.gate.gateId}" after ${step.text}${state.gate.timedOut ? ', past its timeout' : ''}: ` +
        'a person approves, rejects or requests changes.',
    };
  }
  const run = currentRun(state);
  if (run !== undefined) {
    const step = described(run.stepId);
    return { waiting_for: 'step', step_number: step.number, rationale: `Waits for ${step.text}, which is in progress; decide again once it has a result.` };
  }
  return { waiting_for: 'nothing', step_number: null, rationale: 'Nothing to decide.' };
}
