/**
 * The reducer's part for what people answer: a gate (counted toward its approval policy until the
 * policy is met), an escalation (a budget escalation hands back what it interrupted), and the time
 * spent waiting for them, which a budget's duration leaves out.
 */
import { closesGate } from './approval-policy.js';
import { ConvergeError } from './errors.js';
import type { WorkflowEvent } from './events.js';
import type { PendingGate, WorkflowState } from './state.js';
import { newestOutput, pushOutput, roundCount, versionCount } from './state-index.js';

type EventOf<T extends WorkflowEvent['type']> = Extract<WorkflowEvent, { type: T }>;

export function gateAnswered(state: WorkflowState, event: EventOf<'approval_decided'>): void {
  const def = state.definition;
  const gate = requirePendingGate(state, event.interactionId);
  const vote = { actor: event.actor, at: event.at, ...(event.comment !== undefined ? { comment: event.comment } : {}) };
  if (!closesGate(def, gate, event.decision, vote, event.automatic !== undefined)) {
    // Counted toward the policy; the gate stays open and the workflow keeps waiting.
    state.gate = { ...gate, approvals: [...(gate.approvals ?? []), vote] };
    return;
  }
  state.waitedMs = (state.waitedMs ?? 0) + msBetween(gate.requestedAt, event.at);
  state.approvals.push({
    gateId: gate.gateId,
    interactionId: gate.interactionId,
    stepId: gate.stepId,
    decision: event.decision,
    ...(event.comment !== undefined ? { comment: event.comment } : {}),
    changeRequests: event.changeRequests,
    actor: event.actor,
    ...(event.automatic !== undefined ? { automatic: event.automatic } : {}),
    at: event.at,
    ...(gate.approvals !== undefined && gate.approvals.length > 0 ? { earlier: gate.approvals } : {}),
    seq: event.seq,
  });
  state.gate = null;
  state.last = {
    kind: 'gate_answered',
    gateId: gate.gateId,
    stepId: gate.stepId,
    decision: event.decision,
    changeRequests: event.changeRequests,
  };
  if (event.decision === 'reject') {
    state.status = 'rejected';
    state.completedAt = event.at;
  } else {
    state.status = 'running';
  }
}

export function escalationAnswered(state: WorkflowState, event: EventOf<'escalation_answered'>): void {
  const pending = state.escalation;
  if (pending === null || pending.escalationId !== event.escalationId) {
    throw new ConvergeError('NOT_WAITING', `Workflow ${state.workflowId} has no open escalation ${event.escalationId}.`);
  }
  const index = state.escalations.findIndex((e) => e.escalationId === event.escalationId);
  state.escalations[index] = { ...state.escalations[index]!, answer: event.answer, actor: event.actor, answeredAt: event.at, answeredSeq: event.seq };
  state.escalation = null;
  state.waitedMs = (state.waitedMs ?? 0) + msBetween(pending.raisedAt, event.at);
  if (pending.reason === 'budget') {
    answerBudget(state, event.answer);
    return;
  }
  state.failureStreak = [];
  if (pending.loopId !== undefined) {
    const loop = { ...(state.loops[pending.loopId] ?? { extraRounds: 0, stallFrom: 0 }) };
    if (event.answer.kind === 'grant_rounds') loop.extraRounds += event.answer.rounds;
    if (event.answer.kind === 'send_back') loop.extraRounds += 1;
    loop.stallFrom = roundCount(state, pending.loopId);
    state.loops[pending.loopId] = loop;
  }
  state.last = {
    kind: 'escalation_answered',
    stepId: pending.stepId,
    reason: pending.reason,
    ...(pending.loopId !== undefined ? { loopId: pending.loopId } : {}),
    answer: event.answer,
  };
  if (event.answer.kind === 'cancel') {
    state.status = 'cancelled';
    state.completedAt = event.at;
  } else {
    state.status = 'running';
  }
}

/** A budget escalation's answer: new limits, or going over them accepted; then what was held goes on. */
function answerBudget(state: WorkflowState, answer: EventOf<'escalation_answered'>['answer']): void {
  if (answer.kind === 'cancel') {
    state.status = 'cancelled';
    state.completedAt = state.updatedAt;
    return;
  }
  if (answer.kind === 'raise_budget') state.budget = { ...state.budget, ...answer.budget };
  else state.budgetAccepted = true;
  state.last = state.heldOutcome ?? { kind: 'none' };
  delete state.heldOutcome;
  state.status = 'running';
}

/**
 * A person's version of an artifact at the open gate becomes its newest version: the plan's new
 * text, or a code version that changes one file. The gate stays open; approving approves it.
 */
export function humanRevision(state: WorkflowState, event: EventOf<'human_revision_recorded'>): void {
  const gate = requirePendingGate(state, event.interactionId);
  const version = versionCount(state, event.artifact) + 1;
  const previous = newestOutput(state, event.artifact);
  const file = event.path !== undefined;
  pushOutput(state, {
    actionId: `human-${event.seq}`,
    stepId: gate.stepId,
    version,
    output: file
      ? { artifact: event.artifact, content: previous?.output.content ?? '', files: [{ path: event.path!, action: event.created === true ? 'create' : 'update', content: event.content }] }
      : { artifact: event.artifact, content: event.content, files: [] },
    at: event.at,
    human: { actor: event.actor, seq: event.seq, diff: event.diff, ...(event.comment !== undefined ? { comment: event.comment } : {}), ...(file ? { path: event.path! } : {}) },
  });
}

export function msBetween(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

export function requirePendingGate(state: WorkflowState, interactionId: string): PendingGate {
  const gate = state.gate;
  if (gate === null || gate.interactionId !== interactionId) {
    throw new ConvergeError('NOT_WAITING', `Workflow ${state.workflowId} has no open approval ${interactionId}.`);
  }
  return gate;
}
