/**
 * get_workflow_status: where a workflow stands — status, step, rounds with their convergence,
 * approvals, artifacts — and links to its resources.
 */
import { evaluateConvergence } from '../../../core/convergence.js';
import { currentRun } from '../../../core/state.js';
import type { WorkflowState } from '../../../core/state.js';
import { nextAction } from '../../../engine/next-action.js';
import { loadState, waitingFor } from '../../../engine/workflow-log.js';
import { shownStatus } from '../../../engine/external-wait.js';
import type { McpContext } from '../mcp-context.js';
import { uris } from '../resources/resource-uris.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

export function registerGetWorkflowStatusTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'get_workflow_status',
    {
      title: 'Workflow status',
      description: 'Status, phase, current step, validation rounds (scores vs thresholds), approvals and artifacts of a workflow, with its resource URIs.',
      inputSchema: { workflow_id: workflowIdField },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded(ctx.log, 'get_workflow_status', async () => {
        const state = await loadState(ctx.engine.store, input.workflow_id);
        const next = await nextAction(ctx.engine, state);
        const status = statusOf(state, ctx.driver.busy(state.workflowId), next.kind);
        return ok(status, statusText(status));
      }),
  );
}

export function statusOf(state: WorkflowState, busy: boolean, nextKind: string) {
  const def = state.definition;
  const run = currentRun(state) ?? state.runs.at(-1);
  const id = state.workflowId;
  return {
    workflow_id: id,
    name: state.name ?? '',
    status: shownStatus(state),
    paused: state.paused,
    phase: state.phase,
    agent_mode: state.agentMode,
    auto_approve: state.autoApprove,
    requirements: state.requirements.slice(0, 500),
    workspace: state.workspace.path,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    ...(state.completedAt !== undefined ? { completed_at: state.completedAt } : {}),
    ...(state.failureMessage !== undefined ? { failure: state.failureMessage } : {}),
    current_step: run === undefined ? null : { number: run.stepNumber, id: run.stepId, status: run.status, attempt: run.attempt },
    waiting_for: waitingFor(state) ?? (nextKind === 'submit_step_result' && run ? `external:step ${run.stepNumber}` : null),
    /** True while this server is driving the workflow. */
    busy,
    next_action: nextKind,
    rounds: state.validations.map((v, i) => {
      const step = def.steps.find((s) => s.id === v.stepId)!;
      const rubric = def.rubrics.find((r) => r.id === step.rubric)!;
      const result = evaluateConvergence(rubric, v.report);
      return {
        report: i + 1,
        step_number: step.number,
        step_id: step.id,
        loop: v.loopId ?? null,
        round: v.round,
        converged: result.converged,
        scores: v.report.scoreCard.dimensions,
        ...(result.weighted !== undefined ? { weighted: result.weighted } : {}),
        unmet: result.unmet,
        uri: uris.report(id, i + 1),
      };
    }),
    approvals: state.approvals.map((a) => ({
      gate: a.gateId,
      decision: a.decision,
      actor: a.actor.id,
      via: a.actor.via,
      ...(a.comment !== undefined ? { comment: a.comment } : {}),
      ...(a.automatic !== undefined ? { automatic: a.automatic } : {}),
      at: a.at,
    })),
    artifacts: state.outputs.map((o) => ({ artifact: o.output.artifact, version: o.version, step_id: o.stepId, files: o.output.files.map((f) => f.path), uri: uris.artifact(id, o.output.artifact, o.version) })),
    resources: {
      state: uris.state(id),
      events: uris.events(id),
      ...(state.gate !== null ? { pending_approval: uris.pendingApproval(id) } : {}),
    },
  };
}

function statusText(s: ReturnType<typeof statusOf>): string {
  const lines = [
    `Workflow ${s.workflow_id}${s.name ? ` (${s.name})` : ''}: ${s.status}${s.paused ? ' (paused)' : ''}, ${s.phase}` +
      (s.current_step ? `, step ${s.current_step.number} (${s.current_step.id}, ${s.current_step.status})` : '') +
      (s.waiting_for ? `, waiting for ${s.waiting_for}` : '') +
      (s.busy ? ', being driven by this server' : ''),
  ];
  for (const r of s.rounds) {
    const scores = Object.entries(r.scores).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`- step ${r.step_number} round ${r.round}: ${r.converged ? 'converged' : `not converged (${r.unmet.join('; ')})`}${scores ? ` — ${scores}` : ''}`);
  }
  for (const a of s.approvals) lines.push(`- ${a.gate}: ${a.decision} by ${a.actor} via ${a.via}${a.comment ? ` — ${a.comment}` : ''}`);
  if (s.failure) lines.push(`Failure: ${s.failure}`);
  lines.push(`Next: ${s.next_action}${s.next_action === 'none' ? '' : ' — call get_next_action for the details'}.`);
  return lines.join('\n');
}
