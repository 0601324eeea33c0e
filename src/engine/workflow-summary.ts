/**
 * The index row a workflow's state gives the store: what `list` and workers read without loading
 * the log. Apart from workflow-log.ts because wakeAt needs `decide`, which reads do not load.
 */
import { decide } from '../core/decide.js';
import { currentRun } from '../core/state.js';
import type { WorkflowState } from '../core/state.js';
import type { WorkflowSummary } from '../store/store.js';
import { shownStatus } from './external-wait.js';
import { waitingFor } from './workflow-log.js';

export function summaryOf(state: WorkflowState): WorkflowSummary {
  const run = currentRun(state) ?? state.runs.at(-1);
  const wake = wakeAt(state);
  return {
    id: state.workflowId,
    name: state.name ?? '',
    definitionId: state.definition.id,
    // The index holds the status the views show, so status filters find an external wait.
    status: shownStatus(state),
    phase: state.phase,
    currentStep: run?.stepNumber ?? null,
    waitingFor: waitingFor(state),
    requirements: state.requirements.slice(0, 500),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    lastSeq: state.seq,
    // Absent when null: the store writes null for a missing wakeAt, so an append clears it.
    ...(wake !== null ? { wakeAt: wake } : {}),
  };
}

/**
 * When the timed wait the workflow is in ends, for workers to find it without loading every log:
 * an open gate's timeout, or the end of a failed step's retry backoff. Null when it waits for
 * nothing timed.
 */
export function wakeAt(state: WorkflowState): string | null {
  if (state.gate !== null) return state.gate.timedOut ? null : (state.gate.timeoutAt ?? null);
  if (state.last.kind !== 'failed' || state.status !== 'running' || state.paused || state.escalation !== null) return null;
  try {
    return decide(state.definition, state)?.not_before ?? null;
  } catch {
    // Only a hint for workers: the runner decides again, and reports what is wrong.
    return null;
  }
}
