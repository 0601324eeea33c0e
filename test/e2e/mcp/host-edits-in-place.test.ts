/**
 * A host that edits in place (issue 16, part 2): the official MCP client plays Claude Code, which
 * writes the code into the workspace itself and submits only a summary at step 4. Converge took a
 * snapshot of the workspace when step 4 began, records the change from it, runs the real check on
 * it, and shows it to the step 5 reviewers. The snapshot is durable: the server process that took
 * it may be gone when the result comes in.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { connectStdio, mcpProject, must, output } from './helpers/mcp-e2e.js';
import type { Project, Structured } from './helpers/mcp-e2e.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
});

const SUMMARY = '## Summary\n- Wrote src/value.txt with the value the plan asks for, in the workspace.\n- Verification: node check.mjs passes.\n- Deviations: none';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** The project's workspace as a git repository with one commit, as most workspaces are. */
function gitProject(): Project {
  const project = mcpProject();
  git(project.workspace, 'init', '-q');
  git(project.workspace, 'add', '-A');
  git(project.workspace, 'commit', '-q', '-m', 'start');
  return project;
}

async function connect(project: Project): Promise<Client> {
  const { client } = await connectStdio(project, { name: 'claude-code' });
  clients.push(client);
  return client;
}

/** Starts a host-driven workflow (edits_in_place by default) and brings it to step 4. */
async function throughPlan(client: Client): Promise<{ id: string; next: Structured }> {
  const started = await must(client, 'start_workflow', { requirements: 'Write src/value.txt containing good', workspace: 'project' });
  const id = started.workflow_id as string;
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v2.md') });
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') });
  const next = await must(client, 'respond_to_approval', { workflow_id: id, decision: 'approve' });
  return { id, next };
}

async function events(client: Client, id: string): Promise<Structured[]> {
  const resource = await client.readResource({ uri: `converge://workflows/${id}/events` });
  const text = (resource.contents[0] as { text: string }).text;
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Structured);
}

function writeValue(workspace: string): void {
  mkdirSync(join(workspace, 'src'), { recursive: true });
  writeFileSync(join(workspace, 'src', 'value.txt'), 'good\n');
}

describe('a host that edits the workspace itself (MCP)', () => {
  it('records the files it wrote at step 4 from a summary alone, and step 5 checks and reviews them', async () => {
    const project = gitProject();
    const client = await connect(project);
    const { id, next } = await throughPlan(client);

    expect(next.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 4, expected_output: { format: 'files' } });
    expect(next.next_action.workspace.note).toContain('records every file that differs from it when you submit');
    expect(next.next_action.workspace.note).not.toContain('NOT recorded');
    expect(next.next_action.prompts[0].text).toContain('Edit the files in the workspace directly');
    expect(next.next_action.prompts[0].text).toContain('- `node check.mjs`: value');
    const snapshot = (await events(client, id)).find((e) => e.type === 'workspace_snapshot_taken');
    expect(snapshot?.snapshot).toMatchObject({ method: 'git', ref: expect.stringMatching(/^refs\/converge\/snapshots\//) });
    // The user's own state is untouched: no branch moved, nothing staged.
    expect(git(project.workspace, 'log', '--format=%s')).toBe('start');
    expect(git(project.workspace, 'diff', '--cached', '--name-only')).toBe('');

    writeValue(project.workspace);
    const after = await must(client, 'submit_step_result', { workflow_id: id, step_number: 4, text: SUMMARY });

    const recorded = (await events(client, id)).find((e) => e.type === 'step_output_recorded' && e.output.artifact === 'code');
    expect(recorded?.output.files).toEqual([{ path: 'src/value.txt', action: 'create', content: 'good\n' }]);
    expect(recorded?.output.content).toContain('Wrote src/value.txt');
    // Validation sees the change: the real check ran on the workspace, and the reviewers' prompts show the file.
    expect(after.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 5, check_results: [{ id: 'value', status: 'passed' }] });
    for (const prompt of after.next_action.prompts as Array<{ text: string }>) {
      expect(prompt.text).toMatch(/# File: src\/value\.txt\n```[a-z]*\ngood\n/);
    }
    // The snapshot has served: its ref is gone.
    expect(git(project.workspace, 'for-each-ref', 'refs/converge/snapshots/')).toBe('');
  });

  it('records the change when the server that took the snapshot is gone before the result comes in', async () => {
    const project = gitProject();
    const first = await connect(project);
    const { id } = await throughPlan(first);
    await first.close();
    clients.splice(clients.indexOf(first), 1);

    // The host goes on editing with no Converge process running, then a new server takes the result.
    writeValue(project.workspace);
    writeFileSync(join(project.workspace, 'README.md'), 'Edited by the host.\n');
    const second = await connect(project);
    const after = await must(second, 'submit_step_result', { workflow_id: id, step_number: 4, text: SUMMARY });

    const recorded = (await events(second, id)).find((e) => e.type === 'step_output_recorded' && e.output.artifact === 'code');
    expect(recorded?.output.files).toEqual([
      { path: 'README.md', action: 'update', content: 'Edited by the host.\n' },
      { path: 'src/value.txt', action: 'create', content: 'good\n' },
    ]);
    expect(after.next_action).toMatchObject({ step_number: 5, check_results: [{ id: 'value', status: 'passed' }] });
  });

  it('refuses a summary when nothing changed in the workspace, recording nothing', async () => {
    const project = gitProject();
    const client = await connect(project);
    const { id } = await throughPlan(client);
    const result = await client.callTool({ name: 'submit_step_result', arguments: { workflow_id: id, step_number: 4, text: SUMMARY } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('Nothing changed in the workspace');
    expect((await events(client, id)).some((e) => e.type === 'step_output_recorded' && e.output.artifact === 'code')).toBe(false);
  });
});
