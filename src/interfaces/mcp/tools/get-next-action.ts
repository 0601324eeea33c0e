/**
 * get_next_action: what the workflow needs now. For a host-driven step it returns the rendered
 * prompt(s), the exact output format and the step number to submit for.
 *
 * A workflow that has work pending but no one driving it (after a restart, or a run that outlived
 * its call) is advanced first, so polling this tool is enough to keep a host-driven run moving.
 */
import { nextAction } from '../../../engine/next-action.js';
import { TERMINAL_STATUSES } from '../../../core/state.js';
import { loadState } from '../../../engine/workflow-log.js';
import { advanceAndDescribe, describe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

export function registerGetNextActionTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'get_next_action',
    {
      title: 'Next action',
      description:
        'What the workflow needs now: submit_step_result (with the rendered prompts, the expected output format and the step number), ' +
        'respond_to_approval (with scores vs thresholds), answer_escalation, or none (running or finished). Poll it while status is running.',
      inputSchema: { workflow_id: workflowIdField },
    },
    (input, extra) =>
      guarded(ctx.log, 'get_next_action', async () => {
        const state = await loadState(ctx.engine.store, input.workflow_id);
        const next = await nextAction(ctx.engine, state);
        const pending = next.kind === 'none' && !TERMINAL_STATUSES.has(state.status) && !state.paused;
        const report = pending ? await advanceAndDescribe(ctx, input.workflow_id, extra) : await describe(ctx, input.workflow_id);
        return ok(report, reportText(report));
      }),
  );
}
