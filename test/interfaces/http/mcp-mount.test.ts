/**
 * `serve --mcp`: an MCP client (the official SDK) talks to /mcp of the running app. Every token
 * may connect; each tool is held to the same access rules as the HTTP API (#13): the role, the
 * workspace root, where a definition may come from, and one audit row per start, answer, cancel
 * and fork, naming the token and `via: mcp`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { createEngine } from '../../../src/engine/create-engine.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createMcpMount } from '../../../src/interfaces/http/mcp-mount.js';
import type { McpMount } from '../../../src/interfaces/http/mcp-mount.js';
import { startHttpServer } from '../../../src/interfaces/http/serve-http.js';
import type { RunningHttpServer } from '../../../src/interfaces/http/serve-http.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';
import { FIXTURE, createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

type Structured = Record<string, unknown> & { workflow_id?: string };

describe('/mcp on the HTTP server', () => {
  let kit: HttpKit;
  let mcp: McpMount;
  let server: RunningHttpServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    kit = await createHttpKit();
    const loaded = loadProjectConfig(kit.dir, 'converge-gates.yaml');
    const mcpEngine = createEngine({ store: kit.engine.store, config: loaded.config, baseDir: loaded.baseDir });
    mcp = createMcpMount(mcpEngine, loaded, '127.0.0.1', { audit: kit.audit, workspaceRoot: kit.dir });
    server = await startHttpServer({ engine: kit.engine, auth: kit.auth, audit: kit.audit, metrics: kit.metrics, mcp, port: 0, concurrency: 0, workspaceRoot: kit.dir });
    // A definition of the project's own, with one plan round, so the first failing review escalates.
    const doc = parseYaml(readFileSync(join(import.meta.dirname, '..', '..', '..', 'src', 'workflows', 'definitions', 'seven-step.yaml'), 'utf8'));
    doc.loops[0].max_rounds = 1;
    writeFileSync(join(kit.dir, 'one-round.yaml'), stringify(doc));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await mcp.close();
    await server.close();
    await kit.close();
  });

  async function connect(token: string): Promise<Client> {
    const client = new Client({ name: 'mount-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  }
  async function call(client: Client, name: string, args: Record<string, unknown>) {
    const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: Structured; content: Array<{ text?: string }> };
    return { isError: result.isError === true, structured: result.structuredContent ?? {}, text: result.content.map((c) => c.text ?? '').join('\n') };
  }
  const output = (name: string) => readFileSync(join(FIXTURE, 'outputs', name), 'utf8');
  const lastAudit = async () => (await kit.audit.read()).at(-1);

  it('refuses an unauthenticated client before MCP', async () => {
    await expect(connect('cv_' + 'x'.repeat(43))).rejects.toThrow();
  });

  it('lets a viewer read but not approve, and audits the refusal with the transport', async () => {
    const id = await kit.workflowAtPlanGate();
    const viewer = await connect(kit.tokens.viewer);
    expect((await call(viewer, 'get_workflow_status', { workflow_id: id })).isError).toBe(false);
    const refused = await call(viewer, 'respond_to_approval', { workflow_id: id, decision: 'approve' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('FORBIDDEN');
    expect((await loadState(kit.engine.store, id)).gate?.gateId).toBe('plan_approval');
    expect(await lastAudit()).toMatchObject({ actor: 'viewer-user', action: 'auth.denied', target: id, details: { needed: 'approver', role: 'viewer', via: 'mcp' } });
  });

  it("refuses an operator's start with auto_approve, as the HTTP API does", async () => {
    const operator = await connect(kit.tokens.operator);
    const refused = await call(operator, 'start_workflow', { requirements: 'Write the value file', workspace: 'project', auto_approve: true });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('FORBIDDEN');
    expect(refused.text).toContain('approver');
    expect(await kit.engine.store.listWorkflows({ status: ['running'] })).toEqual([]);
    const http = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'Write the value file', workspace: 'project', auto_approve: true } });
    expect(http.status).toBe(403);
  });

  it('refuses a start whose workspace lies outside the workspace root', async () => {
    const operator = await connect(kit.tokens.operator);
    const refused = await call(operator, 'start_workflow', { requirements: 'Write the value file', workspace: '/tmp' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('PATH_ESCAPE');
    expect(await lastAudit()).toMatchObject({ actor: 'operator-user', action: 'workflow.start', details: { outcome: 'error', error: 'PATH_ESCAPE', via: 'mcp' } });
  });

  it('refuses a definition file from outside the project folder', async () => {
    const operator = await connect(kit.tokens.operator);
    const elsewhere = join(kit.dir, '..', `outside-${Date.now()}.yaml`);
    writeFileSync(elsewhere, readFileSync(join(kit.dir, 'one-round.yaml')));
    const refused = await call(operator, 'start_workflow', { requirements: 'Write the value file', workspace: 'project', definition: elsewhere });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('FORBIDDEN');
  });

  it('writes an audit row with the actor and the transport for a start, an approval, an escalation answer and a cancel', async () => {
    const atGate = await kit.workflowAtPlanGate();
    const operator = await connect(kit.tokens.operator);
    const approver = await connect(kit.tokens.approver);

    const started = await call(operator, 'start_workflow', { requirements: 'Write the value file', workspace: 'project', definition: 'one-round.yaml' });
    expect(started.isError, started.text).toBe(false);
    const id = started.structured.workflow_id!;
    expect(await lastAudit()).toMatchObject({ actor: 'operator-user', action: 'workflow.start', target: id, details: { outcome: 'ok', via: 'mcp' } });

    const approved = await call(approver, 'respond_to_approval', { workflow_id: atGate, decision: 'reject', comment: 'via mcp' });
    expect(approved.isError, approved.text).toBe(false);
    expect((await loadState(kit.engine.store, atGate)).approvals.at(-1)).toMatchObject({ decision: 'reject', actor: { id: 'approver-user', via: 'mcp' } });
    expect(await lastAudit()).toMatchObject({ actor: 'approver-user', action: 'approval.reject', target: atGate, details: { comment: 'via mcp', outcome: 'ok', via: 'mcp' } });

    await call(operator, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v1.md') });
    const escalated = await call(operator, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-1.md') });
    expect(escalated.structured.next_action).toMatchObject({ kind: 'answer_escalation' });
    const answered = await call(approver, 'answer_escalation', { workflow_id: id, answer: 'grant_rounds', rounds: 1 });
    expect(answered.isError, answered.text).toBe(false);
    expect(await lastAudit()).toMatchObject({ actor: 'approver-user', action: 'escalation.grant_rounds', target: id, details: { outcome: 'ok', via: 'mcp' } });

    const cancelled = await call(operator, 'cancel_workflow', { workflow_id: id, reason: 'done trying' });
    expect(cancelled.isError, cancelled.text).toBe(false);
    expect(await lastAudit()).toMatchObject({ actor: 'operator-user', action: 'workflow.cancel', target: id, details: { reason: 'done trying', outcome: 'ok', via: 'mcp' } });
    await expect(kit.audit.verify()).resolves.toMatchObject({ ok: true });
  }, 60_000);
});
