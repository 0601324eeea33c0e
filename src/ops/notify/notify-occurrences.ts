/**
 * What in a workflow's state is worth telling someone: each occurrence is named by what caused it
 * (the gate's interaction id, the escalation id, the external step's action id, the terminal
 * status with its time, the budget limit with its value), so every process that looks at the same
 * state derives the same occurrences, and the outbox keeps each once.
 *
 * Derived from the state, not from the events of one append: a process that starts after a crash,
 * or another process's approval, sees the same thing the writer would have seen.
 */
import { BUDGET_WARNING_FRACTION, budgetUse, formatBudgetUse } from '../../core/budget.js';
import type { WorkflowState } from '../../core/state.js';
import { externalWait } from '../../engine/external-wait.js';
import { ESCALATION_HOW, escalationAnswers } from '../../engine/human-answers.js';
import type { NotifyEvent } from './notify-config.js';

export interface Occurrence {
  event: NotifyEvent;
  /** What caused it, unique within the workflow for this event kind. */
  cause: string;
  /** When it began: a reminder counts from here. */
  since: string;
  /** Whether someone must act; only these are repeated as reminders, and only while they last. */
  waiting: boolean;
  /** One sentence: what is needed, or what happened. */
  needed: string;
  /** The answers a person can give, as the CLI and API name them. */
  answers: string[];
  details: Record<string, unknown>;
}

const GATE_ANSWERS = ['approve', 'reject', 'request_changes'];

export function occurrencesOf(state: WorkflowState): Occurrence[] {
  const found: Occurrence[] = [];
  const gate = gateOccurrence(state);
  if (gate) found.push(gate);
  const escalation = state.escalation;
  if (escalation !== null && state.status === 'waiting_for_human') {
    found.push({
      event: escalation.reason === 'budget' ? 'budget.reached' : 'escalation.raised',
      cause: escalation.escalationId,
      since: escalation.raisedAt,
      waiting: true,
      needed: `${escalation.message.trim()} ${ESCALATION_HOW[escalation.reason]}`.trim(),
      answers: escalationAnswers(escalation.reason),
      details: { escalation_id: escalation.escalationId, reason: escalation.reason, step: escalation.stepId, ...(escalation.reason === 'budget' ? { budget: budgetDetails(state) } : {}) },
    });
  }
  const external = state.status === 'running' && !state.paused && state.gate === null && state.escalation === null ? externalWait(state) : null;
  if (external !== null) {
    const step = `step ${external.stepNumber}${external.stepName ? ` (${external.stepName})` : ''}`;
    found.push({
      event: 'external.waiting',
      cause: external.actionId,
      since: external.since,
      waiting: true,
      needed: `Submit the ${external.format} for ${step}: \`converge next ${state.workflowId}\` shows its prompt and the submit command.`,
      answers: ['submit'],
      details: { action_id: external.actionId, step: external.stepNumber, role: external.role, format: external.format, attempt: external.attempt },
    });
  }
  const terminal = terminalOccurrence(state);
  if (terminal) found.push(terminal);
  if (state.budgetAccepted !== true) {
    for (const use of budgetUse(state)) {
      if (use.fraction < BUDGET_WARNING_FRACTION) continue;
      found.push({
        event: 'budget.warning',
        cause: `${use.limit}:${use.max}`,
        since: state.updatedAt,
        waiting: false,
        needed: `The workflow has used ${Math.floor(use.fraction * 100)} % of its ${use.limit} budget (${formatBudgetUse(use)}); at 100 % it stops and asks a person.`,
        answers: [],
        details: { limit: use.limit, used: use.used, max: use.max, fraction: Math.round(use.fraction * 1000) / 1000 },
      });
    }
  }
  return found;
}

function gateOccurrence(state: WorkflowState): Occurrence | undefined {
  const pending = state.gate;
  if (pending === null || state.status !== 'waiting_for_human') return undefined;
  const gate = state.definition.gates.find((g) => g.id === pending.gateId);
  const changesTo = state.definition.steps.find((s) => s.id === gate?.changes_to);
  const what = changesTo?.role === 'planner' ? 'the plan' : changesTo?.role === 'programmer' ? 'the code' : 'the work so far';
  const given = pending.approvals?.length ?? 0;
  return {
    event: 'gate.waiting',
    cause: pending.interactionId,
    since: pending.requestedAt,
    waiting: true,
    needed: `Approve or reject ${what} at gate ${pending.gateId} (or request changes).${given > 0 ? ` ${given} approval${given === 1 ? '' : 's'} given so far.` : ''}`,
    answers: GATE_ANSWERS,
    details: {
      gate: pending.gateId,
      ...(gate?.name !== undefined ? { gate_name: gate.name } : {}),
      interaction_id: pending.interactionId,
      step: pending.stepId,
      ...(pending.timeoutAt !== undefined ? { timeout_at: pending.timeoutAt } : {}),
      ...(pending.protectedPaths !== undefined ? { protected_paths: pending.protectedPaths } : {}),
      approvals_given: given,
    },
  };
}

function terminalOccurrence(state: WorkflowState): Occurrence | undefined {
  const terminal: Partial<Record<string, NotifyEvent>> = { completed: 'workflow.completed', failed: 'workflow.failed', rejected: 'workflow.rejected' };
  const event = terminal[state.status];
  if (event === undefined) return undefined;
  const at = state.completedAt ?? state.updatedAt;
  const needed =
    event === 'workflow.completed'
      ? 'The workflow completed; nothing is needed.'
      : event === 'workflow.rejected'
        ? 'The workflow was rejected at a gate; nothing is needed.'
        : `The workflow failed: ${state.failureMessage ?? 'see converge show'}. Fork or start it again once the cause is fixed.`;
  const last = state.approvals.at(-1);
  return {
    event,
    cause: `${state.status}@${at}`,
    since: at,
    waiting: false,
    needed,
    answers: [],
    details: {
      ...(event === 'workflow.failed' && state.failureMessage !== undefined ? { message: state.failureMessage } : {}),
      ...(event === 'workflow.rejected' && last !== undefined ? { rejected_by: last.actor.id, gate: last.gateId, ...(last.comment ? { comment: last.comment } : {}) } : {}),
      ...(state.workspaceResult !== undefined ? { workspace: { outcome: state.workspaceResult.outcome, branch: state.workspaceResult.branch } } : {}),
    },
  };
}

function budgetDetails(state: WorkflowState): Array<Record<string, unknown>> {
  return budgetUse(state).map((u) => ({ limit: u.limit, used: u.used, max: u.max, reached: u.used >= u.max }));
}
