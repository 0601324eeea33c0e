/**
 * A complete host-driven seven-step workflow driven by the official SDK client, over stdio
 * (`converge mcp`) and over Streamable HTTP (`converge serve-mcp` with a token): the client does
 * every step itself and Converge enforces the process — a plan revision, the plan gate, code
 * whose real check passes, the two-part code review, and the final approval.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { connectHttp, connectStdio, mcpProject, must, output, startHttpServer } from './helpers/mcp-e2e.js';
import type { HttpServer, Project } from './helpers/mcp-e2e.js';

const TOKEN = 'e2e-token';

interface Transport {
  name: string;
  clientName: string;
  /** How approvals are answered: with respond_to_approval, or in the client's elicitation handler. */
  approvals: 'tool' | 'elicitation';
  connect(project: Project, onElicit?: () => void): Promise<Client>;
}

let server: HttpServer | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await server?.stop();
  server = undefined;
});

function approveEverything(client: Client, onElicit?: () => void): void {
  client.setRequestHandler(ElicitRequestSchema, async () => {
    onElicit?.();
    return { action: 'accept', content: { decision: 'approve', comment: 'approved in the client' } };
  });
}

const TRANSPORTS: Transport[] = [
  {
    name: 'stdio',
    clientName: 'e2e-stdio',
    approvals: 'tool',
    connect: async (project) => (await connectStdio(project, { name: 'e2e-stdio' })).client,
  },
  {
    name: 'streamable HTTP with a token',
    clientName: 'e2e-http',
    approvals: 'elicitation',
    async connect(project, onElicit) {
      server = await startHttpServer(project, ['--token', TOKEN]);
      const client = await connectHttp(server.url, TOKEN, { name: 'e2e-http', capabilities: { elicitation: {} } });
      approveEverything(client, onElicit);
      return client;
    },
  },
];

describe.each(TRANSPORTS)('MCP host-driven workflow over $name', (transport) => {
  it('drives all seven steps to completed through tools alone', async () => {
    const project = mcpProject();
    let elicited = 0;
    const client = await transport.connect(project, () => (elicited += 1));
    clients.push(client);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(
      expect.arrayContaining([
        'start_workflow', 'list_workflows', 'get_workflow_status', 'get_next_action', 'submit_step_result', 'run_checks',
        'check_convergence_criteria', 'respond_to_approval', 'answer_escalation', 'resume_workflow', 'cancel_workflow', 'fork_workflow',
      ]),
    );

    const started = await must(client, 'start_workflow', { requirements: 'Write src/value.txt containing good', workspace: 'project' });
    const id = started.workflow_id as string;
    expect(started.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 1, role: 'planner' });
    const step1 = await must(client, 'get_next_action', { workflow_id: id });
    expect(step1.next_action.prompts[0].text).toContain('Write src/value.txt containing good');

    // Phase 1: a plan the validator does not accept, a revision it does.
    let next = await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v1.md') });
    expect(next.next_action).toMatchObject({ step_number: 2, expected_output: { format: 'report' } });
    next = await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-1.md') });
    expect(next.next_action).toMatchObject({ step_number: 3 });
    expect(next.next_action.prompts[0].text).toContain('Alignment Score: 7');
    next = await must(client, 'submit_step_result', { workflow_id: id, step_number: 3, text: output('plan-v2.md') });
    next = await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') });
    if (transport.approvals === 'tool') {
      expect(next.next_action).toMatchObject({ kind: 'respond_to_approval', gate: { id: 'plan_approval' }, summary: { converged: true } });
      next = await must(client, 'respond_to_approval', { workflow_id: id, decision: 'approve', comment: 'plan is right' });
    } else {
      expect(next.approvals).toEqual([{ gate: 'plan_approval', decision: 'approve', actor: transport.clientName }]);
    }

    // Phase 2: the code, whose real check (node check.mjs) passes, then the 5a + 5b reviews.
    expect(next.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 4, expected_output: { format: 'files' } });
    next = await must(client, 'submit_step_result', { workflow_id: id, step_number: 4, text: output('code-v2.md') });
    expect(next.next_action).toMatchObject({ step_number: 5, expected_output: { texts: 2 }, check_results: [{ id: 'value', status: 'passed' }] });
    expect(readFileSync(join(project.workspace, 'src', 'value.txt'), 'utf8').trim()).toBe('good');
    const checks = await must(client, 'run_checks', { workflow_id: id });
    expect(checks).toMatchObject({ required_passed: true, checks: [{ id: 'value', status: 'passed' }] });
    next = await must(client, 'submit_step_result', { workflow_id: id, step_number: 5, texts: [output('code-review-a2.md'), output('code-review-b2.md')] });

    const convergence = await must(client, 'check_convergence_criteria', { workflow_id: id, phase: 'phase_2' });
    expect(convergence).toMatchObject({ converged: true, next_action: 'proceed', step_number: 5 });
    expect(convergence.reasons).toContain('check value passed');
    if (transport.approvals === 'tool') {
      expect(next.next_action).toMatchObject({ kind: 'respond_to_approval', gate: { id: 'final_approval' } });
      next = await must(client, 'respond_to_approval', { workflow_id: id, decision: 'approve' });
    } else {
      expect(elicited).toBe(2);
    }
    expect(next).toMatchObject({ status: 'completed', next_action: { kind: 'none', status: 'completed' } });

    const status = await must(client, 'get_workflow_status', { workflow_id: id });
    expect(status).toMatchObject({ status: 'completed', phase: 'phase_2' });
    expect(status.approvals.map((a: { gate: string; actor: string; via: string }) => `${a.gate}:${a.actor}:${a.via}`)).toEqual([
      `plan_approval:${transport.clientName}:mcp`,
      `final_approval:${transport.clientName}:mcp`,
    ]);
    expect(status.rounds.map((r: { step_number: number; converged: boolean }) => `${r.step_number}:${r.converged}`)).toEqual(['2:false', '2:true', '5:true']);
    const listed = await must(client, 'list_workflows', { status: ['completed'] });
    expect(listed.workflows.map((w: { workflow_id: string }) => w.workflow_id)).toEqual([id]);
  }, 120_000);
});
