/**
 * respond_to_approval: answer the gate a workflow waits at — approve, reject, or request changes.
 * The decision is recorded with the caller as actor (the MCP client's name, or the HTTP token's),
 * `via: mcp`, and the workflow is driven on to its next wait.
 */
import { z } from 'zod';
import { ConvergeError } from '../../../core/errors.js';
import type { GateResponse } from '../../../engine/workflow-commands.js';
import { advanceAndDescribe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';
import { changeRequestsField, commentField, workflowIdField } from './tool-fields.js';

const inputSchema = {
  workflow_id: workflowIdField,
  decision: z
    .enum(['approve', 'reject', 'request_changes'])
    .describe('approve: continue; reject: end the workflow as rejected; request_changes: send it back to revise with change_requests.'),
  comment: commentField,
  change_requests: changeRequestsField,
};

export function registerRespondToApprovalTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'respond_to_approval',
    {
      title: 'Answer an approval',
      description:
        'Approve, reject or request changes at the gate the workflow waits at (plan approval, final approval …). ' +
        'The pending approval and its scores are in get_next_action and the pending-approval resource. Ask the user unless they delegated it to you.',
      inputSchema,
      annotations: { destructiveHint: true },
    },
    (input, extra) =>
      guarded(ctx.log, 'respond_to_approval', async () => {
        const comment = input.comment !== undefined ? { comment: input.comment } : {};
        let response: GateResponse;
        if (input.decision === 'request_changes') {
          if (input.change_requests === undefined || input.change_requests.length === 0) {
            throw new ConvergeError('USAGE', 'change_requests is missing: request_changes needs at least one change.', {
              hint: 'Pass change_requests: ["what to change", …].',
            });
          }
          response = { decision: 'request_changes', changeRequests: input.change_requests, ...comment };
        } else {
          response = { decision: input.decision, ...comment };
        }
        const caller = ctx.callerFor(extra);
        await ctx.access.respondToGate(caller, input.workflow_id, response);
        const report = await advanceAndDescribe(ctx, input.workflow_id, extra);
        return ok(report, reportText(report, `Recorded ${input.decision} by ${caller.name}.`));
      }),
  );
}
