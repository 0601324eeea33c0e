/**
 * resume_workflow: continue a workflow from its log — after a pause, a restart of the server, or
 * a `converge start` — and drive it to its next wait. Nothing finished is redone.
 */
import { loadState } from '../../../engine/workflow-log.js';
import { advanceAndDescribe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { ROLE_NEEDED } from '../../shared/workflow-access.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

export function registerResumeWorkflowTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'resume_workflow',
    {
      title: 'Resume a workflow',
      description: 'Unpause a workflow if it is paused and drive it from its log to its next wait; a step that was interrupted is retried.',
      inputSchema: { workflow_id: workflowIdField },
    },
    (input, extra) =>
      guarded(ctx.log, 'resume_workflow', async () => {
        const caller = ctx.callerFor(extra);
        // Driving a workflow runs its agents and checks: an operator's action, paused or not.
        await ctx.access.authorize(caller, ROLE_NEEDED.resume, 'resume', input.workflow_id);
        const state = await loadState(ctx.engine.store, input.workflow_id);
        if (state.paused) await ctx.access.setPaused(caller, input.workflow_id, false);
        const report = await advanceAndDescribe(ctx, input.workflow_id, extra);
        return ok(report, reportText(report, state.paused ? 'Unpaused.' : undefined));
      }),
  );
}
