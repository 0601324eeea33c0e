/**
 * The operations people and programs perform on workflows — start, approve, reject, request
 * changes, answer an escalation, pause, cancel, submit an external result, fork. The CLI, MCP
 * and HTTP interfaces all call these, so the rules live in one place.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Budget, WorkflowDefinition } from '../core/definition-schema.js';
import { policyRefusal } from '../core/approval-policy.js';
import type { Approver } from '../core/approval-policy.js';
import { defaultRaise, stillReached } from '../core/budget.js';
import { ConvergeError } from '../core/errors.js';
import type { Actor, EscalationAnswer, NewEvent, WorkflowEvent, WorkspaceInfo } from '../core/events.js';
import { reduce } from '../core/apply.js';
import { currentRun, TERMINAL_STATUSES } from '../core/state.js';
import type { WorkflowState } from '../core/state.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { resultFromSubmission } from './step-executor.js';
import { saveSubmittedTrace } from './step-trace.js';
import { dropSnapshot } from './in-place.js';
import { asResultInvalid } from './submission-check.js';
import { createIsolatedWorkspace, recordWorkspaceBase } from '../workspace/index.js';
import { needsSettling, settleWorkspace } from './workspace-settle.js';
import type { StepExecutorDeps } from './step-executor.js';
import { appendEvents, loadState } from './workflow-log.js';
import { summaryOf } from './workflow-summary.js';

export interface StartInput {
  definition: WorkflowDefinition;
  requirements: string;
  workspace: WorkspaceInfo;
  profile?: string;
  taskType?: string;
  documentationLocations?: string[];
  autoApprove?: boolean;
  name?: string;
  id?: string;
  agentMode?: 'host' | 'configured';
  /** Host mode: whether the host edits the workspace itself (default true; see in-place.ts). */
  editsInPlace?: boolean;
  /** Who starts it; recorded so a policy can exclude the starter. */
  actor?: Actor;
  /** Replaces the definition's budget, limit by limit. */
  budget?: Budget;
}

export function newWorkflowId(): string {
  return `wf-${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

export function assertWorkspaceDirectory(path: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ConvergeError('WORKSPACE_INVALID', `The workspace ${path} does not exist.`, {
      hint: 'Pass --workspace with an existing directory (a git repository or a project folder).',
    });
  }
  if (!isDir) {
    throw new ConvergeError('WORKSPACE_INVALID', `The workspace ${path} is not a directory.`, {
      hint: 'Pass --workspace with a directory, not a file.',
    });
  }
}

export async function startWorkflow(store: Store, clock: Clock, input: StartInput): Promise<WorkflowState> {
  if (input.requirements.trim() === '') {
    throw new ConvergeError('USAGE', 'The requirements are empty.', { hint: 'Say what to build, e.g. converge run "Add a CSV export".' });
  }
  assertWorkspaceDirectory(input.workspace.path);
  const id = input.id ?? newWorkflowId();
  const opened =
    input.workspace.type === 'isolated'
      ? await createIsolatedWorkspace(input.workspace.path, id, { linkFromOrigin: ['node_modules'] })
      : input.workspace;
  // What the code is reviewed against: the workspace as it is now, before any step runs.
  const workspace = { ...opened, ...(await recordWorkspaceBase(opened, id)) };
  const first: NewEvent = {
    type: 'workflow_started',
    at: clock.now(),
    definition: input.definition,
    requirements: input.requirements,
    workspace,
    ...(input.profile !== undefined ? { profile: input.profile } : {}),
    ...(input.taskType !== undefined ? { taskType: input.taskType } : {}),
    documentationLocations: input.documentationLocations ?? [],
    autoApprove: input.autoApprove ?? false,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.agentMode !== undefined ? { agentMode: input.agentMode } : {}),
    ...(input.agentMode === 'host' ? { editsInPlace: input.editsInPlace ?? true } : {}),
    ...(input.actor !== undefined ? { actor: input.actor } : {}),
    ...(input.budget !== undefined && Object.keys(input.budget).length > 0 ? { budget: { ...input.definition.budget, ...input.budget } } : {}),
  };
  const state = reduce(id, [{ ...first, seq: 1 } as WorkflowEvent]);
  await store.createWorkflow(summaryOf(state), first);
  return state;
}

async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'SEQUENCE_CONFLICT' || attempt >= 5) throw error;
    }
  }
}

export type GateResponse =
  | { decision: 'approve'; comment?: string }
  | { decision: 'reject'; comment?: string }
  | { decision: 'request_changes'; changeRequests: string[]; comment?: string };

/**
 * Records an answer at the pending gate. With `approver` (the access layer always passes one) the
 * gate's approval policy is checked against the state the answer is appended to, so two approvals
 * racing each other are judged one after the other.
 */
export async function respondToGate(
  store: Store,
  clock: Clock,
  workflowId: string,
  response: GateResponse,
  actor: Actor,
  approver?: Approver,
): Promise<WorkflowState> {
  return withRetry(async () => {
    const state = await loadState(store, workflowId);
    if (state.gate === null) throw notWaiting(state, 'an approval');
    if (response.decision === 'request_changes' && response.changeRequests.filter((c) => c.trim() !== '').length === 0) {
      throw new ConvergeError('USAGE', 'Request changes needs at least one change.', { hint: 'Add --change "what to change" (repeatable).' });
    }
    const refusal = approver === undefined ? null : policyRefusal(state, approver, response.decision);
    if (refusal !== null) {
      throw new ConvergeError(refusal.rule === 'already_approved' ? 'ILLEGAL_ACTION' : 'FORBIDDEN', `${refusal.message}.`, {
        hint: refusal.rule === 'already_approved' ? 'Ask another approver; `converge status ID` shows who approved so far.' : 'Ask someone the gate\'s policy accepts (its approvals: in the definition or converge.yaml).',
        details: { rule: refusal.rule, gate: state.gate.gateId },
      });
    }
    const answered = await appendEvents(store, state, [
      {
        type: 'approval_decided',
        at: clock.now(),
        interactionId: state.gate.interactionId,
        decision: response.decision,
        ...(response.comment !== undefined ? { comment: response.comment } : {}),
        changeRequests: response.decision === 'request_changes' ? response.changeRequests : [],
        actor,
      },
    ]);
    return settleIfEnded(store, clock, answered);
  });
}

export async function answerEscalation(
  store: Store,
  clock: Clock,
  workflowId: string,
  answer: EscalationAnswer,
  actor: Actor,
  comment?: string,
): Promise<WorkflowState> {
  return withRetry(async () => {
    const state = await loadState(store, workflowId);
    if (state.escalation === null) throw notWaiting(state, 'an escalation answer');
    if (state.escalation.reason === 'failure' && (answer.kind === 'accept' || answer.kind === 'send_back')) {
      throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${workflowId} escalated a failure; the answers are retry, grant or cancel.`);
    }
    const given = budgetAnswer(state, answer);
    return appendEvents(store, state, [
      { type: 'escalation_answered', at: clock.now(), escalationId: state.escalation.escalationId, answer: given, actor, ...(comment ? { comment } : {}) },
    ]);
  });
}

/**
 * A budget escalation takes raise_budget (limits above what is spent; none given doubles the reached
 * ones), accept or cancel; raise_budget answers nothing else.
 */
function budgetAnswer(state: WorkflowState, answer: EscalationAnswer): EscalationAnswer {
  const id = state.workflowId;
  if (state.escalation?.reason !== 'budget') {
    if (answer.kind !== 'raise_budget') return answer;
    throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${id} escalated ${state.escalation?.reason.replace('_', ' ')}, not its budget; raising the budget answers nothing here.`, {
      hint: 'Run `converge status ID` to see the answers it takes.',
    });
  }
  if (answer.kind !== 'raise_budget' && answer.kind !== 'accept' && answer.kind !== 'cancel') {
    throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${id} reached its budget; the answers are raise the budget, accept going over it, or cancel.`, {
      hint: `converge answer ${id} --raise-budget [--budget-usd N] | --accept | --cancel`,
    });
  }
  if (answer.kind !== 'raise_budget') return answer;
  const budget = Object.keys(answer.budget).length > 0 ? answer.budget : defaultRaise(state);
  const still = stillReached(state, budget);
  if (still.length > 0) {
    throw new ConvergeError('USAGE', `The raised budget of workflow ${id} would still be reached: ${still.join(', ')}.`, {
      hint: 'Give limits above what is spent, leave them out to double the reached ones, or accept going over the budget.',
    });
  }
  return { kind: 'raise_budget', budget };
}

export async function cancelWorkflow(store: Store, clock: Clock, workflowId: string, actor: Actor, reason?: string): Promise<WorkflowState> {
  return withRetry(async () => {
    const state = await loadState(store, workflowId);
    if (TERMINAL_STATUSES.has(state.status)) {
      throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${workflowId} is already ${state.status}; there is nothing to cancel.`, {
        hint: `To run it again from a step, fork it: \`converge fork ${workflowId} --from-step N\`.`,
      });
    }
    const cancelled = await appendEvents(store, state, [{ type: 'cancelled', at: clock.now(), actor, ...(reason ? { reason } : {}) }]);
    // A host's code step cancelled while it waited needs its workspace snapshot no more.
    const waiting = currentRun(state);
    if (waiting !== undefined) await dropSnapshot(state, waiting);
    return settleIfEnded(store, clock, cancelled);
  });
}

export async function setPaused(store: Store, clock: Clock, workflowId: string, paused: boolean, actor: Actor): Promise<WorkflowState> {
  return withRetry(async () => {
    const state = await loadState(store, workflowId);
    if (TERMINAL_STATUSES.has(state.status)) throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${workflowId} is ${state.status}.`);
    if (state.paused === paused) return state;
    return appendEvents(store, state, [paused ? { type: 'paused', at: clock.now(), actor } : { type: 'resumed', at: clock.now(), actor }]);
  });
}

/** The run waiting for an externally submitted result, checked against the step the caller names. */
export function externalRunFor(state: WorkflowState, stepNumber: number | undefined) {
  const run = currentRun(state);
  if (TERMINAL_STATUSES.has(state.status)) {
    throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${state.workflowId} is ${state.status}; it takes no more results.`);
  }
  if (run === undefined || run.status !== 'started') {
    throw new ConvergeError('WRONG_STEP', `Workflow ${state.workflowId} is not waiting for a step result right now.`, {
      hint: 'Run `converge status ID` to see what it waits for.',
    });
  }
  if (stepNumber !== undefined && run.stepNumber !== stepNumber) {
    throw new ConvergeError('WRONG_STEP', `Workflow ${state.workflowId} waits for step ${run.stepNumber}, not step ${stepNumber}.`, {
      hint: `Submit the result of step ${run.stepNumber}.`,
    });
  }
  return run;
}

/** A new workflow whose log is the source's up to (not including) the last run of step N. */
export async function forkWorkflow(store: Store, clock: Clock, sourceId: string, fromStep: number): Promise<WorkflowState> {
  const source = await loadState(store, sourceId);
  const events = await store.readEvents(sourceId);
  const cut = events.findLastIndex((e) => e.type === 'step_scheduled' && source.definition.steps.find((s) => s.id === e.stepId)?.number === fromStep);
  if (cut < 0) {
    const ran = [...new Set(source.runs.map((r) => r.stepNumber))];
    throw new ConvergeError('USAGE', `Workflow ${sourceId} never ran step ${fromStep}, so it cannot be forked from there.`, {
      hint: ran.length > 0 ? `Steps it ran: ${ran.join(', ')}.` : 'It has not run a step yet: run it (`converge resume ID`) instead of forking it.',
    });
  }
  const id = newWorkflowId();
  const rename = (value: string) => (value.startsWith(`${sourceId}.`) ? `${id}.${value.slice(sourceId.length + 1)}` : value);
  const copied = events.slice(0, cut).map((e) => {
    const copy = { ...e } as Record<string, unknown>;
    for (const key of ['actionId', 'interactionId', 'escalationId']) if (typeof copy[key] === 'string') copy[key] = rename(copy[key] as string);
    return copy as unknown as WorkflowEvent;
  });
  const marker = { type: 'forked', at: clock.now(), fromWorkflowId: sourceId, fromSeq: cut, fromStep } as const;
  const all = [...copied, { ...marker, seq: copied.length + 1 }] as WorkflowEvent[];
  let state = reduce(id, all);
  // Waiting states copied from the source are dropped: the fork starts fresh from step N.
  const [first, ...rest] = all.map(({ seq: _seq, ...e }) => e as NewEvent);
  await store.createWorkflow(summaryOf(reduce(id, [all[0]!])), first!);
  state = await appendEvents(store, reduce(id, [all[0]!]), rest);
  return state;
}

/** A workflow ended here (cancel, reject) may have no runner to tidy its isolated workspace. */
async function settleIfEnded(store: Store, clock: Clock, state: WorkflowState): Promise<WorkflowState> {
  if (!needsSettling(state)) return state;
  return appendEvents(store, state, [await settleWorkspace(state, clock)]);
}

function notWaiting(state: WorkflowState, what: string): ConvergeError {
  const now = state.escalation !== null ? 'an escalation answer' : state.gate !== null ? 'an approval' : `nothing (status ${state.status})`;
  return new ConvergeError('NOT_WAITING', `Workflow ${state.workflowId} is not waiting for ${what}; it waits for ${now}.`, {
    hint: 'Run `converge status ID` to see what it waits for.',
  });
}

/** Records a result submitted for an `external` step; malformed output is refused and nothing changes. */
export async function submitStepResult(
  store: Store,
  deps: StepExecutorDeps,
  workflowId: string,
  stepNumber: number | undefined,
  texts: string[],
): Promise<WorkflowState> {
  return withRetry(async () => {
    const state = await loadState(store, workflowId);
    const run = externalRunFor(state, stepNumber);
    let event: NewEvent;
    try {
      event = await resultFromSubmission(deps, state, run, texts);
    } catch (error) {
      throw asResultInvalid(error);
    }
    const recorded = await appendEvents(store, state, [event]);
    await saveSubmittedTrace({ ...deps, executor: deps }, state, run, texts, event.at);
    await dropSnapshot(state, run);
    return recorded;
  });
}
