/**
 * An external step is a wait for a person, or for the coding agent working for them: the step's
 * prompt is rendered and Converge waits until its result is submitted (CLI, HTTP, MCP).
 *
 * Decision (issue 15): the core's status stays `running` while such a step is in progress —
 * decide() and the log know a step in flight, not who does it, and their rules and tests stay as
 * they are. Every view shows the wait the way it shows a gate or an escalation: status
 * `waiting_for_human` and `waiting_for` `external:step N`. `summaryOf` stores that status in the
 * index, so `list --status waiting_for_human`, the dashboard's "Waiting for you" and MCP's
 * list_workflows find it, workers (which claim `running` rows) leave it alone, and `run --no-wait`
 * exits 3 as at a gate.
 */
import type { Role, Step } from '../core/definition-schema.js';
import { currentRun } from '../core/state.js';
import type { WorkflowState, WorkflowStatus } from '../core/state.js';

export type ExpectedFormat = 'plan' | 'report' | 'files';

export interface ExternalWait {
  actionId: string;
  stepId: string;
  stepNumber: number;
  stepName?: string;
  role: Role;
  attempt: number;
  /** When the step started (a validate step's checks ran between that and the wait). */
  since: string;
  format: ExpectedFormat;
  /** How many texts a submission needs: one per template for a report, else one. */
  texts: number;
  templates: string[];
}

/** What a step's result is, and how many texts make one. */
export function expectedOf(step: Step): { format: ExpectedFormat; texts: number } {
  const format: ExpectedFormat = step.kind === 'validate' ? 'report' : step.role === 'programmer' ? 'files' : 'plan';
  return { format, texts: format === 'report' ? step.templates.length : 1 };
}

/**
 * The step waiting for a result from outside, or null. A validate step that runs checks waits
 * only once its checks are recorded: until then Converge is working, and a worker may resume it.
 */
export function externalWait(state: WorkflowState): ExternalWait | null {
  const run = currentRun(state);
  if (run?.status !== 'started' || run.agent !== 'external') return null;
  const step = state.definition.steps.find((s) => s.id === run.stepId);
  if (step === undefined) return null;
  if (step.kind === 'validate' && step.run_checks && run.checks === undefined) return null;
  // Likewise a host's code step until the snapshot its edits are measured against is recorded (in-place.ts).
  if (state.agentMode === 'host' && state.editsInPlace === true && step.kind === 'produce' && step.role === 'programmer' && run.snapshot === undefined) return null;
  return {
    actionId: run.actionId,
    stepId: step.id,
    stepNumber: step.number,
    ...(step.name !== undefined ? { stepName: step.name } : {}),
    role: step.role,
    attempt: run.attempt,
    since: run.startedAt ?? run.scheduledAt,
    ...expectedOf(step),
    templates: [...step.templates],
  };
}

/** `external:step N`: the `waiting_for` of an external wait. */
export function externalWaitingFor(wait: Pick<ExternalWait, 'stepNumber'>): string {
  return `external:step ${wait.stepNumber}`;
}

/** The status every interface shows and the index stores (see the decision above). */
export function shownStatus(state: WorkflowState): WorkflowStatus {
  return state.status === 'running' && !state.paused && state.gate === null && state.escalation === null && externalWait(state) !== null
    ? 'waiting_for_human'
    : state.status;
}
