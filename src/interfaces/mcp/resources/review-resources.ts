/**
 * The review at a gate and a step's trace as MCP resources (issue 17, parts 1 and 2), so a coding
 * agent reads what a person reads in the dashboard or with `converge review` before answering
 * respond_to_approval. The review comes as text and as the JSON object the HTTP API gives.
 */
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { loadState } from '../../../engine/workflow-log.js';
import { NO_COLOUR, reviewText } from '../../shared/review-text.js';
import { buildStepTrace } from '../../shared/step-trace-view.js';
import { buildReview } from '../../shared/workflow-review.js';
import type { McpContext } from '../mcp-context.js';
import { json, notFound, reading, variable } from './resource-helpers.js';
import { uris } from './resource-uris.js';

export function registerReviewResources(ctx: McpContext): void {
  const { server, engine } = ctx;
  const completeId = async (prefix: string) => (await engine.store.listWorkflows({ limit: 50 })).map((w) => w.id).filter((id) => id.startsWith(prefix));

  server.registerResource(
    'workflow-review',
    new ResourceTemplate('converge://workflows/{id}/review', {
      list: async () => ({
        resources: (await engine.store.listWorkflows({ status: ['waiting_for_human'], limit: 50 }))
          .filter((w) => w.waitingFor?.startsWith('gate:') === true)
          .map((w) => ({ uri: uris.review(w.id), name: `${w.id} review`, mimeType: 'text/markdown', description: `${w.waitingFor}: ${w.requirements.slice(0, 80)}` })),
      }),
      complete: { id: completeId },
    }),
    {
      title: 'Review at the gate',
      description: "The change under review (code against the workflow's base, or the plan against its previous version), issues by severity with file:line, the reviews, each check's failures and output tail per round, scores and usage. Text first, then the same as JSON.",
      mimeType: 'text/markdown',
    },
    (uri, vars) =>
      reading(uri, async () => {
        const review = await buildReview(await loadState(engine.store, variable(vars, 'id')));
        return {
          contents: [
            { uri: uri.href, mimeType: 'text/markdown', text: reviewText(review, NO_COLOUR) },
            { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(review, null, 2) },
          ],
        };
      }),
  );

  server.registerResource(
    'workflow-step-trace',
    new ResourceTemplate('converge://workflows/{id}/steps/{step}/trace', { list: undefined, complete: { id: completeId } }),
    { title: 'Step trace', description: 'Per run of step {step}: the prompts as rendered, the raw output, the parsed result, tokens, cost (null for external steps) and duration.', mimeType: 'application/json' },
    (uri, vars) =>
      reading(uri, async () => {
        const state = await loadState(engine.store, variable(vars, 'id'));
        const step = variable(vars, 'step');
        if (!/^\d{1,4}$/.test(step) || !state.definition.steps.some((s) => s.number === Number(step))) {
          throw notFound(uri, `Workflow ${state.workflowId} has no step ${step.slice(0, 20)}; its steps are ${state.definition.steps.map((s) => s.number).join(', ')}.`);
        }
        return json(uri, await buildStepTrace(engine.store, state, Number(step)));
      }),
  );
}
