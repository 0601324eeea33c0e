/**
 * Per-workflow resources: the state (the seed's schema), the event log, artifacts, reports, and
 * the pending approval — the way a client without elicitation sees a gate.
 */
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ListResourcesResult } from '@modelcontextprotocol/sdk/types.js';
import { toSeedState } from '../../../core/seed-state.js';
import { nextAction } from '../../../engine/next-action.js';
import { formatFiles, formatReport } from '../../../engine/report-format.js';
import { loadState, waitingFor } from '../../../engine/workflow-log.js';
import type { WorkflowSummary } from '../../../store/store.js';
import type { McpContext } from '../mcp-context.js';
import { json, notFound, reading, text, variable } from './resource-helpers.js';
import { uris } from './resource-uris.js';

const LIST_LIMIT = 50;

export function registerWorkflowResources(ctx: McpContext): void {
  const { server, engine } = ctx;
  const recent = (filter: (w: WorkflowSummary) => boolean = () => true) =>
    engine.store.listWorkflows({ limit: LIST_LIMIT }).then((rows) => rows.filter(filter));
  const completeId = async (prefix: string) => (await recent()).map((w) => w.id).filter((id) => id.startsWith(prefix));
  const listOf = (uri: (id: string) => string, label: string, mimeType: string, filter?: (w: WorkflowSummary) => boolean) => async (): Promise<ListResourcesResult> => ({
    resources: (await recent(filter)).map((w) => ({ uri: uri(w.id), name: `${w.id} ${label}`, mimeType, description: `${w.status}: ${w.requirements.slice(0, 80)}` })),
  });

  server.registerResource(
    'workflow-state',
    new ResourceTemplate('converge://workflows/{id}/state', { list: listOf(uris.state, 'state', 'application/json'), complete: { id: completeId } }),
    { title: 'Workflow state', description: "A workflow's state in the seed's workflow_state_schema shape, projected from its event log.", mimeType: 'application/json' },
    (uri, vars) => reading(uri, async () => json(uri, toSeedState(await loadState(engine.store, variable(vars, 'id'))))),
  );

  server.registerResource(
    'workflow-events',
    new ResourceTemplate('converge://workflows/{id}/events', { list: listOf(uris.events, 'events', 'application/x-ndjson'), complete: { id: completeId } }),
    { title: 'Workflow event log', description: 'Every event of the workflow, one JSON object per line, in order.', mimeType: 'application/x-ndjson' },
    (uri, vars) =>
      reading(uri, async () => {
        const id = variable(vars, 'id');
        await loadState(engine.store, id);
        const events = await engine.store.readEvents(id);
        return text(uri, events.map((e) => JSON.stringify(e)).join('\n'), 'application/x-ndjson');
      }),
  );

  server.registerResource(
    'workflow-artifact',
    new ResourceTemplate('converge://workflows/{id}/artifacts/{artifact}/{version}', { list: undefined, complete: { id: completeId } }),
    {
      title: 'Workflow artifact',
      description: 'A version of an artifact (plan text, or code as "# File:" blocks); {version} is 1, 2, … or "latest". get_workflow_status lists them.',
      mimeType: 'text/markdown',
    },
    (uri, vars) =>
      reading(uri, async () => {
        const state = await loadState(engine.store, variable(vars, 'id'));
        const artifact = variable(vars, 'artifact');
        const version = variable(vars, 'version');
        const versions = state.outputs.filter((o) => o.output.artifact === artifact);
        const found = version === 'latest' ? versions.at(-1) : versions.find((o) => String(o.version) === version);
        if (found === undefined) {
          throw notFound(uri, `Workflow ${state.workflowId} has no ${artifact} version ${version} (it has ${versions.length}).`);
        }
        const body = found.output.files.length > 0 ? `${found.output.content.split(/^#{1,6}\s*File:/m)[0]!.trim()}\n\n${formatFiles(found.output.files)}`.trim() : found.output.content;
        return text(uri, body);
      }),
  );

  server.registerResource(
    'workflow-report',
    new ResourceTemplate('converge://workflows/{id}/reports/{round}', { list: undefined, complete: { id: completeId } }),
    {
      title: 'Validation report',
      description: "The n-th validation of the workflow (1-based, in order, across steps 2, 5 and 7) or \"latest\", with scores against the rubric's thresholds.",
      mimeType: 'text/markdown',
    },
    (uri, vars) =>
      reading(uri, async () => {
        const state = await loadState(engine.store, variable(vars, 'id'));
        const round = variable(vars, 'round');
        const found = round === 'latest' ? state.validations.at(-1) : state.validations[Number(round) - 1];
        if (found === undefined || (round !== 'latest' && !/^[1-9]\d*$/.test(round))) {
          throw notFound(uri, `Workflow ${state.workflowId} has no validation report ${round} (it has ${state.validations.length}).`);
        }
        const step = state.definition.steps.find((s) => s.id === found.stepId)!;
        const rubric = state.definition.rubrics.find((r) => r.id === step.rubric);
        return text(uri, `# Step ${step.number} (${step.id}), round ${found.round}\n\n${formatReport(found.report, rubric)}`);
      }),
  );

  server.registerResource(
    'workflow-pending-approval',
    new ResourceTemplate('converge://workflows/{id}/pending-approval', {
      list: listOf(uris.pendingApproval, 'pending approval', 'application/json', (w) => w.waitingFor?.startsWith('gate:') === true),
      complete: { id: completeId },
    }),
    {
      title: 'Pending approval',
      description: 'The gate a workflow waits at, with scores vs thresholds and how to answer (respond_to_approval). Present only while it waits.',
      mimeType: 'application/json',
    },
    (uri, vars) =>
      reading(uri, async () => {
        const state = await loadState(engine.store, variable(vars, 'id'));
        const action = await nextAction(engine, state);
        if (action.kind !== 'respond_to_approval') {
          throw notFound(uri, `Workflow ${state.workflowId} is not waiting for an approval (status ${state.status}${waitingFor(state) ? `, waiting for ${waitingFor(state)}` : ''}).`);
        }
        return json(uri, { ...action, answer_with: { tool: 'respond_to_approval', arguments: { workflow_id: state.workflowId, decision: 'approve | reject | request_changes', comment: '…', change_requests: ['…'] } } });
      }),
  );
}
