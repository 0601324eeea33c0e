/**
 * Asking a gate's approval through MCP elicitation, for clients that declare it.
 *
 * The question is sent as part of the tool call that reached the gate (so over Streamable HTTP
 * it travels on that call's stream). Anything but an explicit decision — decline, cancel, a
 * timeout, a client that fails to show the form — leaves the gate pending: the approval is
 * then a resource and respond_to_approval answers it. Nothing is decided on a human's behalf.
 */
import type { ElicitRequestFormParams } from '@modelcontextprotocol/sdk/types.js';
import type { RespondToApprovalAction } from '../../engine/next-action.js';
import type { GateResponse } from '../../engine/workflow-commands.js';
import type { McpContext, ToolExtra } from './mcp-context.js';
import { summaryText } from './next-action-text.js';

export type ElicitedApproval = { kind: 'decided'; response: GateResponse } | { kind: 'pending'; note: string };

const DECISIONS = ['approve', 'reject', 'request_changes'] as const;

export function approvalRequest(action: RespondToApprovalAction): ElicitRequestFormParams {
  return {
    mode: 'form',
    message: [
      `Converge workflow ${action.workflow_id} asks for approval "${action.gate.name ?? action.gate.id}" (${action.gate.id}) after step ${action.step.number} (${action.step.id}).`,
      summaryText(action.summary),
      action.how,
    ].join('\n'),
    requestedSchema: {
      type: 'object',
      properties: {
        decision: {
          type: 'string',
          title: 'Decision',
          description: 'approve: continue; reject: end the workflow as rejected; request_changes: revise with your change requests.',
          enum: [...DECISIONS],
        },
        comment: { type: 'string', title: 'Comment', description: 'Recorded with the decision (optional).' },
        changes: { type: 'string', title: 'Change requests', description: 'For request_changes: one change per line.' },
      },
      required: ['decision'],
    },
  };
}

export async function elicitApproval(ctx: McpContext, action: RespondToApprovalAction, extra: ToolExtra): Promise<ElicitedApproval> {
  let result;
  try {
    result = await ctx.server.server.elicitInput(approvalRequest(action), {
      relatedRequestId: extra.requestId,
      signal: extra.signal,
      timeout: ctx.elicitTimeoutMs,
    });
  } catch (error) {
    return pending(`The client could not ask for the approval (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (result.action !== 'accept' || result.content === undefined) {
    return pending(`The approval was ${result.action === 'decline' ? 'declined' : 'dismissed'} in the client.`);
  }
  const decision = result.content.decision;
  const comment = typeof result.content.comment === 'string' && result.content.comment.trim() !== '' ? result.content.comment.trim() : undefined;
  const withComment = comment !== undefined ? { comment } : {};
  if (decision === 'approve' || decision === 'reject') return { kind: 'decided', response: { decision, ...withComment } };
  if (decision === 'request_changes') {
    const text = typeof result.content.changes === 'string' ? result.content.changes : '';
    // A person who typed the change into the comment box still asked for it.
    const changeRequests = (text.trim() !== '' ? text : (comment ?? '')).split('\n').map((c) => c.trim()).filter((c) => c !== '');
    if (changeRequests.length === 0) return pending('Changes were requested without saying which.');
    return { kind: 'decided', response: { decision, changeRequests, ...withComment } };
  }
  return pending(`The client answered with an unknown decision ${JSON.stringify(decision)}.`);
}

function pending(why: string): ElicitedApproval {
  return { kind: 'pending', note: `${why} The gate stays pending: answer it with respond_to_approval.` };
}
