/**
 * cancel_workflow: end a workflow as cancelled; a step running elsewhere is stopped.
 */
import { z } from 'zod';
import { describe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

export function registerCancelWorkflowTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'cancel_workflow',
    {
      title: 'Cancel a workflow',
      description: 'Cancel a workflow that has not ended. Its record stays; fork_workflow can start again from one of its steps.',
      inputSchema: { workflow_id: workflowIdField, reason: z.string().describe('Why, recorded with the cancellation.').optional() },
      annotations: { destructiveHint: true },
    },
    (input, extra) =>
      guarded(ctx.log, 'cancel_workflow', async () => {
        const caller = ctx.callerFor(extra);
        await ctx.access.cancel(caller, input.workflow_id, input.reason);
        const report = await describe(ctx, input.workflow_id);
        return ok(report, reportText(report, `Cancelled by ${caller.name}.`));
      }),
  );
}
