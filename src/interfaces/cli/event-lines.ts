/**
 * One human line per event, for progress output and `converge history`.
 */
import { approvalProgress } from '../../core/approval-policy.js';
import { escalationAnswers } from '../../engine/human-answers.js';
import { escalationFlag } from './next-format.js';
import { evaluateConvergence, fmt } from '../../core/convergence.js';
import type { Step } from '../../core/definition-schema.js';
import type { WorkflowEvent } from '../../core/events.js';
import type { WorkflowState } from '../../core/state.js';

export function describeEvent(state: WorkflowState, event: WorkflowEvent): string {
  const def = state.definition;
  const stepOf = (actionId: string) => {
    const run = state.runs.findLast((r) => r.actionId === actionId);
    const step = def.steps.find((s) => s.id === run?.stepId);
    return step === undefined ? 'step ?' : `step ${step.number} ${step.id}`;
  };
  switch (event.type) {
    case 'workflow_started':
      return `started ${state.workflowId} (${event.definition.id}) in ${event.workspace.path}`;
    case 'forked':
      return `forked from ${event.fromWorkflowId} at step ${event.fromStep}`;
    case 'phase_transitioned':
      return `phase ${event.from} → ${event.to}`;
    case 'step_scheduled': {
      const step = def.steps.find((s) => s.id === event.stepId)!;
      const retry = event.attempt > 1 ? ` (attempt ${event.attempt}${event.recoveryStrategy ? `, ${event.recoveryStrategy}` : ''})` : '';
      const changes = event.changeRequests?.length ? ` with ${event.changeRequests.length} change request(s)` : '';
      const running = event.agent === undefined ? '' : event.agent === 'external' ? `, ${externalNote(step)}` : `, running (${event.agent})`;
      return `step ${step.number} ${step.id} → ${step.role}${retry}${changes}${running}`;
    }
    case 'step_started': {
      if (event.agent !== 'external') return `${stepOf(event.actionId)} running (${event.agent})`;
      const step = def.steps.find((s) => s.id === state.runs.findLast((r) => r.actionId === event.actionId)?.stepId);
      return `${stepOf(event.actionId)} ${step ? externalNote(step) : 'waits for your result (external)'}`;
    }
    case 'checks_recorded':
      return `${stepOf(event.actionId)} checks: ${event.results.map((r) => `${r.toolId} ${r.status.toUpperCase()}`).join(', ') || 'none'}`;
    case 'workspace_snapshot_taken':
      return event.snapshot.method === 'none'
        ? `${stepOf(event.actionId)} no workspace snapshot (${event.snapshot.reason}): only # File: blocks will be recorded`
        : `${stepOf(event.actionId)} workspace snapshot taken (${event.snapshot.method}): changes made in the workspace will be recorded`;
    case 'step_output_recorded': {
      const files = event.output.files.length > 0 ? `, ${event.output.files.length} file(s): ${event.output.files.map((f) => f.path).join(', ')}` : '';
      const refused = event.output.refusedPaths?.length ? `, REFUSED ${event.output.refusedPaths.join(', ')}` : '';
      return `${stepOf(event.actionId)} produced ${event.output.artifact}${files}${refused}`;
    }
    case 'validation_recorded': {
      const run = state.runs.findLast((r) => r.actionId === event.actionId);
      const step = def.steps.find((s) => s.id === run?.stepId);
      const rubric = def.rubrics.find((r) => r.id === step?.rubric);
      const scores = Object.entries(event.report.scoreCard.dimensions).map(([k, v]) => {
        const min = rubric?.dimensions[k]?.min;
        return min === undefined ? `${k} ${fmt(v)}` : `${k} ${fmt(v)}/${fmt(min)} ${v >= min ? '✓' : '✗'}`;
      });
      for (const m of event.report.scoreCard.missing) scores.push(`${m} MISSING`);
      const result = rubric ? evaluateConvergence(rubric, event.report) : undefined;
      const verdict = result === undefined ? '' : result.converged ? ' → converged' : ` → not converged (${result.unmet.join('; ')})`;
      return `${stepOf(event.actionId)} report: ${scores.join(', ') || 'no scores'}${verdict}`;
    }
    case 'step_failed':
      return `${stepOf(event.actionId)} FAILED (${event.failure.class}): ${event.failure.message}`;
    case 'approval_requested':
      return `waiting for approval "${event.gateId}" — converge approve ${state.workflowId} | reject | request-changes --change "…"`;
    case 'approval_decided':
      if (state.gate?.interactionId === event.interactionId) {
        const progress = approvalProgress(state)!;
        return `approved by ${event.actor.id}: ${progress.given} of ${progress.required} approvals, the gate stays open`;
      }
      return `approval ${event.decision.replace('_', ' ')} by ${event.actor.id}${event.automatic ? ` (${event.automatic.replace('_', ' ')})` : ''}${event.comment ? `: ${event.comment}` : ''}`;
    case 'gate_timed_out':
      return 'approval timed out';
    case 'escalation_raised':
      return `escalated to a human (${event.reason}): ${event.message} — converge answer ${state.workflowId} ${escalationAnswers(event.reason).filter((a) => a !== 'retry').map(escalationFlag).join(' | ')}`;
    case 'escalation_answered':
      return `escalation answered by ${event.actor.id}: ${event.answer.kind}${event.answer.kind === 'grant_rounds' ? ` ${event.answer.rounds}` : ''}`;
    case 'paused':
      return `paused by ${event.actor.id}`;
    case 'resumed':
      return `resumed by ${event.actor.id}`;
    case 'cancelled':
      return `cancelled by ${event.actor.id}${event.reason ? `: ${event.reason}` : ''}`;
    case 'workflow_completed':
      return `completed: ${event.rationale}`;
    case 'workflow_failed':
      return `failed: ${event.message}`;
    case 'workspace_settled':
      return event.outcome === 'kept'
        ? `work kept on branch ${event.branch}${event.patchFile ? ` and in ${event.patchFile}` : ''} — merge with: git merge ${event.branch}`
        : `isolated worktree removed (branch ${event.branch} kept for inspection)`;
    case 'human_revision_recorded':
      return `human revision by ${event.actor.id}: ${event.path ?? event.artifact}${event.comment ? ` (${event.comment})` : ''}`;
  }
}

/** An external step is a wait for a person or their coding agent, not work running here. */
function externalNote(step: Step): string {
  return step.kind === 'validate' && step.run_checks ? 'external: runs the checks, then waits for your result' : 'waits for your result (external)';
}
