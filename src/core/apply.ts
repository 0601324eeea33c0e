/**
 * The reducer: folds events into WorkflowState. `reduce` copies the state's top level and its
 * lists once, then replaces (never edits) any nested record an event changes. Folding one event
 * onto a long workflow therefore costs a few pointer copies instead of a deep clone, the input
 * state is never touched, and unchanged records (outputs, reports, the definition) are shared.
 */
import type { WorkflowEvent } from './events.js';
import { initialState } from './state.js';
import type { StepRun, WorkflowState } from './state.js';
import { ConvergeError } from './errors.js';
import { escalationAnswered, gateAnswered, humanRevision, msBetween, requirePendingGate } from './apply-answers.js';
import { carryIndex, pushOutput, pushValidation, roundCount, versionCount } from './state-index.js';

export function reduce(workflowId: string, events: readonly WorkflowEvent[], from?: WorkflowState): WorkflowState {
  let state: WorkflowState | undefined = from === undefined ? undefined : ownTopLevel(from);
  for (const event of events) {
    if (state === undefined) {
      if (event.type !== 'workflow_started' && event.type !== 'forked') {
        throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${workflowId}'s log does not begin with workflow_started.`);
      }
      if (event.type === 'workflow_started') {
        state = initialState(workflowId, event);
        continue;
      }
      throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${workflowId}'s log begins with a fork marker but no start.`);
    }
    mutate(state, event);
  }
  if (state === undefined) throw new ConvergeError('WORKFLOW_NOT_FOUND', `Workflow ${workflowId} has no events.`);
  return state;
}

/** One event on top of a state, returning a new state. */
export function apply(state: WorkflowState, event: WorkflowEvent): WorkflowState {
  return reduce(state.workflowId, [event], state);
}

/**
 * A copy whose lists and loop table may be pushed to and reassigned; their elements stay shared.
 * It takes a copy of the lookups (versions per artifact, rounds per loop) `from` carries.
 */
function ownTopLevel(from: WorkflowState): WorkflowState {
  const state: WorkflowState = {
    ...from,
    runs: [...from.runs],
    outputs: [...from.outputs],
    validations: [...from.validations],
    loops: { ...from.loops },
    askedReviewGates: [...from.askedReviewGates],
    approvals: [...from.approvals],
    escalations: [...from.escalations],
    phaseTransitions: [...from.phaseTransitions],
    failureStreak: [...from.failureStreak],
  };
  carryIndex(from, state);
  return state;
}

/** The run of `actionId`, replaced in `state.runs` by a copy this fold may edit. */
function runFor(state: WorkflowState, actionId: string): StepRun {
  const index = state.runs.findLastIndex((r) => r.actionId === actionId);
  if (index < 0) {
    throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${state.workflowId} has no action ${actionId}.`);
  }
  const run = { ...state.runs[index]!, usage: [...state.runs[index]!.usage] };
  state.runs[index] = run;
  return run;
}

function mutate(state: WorkflowState, event: WorkflowEvent): void {
  state.seq = event.seq;
  state.updatedAt = event.at;
  const def = state.definition;
  switch (event.type) {
    case 'workflow_started':
      throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${state.workflowId} was started twice.`);
    case 'forked':
      state.forkedFrom = { workflowId: event.fromWorkflowId, seq: event.fromSeq, step: event.fromStep };
      return;
    case 'step_scheduled': {
      const step = def.steps.find((s) => s.id === event.stepId);
      if (step === undefined) throw new ConvergeError('ILLEGAL_ACTION', `Unknown step "${event.stepId}".`);
      state.runs.push({
        actionId: event.actionId,
        stepId: step.id,
        stepNumber: step.number,
        role: step.role,
        attempt: event.attempt,
        status: 'scheduled',
        scheduledAt: event.at,
        timeoutMs: event.timeoutMs,
        ...(event.recoveryStrategy !== undefined ? { recoveryStrategy: event.recoveryStrategy } : {}),
        changeRequests: event.changeRequests ?? [],
        usage: [],
        calls: 0,
        seq: event.seq,
        ...(event.agent !== undefined ? { status: 'started' as const, startedAt: event.at, agent: event.agent } : {}),
      });
      state.status = 'running';
      return;
    }
    case 'step_started': {
      const run = runFor(state, event.actionId);
      run.status = 'started';
      run.startedAt = event.at;
      run.agent = event.agent;
      return;
    }
    case 'checks_recorded': {
      runFor(state, event.actionId).checks = event.results;
      return;
    }
    case 'workspace_snapshot_taken': {
      runFor(state, event.actionId).snapshot = event.snapshot;
      return;
    }
    case 'step_output_recorded': {
      const run = runFor(state, event.actionId);
      complete(run, event);
      const version = versionCount(state, event.output.artifact) + 1;
      pushOutput(state, { actionId: run.actionId, stepId: run.stepId, version, output: event.output, at: event.at });
      state.last = { kind: 'produced', stepId: run.stepId };
      state.failureStreak = [];
      return;
    }
    case 'validation_recorded': {
      const run = runFor(state, event.actionId);
      complete(run, event);
      const loopId = def.steps.find((s) => s.id === run.stepId)?.loop;
      const round = roundCount(state, loopId) + 1;
      pushValidation(state, {
        actionId: run.actionId,
        stepId: run.stepId,
        ...(loopId !== undefined ? { loopId } : {}),
        round,
        report: event.report,
        ...(event.reviews !== undefined ? { reviews: event.reviews } : {}),
        at: event.at,
      });
      state.last = { kind: 'validated', stepId: run.stepId };
      state.failureStreak = [];
      return;
    }
    case 'step_failed': {
      const run = runFor(state, event.actionId);
      run.status = 'failed';
      run.completedAt = event.at;
      run.failure = {
        class: event.failure.class,
        message: event.failure.message,
        ...(event.failure.retryAfterMs !== undefined ? { retryAfterMs: event.failure.retryAfterMs } : {}),
      };
      run.usage.push(...(event.usage ?? []));
      run.calls += event.calls ?? 0;
      state.failureStreak.push({ class: event.failure.class, stepId: run.stepId });
      state.last = { kind: 'failed', stepId: run.stepId };
      return;
    }
    case 'phase_transitioned':
      state.phaseTransitions.push({ from: event.from, to: event.to, trigger: event.trigger, at: event.at, seq: event.seq });
      state.phase = event.to;
      return;
    case 'approval_requested':
      state.gate = {
        gateId: event.gateId,
        interactionId: event.interactionId,
        stepId: event.stepId,
        requestedAt: event.at,
        ...(event.timeoutAt !== undefined ? { timeoutAt: event.timeoutAt } : {}),
        timedOut: false,
        seq: event.seq,
        ...(event.protectedPaths !== undefined && event.protectedPaths.length > 0 ? { protectedPaths: event.protectedPaths } : {}),
      };
      if (!state.askedReviewGates.includes(event.gateId)) state.askedReviewGates.push(event.gateId);
      state.status = 'waiting_for_human';
      return;
    case 'approval_decided':
      gateAnswered(state, event);
      return;
    case 'gate_timed_out': {
      const gate = requirePendingGate(state, event.interactionId);
      state.gate = { ...gate, timedOut: true };
      return;
    }
    case 'escalation_raised':
      state.escalation = {
        escalationId: event.escalationId,
        reason: event.reason,
        stepId: event.stepId,
        ...(event.loopId !== undefined ? { loopId: event.loopId } : {}),
        message: event.message,
        raisedAt: event.at,
        seq: event.seq,
      };
      state.escalations.push({ ...state.escalation });
      // The budget interrupts whatever came next; once answered, decide() takes it up again.
      if (event.reason === 'budget') state.heldOutcome = state.last;
      state.status = 'waiting_for_human';
      return;
    case 'escalation_answered':
      escalationAnswered(state, event);
      return;
    case 'paused':
      state.paused = true;
      // A pause during a gate or an escalation is already waiting time; count it once.
      if (state.gate === null && state.escalation === null) state.pausedAt = event.at;
      return;
    case 'resumed':
      state.paused = false;
      if (state.pausedAt !== undefined) state.waitedMs = (state.waitedMs ?? 0) + msBetween(state.pausedAt, event.at);
      delete state.pausedAt;
      return;
    case 'cancelled':
      state.status = 'cancelled';
      state.gate = null;
      state.escalation = null;
      state.completedAt = event.at;
      return;
    case 'workflow_completed':
      state.status = 'completed';
      state.completedAt = event.at;
      return;
    case 'workspace_settled':
      state.workspaceResult = {
        outcome: event.outcome,
        branch: event.branch,
        ...(event.patchFile !== undefined ? { patchFile: event.patchFile } : {}),
        ...(event.commit !== undefined ? { commit: event.commit } : {}),
        ...(event.files !== undefined ? { files: event.files } : {}),
      };
      return;
    case 'human_revision_recorded':
      humanRevision(state, event);
      return;
    case 'workflow_failed':
      state.status = 'failed';
      state.failureMessage = event.message;
      state.completedAt = event.at;
      return;
  }
}

function complete(run: StepRun, event: { at: string; usage?: StepRun['usage']; calls?: number; sandbox?: StepRun['sandbox'] }): void {
  const { at, usage, calls } = event;
  run.status = 'completed';
  run.completedAt = at;
  if (event.sandbox !== undefined) run.sandbox = event.sandbox;
  run.usage.push(...(usage ?? []));
  run.calls += calls ?? 0;
}
