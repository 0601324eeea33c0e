/**
 * The optional advisor: in the complex cases (a stalled loop, repeated failures) an LLM may
 * answer the escalation instead of a person — but only with one of the answers listed here,
 * each of which the core already handles. Anything else leaves the escalation to a human.
 */
import type { EscalationAnswer } from './events.js';
import type { WorkflowState } from './state.js';

export interface AdviceOption {
  id: 'grant_rounds' | 'accept' | 'retry' | 'escalate';
  description: string;
  answer?: EscalationAnswer;
}

/** The legal answers for the open escalation, or null when the advisor must not be asked. */
export function adviceOptions(state: WorkflowState): AdviceOption[] | null {
  const escalation = state.escalation;
  if (!state.definition.advisor.enabled || escalation === null) return null;
  // Spending more money, like granting rounds past a cap, is a person's call.
  if (escalation.reason === 'cap_reached' || escalation.reason === 'budget') return null;
  // One advisor answer per streak: a second stall or failure right after it goes to a person.
  const lastOutput = state.outputs.at(-1)?.at ?? state.createdAt;
  const advised = state.escalations.filter((e) => e.actor?.id.startsWith('advisor') && (e.answeredAt ?? '') >= lastOutput);
  if (advised.length > 0) return null;
  const escalate: AdviceOption = { id: 'escalate', description: 'Leave the decision to a person (the default).' };
  if (escalation.reason === 'failure') {
    return [{ id: 'retry', description: 'Retry the failed step once more.', answer: { kind: 'retry' } }, escalate];
  }
  return [
    { id: 'grant_rounds', description: 'Revise once more: grant one extra round.', answer: { kind: 'grant_rounds', rounds: 1 } },
    { id: 'accept', description: 'Accept the artifact as it is and move on (gates still apply).', answer: { kind: 'accept' } },
    escalate,
  ];
}
