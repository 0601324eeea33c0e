/**
 * fork_workflow: a new workflow with the same history up to step N, which then runs again from
 * there — to try another direction without losing the original.
 */
import { z } from 'zod';
import { advanceAndDescribe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

export function registerForkWorkflowTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'fork_workflow',
    {
      title: 'Fork a workflow',
      description: 'Copy a workflow\'s history up to (not including) its last run of step from_step into a new workflow, which runs that step again.',
      inputSchema: {
        workflow_id: workflowIdField,
        from_step: z.number().int().positive().describe('The step number to run again in the fork (e.g. 1 to re-plan, 4 to re-implement).'),
      },
    },
    (input, extra) =>
      guarded(ctx.log, 'fork_workflow', async () => {
        const fork = await ctx.access.fork(ctx.callerFor(extra), input.workflow_id, input.from_step);
        // Its state and log resources now exist.
        ctx.server.sendResourceListChanged();
        const report = await advanceAndDescribe(ctx, fork.workflowId, extra);
        return ok({ ...report, forked_from: input.workflow_id }, reportText(report, `Forked ${input.workflow_id} at step ${input.from_step} into ${fork.workflowId}.`));
      }),
  );
}
