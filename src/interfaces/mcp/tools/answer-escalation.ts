/**
 * answer_escalation: answer a workflow that escalated to a human (a loop cap reached, a stall,
 * or repeated failures): grant more rounds, accept as is, send back with changes, retry, cancel.
 */
import { z } from 'zod';
import { BudgetSchema } from '../../../core/definition-schema.js';
import { ConvergeError } from '../../../core/errors.js';
import type { EscalationAnswer } from '../../../core/events.js';
import { advanceAndDescribe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';
import { changeRequestsField, commentField, workflowIdField } from './tool-fields.js';

const inputSchema = {
  workflow_id: workflowIdField,
  answer: z
    .enum(['grant_rounds', 'accept', 'send_back', 'retry', 'cancel', 'raise_budget'])
    .describe(
      'grant_rounds: N more rounds; accept: take the artifact as it is (at a budget: go on over it); send_back: revise with change_requests; retry: run the failed step again; ' +
        'raise_budget: new budget limits (budget) and go on; cancel: end the workflow.',
    ),
  rounds: z.number().int().min(1).max(20).describe('For grant_rounds: how many more rounds (default 1).').optional(),
  budget: BudgetSchema.describe('For raise_budget: the new limits (max_cost_usd, max_tokens, max_duration); none doubles the reached ones.').optional(),
  change_requests: changeRequestsField,
  comment: commentField,
};

export function registerAnswerEscalationTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'answer_escalation',
    {
      title: 'Answer an escalation',
      description:
        'Answer a workflow that escalated to a human because a loop reached its cap, stalled, a step kept failing, or its budget was reached. ' +
        'get_next_action lists the answers allowed for the escalation at hand.',
      inputSchema,
      annotations: { destructiveHint: true },
    },
    (input, extra) =>
      guarded(ctx.log, 'answer_escalation', async () => {
        let answer: EscalationAnswer;
        switch (input.answer) {
          case 'grant_rounds':
            answer = { kind: 'grant_rounds', rounds: input.rounds ?? 1 };
            break;
          case 'send_back':
            if (!input.change_requests?.length) {
              throw new ConvergeError('USAGE', 'change_requests is missing: send_back needs at least one change.', { hint: 'Pass change_requests: ["…"].' });
            }
            answer = { kind: 'send_back', changeRequests: input.change_requests };
            break;
          case 'raise_budget':
            answer = { kind: 'raise_budget', budget: input.budget ?? {} };
            break;
          default:
            answer = { kind: input.answer };
        }
        const caller = ctx.callerFor(extra);
        await ctx.access.answerEscalation(caller, input.workflow_id, answer, input.comment);
        const report = await advanceAndDescribe(ctx, input.workflow_id, extra);
        return ok(report, reportText(report, `Answered the escalation: ${input.answer}.`));
      }),
  );
}
