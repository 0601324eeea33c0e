/**
 * The OpenAPI 3.1 document of the HTTP API. Request bodies and query parameters are generated
 * from the zod schemas the routes parse with; a test checks that every route of the app is here.
 */
import { z } from 'zod';
import * as S from './schemas.js';
import { GateEditSchema } from './routes/review.js';
import { NotificationsQuerySchema } from './routes/notifications.js';

type Json = Record<string, unknown>;
type Role = 'viewer' | 'operator' | 'approver' | 'admin';

interface Op {
  summary: string;
  role?: Role;
  query?: z.ZodObject;
  body?: z.ZodType;
  ok?: number;
  response?: Json;
  stream?: boolean;
  errors?: number[];
}

const obj = (description: string): Json => ({ type: 'object', description });
const WORKFLOW = { $ref: '#/components/schemas/WorkflowSummary' };

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

function parametersOf(query: z.ZodObject): Json[] {
  const json = schemaOf(query, 'output') as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: (json.required ?? []).includes(name) && !('default' in schema),
    schema,
  }));
}

function pathParams(path: string): Json[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
}

function operation(path: string, op: Op): Json {
  const errors = new Set([...(op.role ? [401, 403] : []), ...(path.includes('{id}') ? [404] : []), ...(op.query || op.body ? [400] : []), ...(op.body ? [413] : []), ...(op.errors ?? [])]);
  const content = op.stream
    ? { 'text/event-stream': { schema: { type: 'string', description: 'Server-sent events.' } } }
    : { 'application/json': { schema: op.response ?? { type: 'object' } } };
  return {
    summary: op.summary,
    ...(op.role ? { 'x-required-role': op.role, security: [{ bearer: [] }, { cookie: [] }] } : { security: [] }),
    parameters: [...pathParams(path), ...(op.query ? parametersOf(op.query) : [])],
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } } : {}),
    responses: {
      [String(op.ok ?? 200)]: { description: 'OK', content },
      ...Object.fromEntries([...errors].sort().map((s) => [String(s), { $ref: `#/components/responses/E${s}` }])),
    },
  };
}

const ROUTES: Record<string, Partial<Record<'get' | 'post' | 'delete', Op>>> = {
  '/api/workflows': {
    get: { summary: 'List workflows, newest change first', role: 'viewer', query: S.ListQuerySchema, response: { type: 'object', properties: { items: { type: 'array', items: WORKFLOW }, next_offset: { type: ['integer', 'null'] }, total: { type: 'integer', description: 'Present on the last page.' } } } },
    post: { summary: 'Start a workflow (the server worker drives it)', role: 'operator', body: S.StartWorkflowSchema, ok: 201, response: { type: 'object', properties: { workflow: WORKFLOW } }, errors: [409, 415] },
  },
  '/api/workflows/{id}': { get: { summary: 'One workflow: state, timeline, scores per round vs thresholds, usage, artifacts', role: 'viewer', response: obj('The workflow view.') } },
  '/api/workflows/{id}/next': { get: { summary: 'What the workflow needs now: a step result (with the rendered prompts and the expected output), an approval, an escalation answer, or nothing', role: 'viewer', response: obj('{ kind, workflow_id, … } as MCP get_next_action') } },
  '/api/workflows/{id}/events': { get: { summary: 'The event log, after a sequence number', role: 'viewer', query: S.EventsQuerySchema, response: obj('{ items, next_after }') } },
  '/api/workflows/{id}/seed-state': { get: { summary: "Export in the seed's workflow state schema", role: 'viewer', response: obj('Seed state.') } },
  '/api/workflows/{id}/stream': { get: { summary: 'Server-sent events: workflow-event (id = seq), summary; resumes after Last-Event-ID or ?after. Under converge serve also activity: what the running step\'s command agent or checks do, live and never recorded (no id)', role: 'viewer', stream: true, errors: [429] } },
  '/api/workflows/{id}/resume': { post: { summary: 'Unpause and let the worker continue', role: 'operator', body: S.EmptySchema, response: { type: 'object', properties: { workflow: WORKFLOW } }, errors: [409] } },
  '/api/workflows/{id}/pause': { post: { summary: 'Pause after the current step', role: 'operator', body: S.EmptySchema, response: { type: 'object', properties: { workflow: WORKFLOW } }, errors: [409] } },
  '/api/workflows/{id}/cancel': { post: { summary: 'Cancel (a running step is stopped)', role: 'operator', body: S.CancelSchema, response: { type: 'object', properties: { workflow: WORKFLOW } }, errors: [409] } },
  '/api/workflows/{id}/fork': { post: { summary: 'A new workflow with this history, re-running from a step', role: 'operator', body: S.ForkSchema, ok: 201, response: { type: 'object', properties: { workflow: WORKFLOW, forked_from: { type: 'string' } } } } },
  '/api/workflows/{id}/result': { post: { summary: 'Submit the result of a step waiting for it (one text per prompt; a missing review or unreadable text is 400 RESULT_INVALID)', role: 'operator', body: S.SubmitResultSchema, response: { type: 'object', properties: { workflow: WORKFLOW } }, errors: [409] } },
  '/api/workflows/{id}/approval': { post: { summary: 'Approve, reject or request changes at the pending gate', role: 'approver', body: S.ApprovalSchema, response: { type: 'object', properties: { workflow: WORKFLOW, recorded: { type: 'string' } } }, errors: [409] } },
  '/api/workflows/{id}/escalation': { post: { summary: 'Answer the pending escalation', role: 'approver', body: S.EscalationAnswerSchema, response: { type: 'object', properties: { workflow: WORKFLOW, recorded: { type: 'string' } } }, errors: [409] } },
  '/api/workflows/{id}/checks/run': { post: { summary: "Run the definition's checks in the workspace now (not recorded)", role: 'operator', body: S.RunChecksSchema, response: obj('{ workflow_id, required_passed, results }') } },
  '/api/workflows/{id}/review': { get: { summary: 'The review at the gate: the change against the base (code) or the previous plan, issues by severity with file:line, reviews, each check\'s failures and output tail per round, scores, usage (null when external)', role: 'viewer', response: obj('{ workflow_id, gate, step, change: { kind, base, files, plan }, issues, reviews, checks, checks_by_round, scores, usage }') } },
  '/api/workflows/{id}/steps/{n}/trace': { get: { summary: "A step's trace per run: prompts as rendered, raw output, parsed result, tokens, cost, duration, activity", role: 'viewer', response: obj('{ workflow_id, step, runs }') } },
  '/api/workflows/{id}/gate/edit': { post: { summary: 'Record a human revision at the pending gate: the plan, or one file of the workspace; the gate stays pending', role: 'approver', body: GateEditSchema, response: obj('{ workflow, revision: { artifact, path, version, diff } }'), errors: [409] } },
  '/api/workflows/{id}/artifacts': { get: { summary: 'Artifacts and their versions', role: 'viewer', response: obj('{ items: [{ artifact, versions }] }') } },
  '/api/workflows/{id}/diffs': { get: { summary: 'Every artifact version against the one before it', role: 'viewer', response: obj('{ items: [{ artifact, from, to, diff }] }') } },
  '/api/workflows/{id}/artifacts/{artifact}/diff': { get: { summary: 'Unified diff between two versions (0 = nothing)', role: 'viewer', query: S.DiffQuerySchema, response: obj('{ artifact, from, to, diff }') } },
  '/api/workflows/{id}/artifacts/{artifact}/versions/{version}': { get: { summary: "One version's text and file list", role: 'viewer', response: obj('{ artifact, version, content, files }') } },
  '/api/workflows/{id}/artifacts/{artifact}/versions/{version}/file': { get: { summary: 'One recorded file at a version (workspace-relative path)', role: 'viewer', query: S.FileQuerySchema, response: obj('{ path, content }') } },
  '/api/approvals': { get: { summary: 'What waits for a person across workflows: pending gates, escalations and external steps', role: 'viewer', response: obj('{ items }') } },
  '/api/knowledge/search': { get: { summary: 'The documentation an agent call would get for a query', role: 'viewer', query: S.KnowledgeQuerySchema, response: obj('{ chunks, tokens, budget, text }') } },
  '/api/tokens': {
    get: { summary: 'List tokens (never secrets)', role: 'admin', response: obj('{ items }') },
    post: { summary: 'Create a token; the secret is in this response only', role: 'admin', body: S.CreateTokenSchema, ok: 201, response: obj('{ token, secret }') },
  },
  '/api/tokens/{id}': { delete: { summary: 'Revoke a token and the sessions made from it', role: 'admin', response: obj('{ token, revoked }'), errors: [404] } },
  '/api/notifications': { get: { summary: 'The notification outbox, newest first: delivered, waiting for a retry (with the last error), or failed for good', role: 'operator', query: NotificationsQuerySchema, response: obj('{ items }') } },
  '/api/audit': { get: { summary: 'Audit rows, in order', role: 'admin', query: S.AuditQuerySchema, response: obj('{ items, next_after }') } },
  '/api/audit/verify': { get: { summary: 'Recompute the hash chain; names the first broken row', role: 'admin', response: obj('{ ok, rows, head_hash, broken }') } },
  '/api/stream': { get: { summary: 'Server-sent events: changed, whenever any workflow changes', role: 'viewer', stream: true, errors: [429] } },
  '/api/me': { get: { summary: 'The caller: name and role', role: 'viewer', response: obj('{ name, role, token_id, kind, auth }') } },
  '/health/live': { get: { summary: 'Liveness' } },
  '/health/ready': { get: { summary: 'Readiness: the stores answer; the store location only for a viewer token or higher', errors: [503] } },
  '/metrics': { get: { summary: 'Prometheus metrics (viewer, unless serve --metrics-public)', role: 'viewer' } },
  '/openapi.json': { get: { summary: 'This document' } },
};

export function openApiDocument(): Json {
  const paths: Json = {};
  for (const [path, methods] of Object.entries(ROUTES)) {
    paths[path] = Object.fromEntries(Object.entries(methods).map(([method, op]) => [method, operation(path, op)]));
  }
  const error = { $ref: '#/components/schemas/Error' };
  const responses = Object.fromEntries(
    [
      [400, 'Invalid input; message and details.field name the field'],
      [401, 'No token, or an unknown, expired or revoked one'],
      [403, 'The role is too low (or a cookie write without X-Converge-Request: 1)'],
      [404, 'Unknown workflow, artifact, version, file or token'],
      [409, 'Not allowed in the workflow\'s current state'],
      [413, 'The body is larger than the limit (1 MiB by default)'],
      [415, 'The body is not JSON'],
      [429, 'Too many live event streams: per token (8 by default) or in all (200)'],
      [503, 'The store is not reachable'],
    ].map(([status, description]) => [`E${status}`, { description, content: { 'application/json': { schema: error } } }]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'Converge HTTP API', version: '1', description: 'Workflows, approvals, artifacts, checks and live events of a Converge server. Roles: viewer < operator < approver < admin.' },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from `converge token create` (cv_…).' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'converge_session', description: 'The dashboard session; writes also need X-Converge-Request: 1.' },
      },
      responses,
      schemas: {
        Error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' }, details: { type: 'object' }, request_id: { type: 'string' } } },
        WorkflowSummary: {
          type: 'object',
          properties: {
            workflow_id: { type: 'string', description: 'The workflow id, named as in every CLI and MCP answer.' },
            id: { type: 'string', deprecated: true, description: 'The same as workflow_id; kept for clients written before workflow_id.' },
            ...Object.fromEntries(['name', 'definition_id', 'status', 'phase', 'requirements', 'created_at', 'updated_at'].map((k) => [k, { type: 'string' }])),
            current_step: { type: ['integer', 'null'] },
            waiting_for: { type: ['string', 'null'], description: 'e.g. gate:plan_approval, escalation:cap_reached, external:step 1 (a step waiting for its result from outside; status waiting_for_human), paused' },
            last_seq: { type: 'integer' },
            damage: {
              type: 'object',
              description: 'Present when the workflow is damaged (quarantined): its log cannot be read as written from event seq on; reading it answers 500 STORE_DAMAGED. `converge store check` lists every one.',
              properties: { seq: { type: 'integer' }, reason: { type: 'string' } },
            },
            round: { type: 'integer', description: 'Latest validation round of the current phase.' },
            loop: { type: ['string', 'null'] },
            phase_name: { type: 'string' },
          },
        },
      },
    },
  };
}

/** Every path and method in the document, as Hono route patterns (`:id`), for the coverage test. */
export function documentedRoutes(): Array<{ method: string; path: string }> {
  return Object.entries(ROUTES).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ':$1') })));
}
