/**
 * check_convergence_criteria: the seed's question — did the latest validation converge, and what
 * follows — answered from the record by the same rule the core decides with.
 *
 * next_action is the seed's `proceed | human_escalation`, plus `revise` for a loop that still has
 * rounds left (the seed leaves that case implicit).
 */
import { z } from 'zod';
import { convergenceOf } from '../../../core/decide.js';
import { ConvergeError } from '../../../core/errors.js';
import { convergenceSummary } from '../../../engine/next-action.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { McpContext } from '../mcp-context.js';
import { summaryText } from '../next-action-text.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

const inputSchema = {
  workflow_id: workflowIdField,
  phase: z
    .string()
    .describe('A phase id (phase_1 = plan, phase_2 = code in the seven-step workflow), or "plan"/"code"; default: the latest validation.')
    .optional(),
};

export function registerCheckConvergenceCriteriaTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'check_convergence_criteria',
    {
      title: 'Check convergence',
      description:
        'Whether the latest validation (of a phase, optionally) meets the rubric: scores vs thresholds, issue limits, required checks, coverage. ' +
        'Returns converged, reasons and next_action (proceed | revise | human_escalation).',
      inputSchema,
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded(ctx.log, 'check_convergence_criteria', async () => {
        const state = await loadState(ctx.engine.store, input.workflow_id);
        const def = state.definition;
        const inPhase = (stepId: string) => {
          if (input.phase === undefined) return true;
          const step = def.steps.find((s) => s.id === stepId);
          return step?.phase === input.phase || step?.artifact === input.phase;
        };
        const latest = state.validations.findLast((v) => inPhase(v.stepId));
        if (latest === undefined) {
          throw new ConvergeError('NOT_WAITING', `Workflow ${input.workflow_id} has no validation${input.phase ? ` in phase ${input.phase}` : ''} yet.`, {
            hint: `Phases: ${def.phases.map((p) => p.id).join(', ')}. Validations come from the validate steps (2, 5, 7).`,
          });
        }
        const step = def.steps.find((s) => s.id === latest.stepId)!;
        const result = convergenceOf(def, state, step);
        const loop = def.loops.find((l) => l.id === step.loop);
        const rounds = loop ? state.runs.filter((r) => r.stepId === loop.counts && r.status === 'completed').length : 0;
        const cap = loop ? loop.max_rounds + (state.loops[loop.id]?.extraRounds ?? 0) : 0;
        const escalated = state.escalation !== null && state.escalation.stepId === step.id;
        const next = result.converged ? 'proceed' : escalated || (loop !== undefined && rounds >= cap) ? 'human_escalation' : 'revise';
        const summary = convergenceSummary(def, state, step);
        const structured = {
          workflow_id: input.workflow_id,
          phase: step.phase,
          step_number: step.number,
          step_id: step.id,
          converged: result.converged,
          reasons: result.converged ? result.met : result.unmet,
          next_action: next,
          missing: result.missing,
          ...(loop ? { loop: { id: loop.id, rounds_used: rounds, cap } } : {}),
          summary,
        };
        return ok(structured, `${result.converged ? 'Converged' : 'Not converged'} → ${next}.\n${summaryText(summary)}`);
      }),
  );
}
