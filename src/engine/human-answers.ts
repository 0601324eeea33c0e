/**
 * What a person can answer while a workflow waits for them: the answers of an escalation by its
 * reason, and how far a gate's approval policy has got. next-action, the API views and the CLI all
 * read these, so they never list different answers.
 */
import type { EscalationReason } from '../core/events.js';

export type EscalationAnswerKind = 'grant_rounds' | 'accept' | 'send_back' | 'retry' | 'cancel' | 'raise_budget';

/** The answers an escalation takes, by its reason; every interface lists these. */
export function escalationAnswers(reason: EscalationReason): EscalationAnswerKind[] {
  if (reason === 'failure') return ['retry', 'grant_rounds', 'cancel'];
  if (reason === 'budget') return ['raise_budget', 'accept', 'cancel'];
  return ['grant_rounds', 'accept', 'send_back', 'retry', 'cancel'];
}

export const ESCALATION_HOW: Record<EscalationReason, string> = {
  failure: 'Retry the failed step (retry or grant_rounds), or cancel the workflow.',
  budget: 'Raise the budget (new limits, or none to double the reached ones), accept going over it, or cancel the workflow.',
  cap_reached: 'Grant N more rounds, accept the artifact as it is, send it back with change requests, or cancel.',
  stall: 'Grant N more rounds, accept the artifact as it is, send it back with change requests, or cancel.',
};

/** " 1 of 2 approvals so far (alice); it opens at 2, from people with the admin role." — empty for a one-approval gate. */
export function approvalsNote(a: { required: number; given: number; by: string[]; who: string }): string {
  if (a.required === 1 && a.who === 'any approver') return '';
  const so = a.given > 0 ? ` (${[...new Set(a.by)].join(', ')})` : '';
  return ` ${a.given} of ${a.required} approvals so far${so}; it opens at ${a.required}, from ${a.who}.`;
}

