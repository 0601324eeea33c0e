/**
 * submit_step_result: the result of a step the calling agent did itself (a plan, a review, code
 * as `# File:` blocks). It is parsed and checked exactly like a configured agent's output; a
 * malformed result, or one for another step, is refused and nothing is recorded.
 */
import { z } from 'zod';
import { ConvergeError } from '../../../core/errors.js';
import { advanceAndDescribe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

const inputSchema = {
  workflow_id: workflowIdField,
  step_number: z
    .number()
    .int()
    .positive()
    .describe('The step the result is for, as get_next_action named it; a result for any other step is refused (WRONG_STEP).'),
  text: z.string().describe('The result: the plan, the report, or the code reply with "# File: <path>" blocks.').optional(),
  texts: z
    .array(z.string())
    .describe('Several results in prompt order, for a validate step with several prompts (texts[0] answers prompts[0], …).')
    .optional(),
};

export function registerSubmitStepResultTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'submit_step_result',
    {
      title: 'Submit a step result',
      description:
        'Submit the result of the step the workflow waits for (see get_next_action): a plan, a validation report (one per prompt), or code as ' +
        '"# File: <path>" blocks followed by fenced code. Converge validates it, records it, runs checks and returns what is needed next.',
      inputSchema,
    },
    (input, extra) =>
      guarded(ctx.log, 'submit_step_result', async () => {
        const texts = [...(input.text !== undefined ? [input.text] : []), ...(input.texts ?? [])];
        if (texts.length === 0) {
          throw new ConvergeError('USAGE', 'text (or texts) is missing: there is no result to submit.', {
            hint: 'Pass the result as text, or several results as texts.',
          });
        }
        await ctx.access.submitResult(ctx.callerFor(extra), input.workflow_id, input.step_number, texts);
        const report = await advanceAndDescribe(ctx, input.workflow_id, extra);
        return ok(report, reportText(report, `Recorded the result of step ${input.step_number}.`));
      }),
  );
}
