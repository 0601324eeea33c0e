/**
 * Text renderings for `status` and `list`: kept apart from show-format.ts, whose `show` text
 * needs the escalation and next-action formats, so these two commands start without them.
 */
import { approvalProgress } from '../../core/approval-policy.js';
import type { WorkflowState } from '../../core/state.js';
import { externalWait, shownStatus } from '../../engine/external-wait.js';
import type { WorkflowSummary } from '../../store/store.js';

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function statusLine(state: WorkflowState): string {
  const run = state.runs.at(-1);
  const step = run ? `step ${run.stepNumber} (${run.stepId}, ${run.status})` : 'not started';
  const held = state.gate?.protectedPaths ? ` (protected files changed: ${state.gate.protectedPaths.join(', ')})` : '';
  const external = externalWait(state);
  const progress = approvalProgress(state);
  const count = progress !== null && progress.required > 1 ? ` (${progress.given} of ${progress.required} approvals${progress.votes.length > 0 ? `, by ${[...new Set(progress.votes.map((v) => v.actor.id))].join(', ')}` : ''})` : '';
  const waiting = state.gate
    ? `, waiting for approval "${state.gate.gateId}"${count}${held}`
    : state.escalation
      ? `, escalated: ${state.escalation.message}`
      : external
        ? `, waiting for you: the result of step ${external.stepNumber} (${external.stepId}) — \`converge next ${state.workflowId}\` shows the prompt and the submit command`
        : '';
  return `${state.workflowId}  ${shownStatus(state)}${state.paused ? ' (paused)' : ''}  ${state.phase}  ${step}${waiting}`;
}

export function listTable(rows: WorkflowSummary[]): string {
  if (rows.length === 0) return 'No workflows yet. Start one with `converge run "<requirements>"` or try `converge demo`.';
  return table([
    ['ID', 'STATUS', 'PHASE', 'STEP', 'WAITING FOR', 'UPDATED', 'REQUIREMENTS'],
    ...rows.map((r) => [
      r.id,
      // Quarantined: its log cannot be read as written (`converge store check` says more).
      r.damage !== undefined ? 'damaged' : r.status,
      r.phase,
      r.currentStep === null ? '-' : String(r.currentStep),
      r.damage !== undefined ? `damaged at event ${r.damage.seq}` : (r.waitingFor ?? '-'),
      r.updatedAt.replace('T', ' ').slice(0, 19),
      r.requirements.replace(/\s+/g, ' ').slice(0, 50),
    ]),
  ]);
}
