/**
 * The MCP Inspector's CLI mode (`mcp-inspector --cli node bin/converge.js … mcp --method …`)
 * lists and calls what `converge mcp` serves — the check a user would run by hand.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { ENTRY, mcpProject } from './helpers/mcp-e2e.js';

const INSPECTOR = join(ROOT, 'node_modules', '.bin', 'mcp-inspector');

async function inspect(method: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const project = mcpProject();
  const result = await execa(INSPECTOR, ['--cli', process.execPath, ENTRY, '--store', project.store, 'mcp', '--method', method, ...extra], {
    cwd: project.dir,
    reject: false,
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('mcp-inspector --cli against converge mcp', () => {
  it('lists the tools', async () => {
    const listed = (await inspect('tools/list')) as { tools: Array<{ name: string; inputSchema: { properties: Record<string, { description?: string }> } }> };
    expect(listed.tools.map((t) => t.name).sort()).toEqual([
      'answer_escalation', 'cancel_workflow', 'check_convergence_criteria', 'fork_workflow', 'get_next_action', 'get_workflow_status',
      'list_workflows', 'respond_to_approval', 'resume_workflow', 'run_checks', 'start_workflow', 'submit_step_result',
    ]);
    for (const tool of listed.tools) {
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) expect(schema.description, `${tool.name}.${field}`).toBeTruthy();
    }
  }, 120_000);

  it('lists the resources and resource templates', async () => {
    const resources = (await inspect('resources/list')) as { resources: Array<{ uri: string }> };
    expect(resources.resources.map((r) => r.uri)).toContain('converge://criteria');
    const templates = (await inspect('resources/templates/list')) as { resourceTemplates: Array<{ uriTemplate: string }> };
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(
      expect.arrayContaining(['converge://workflows/{id}/state', 'converge://workflows/{id}/pending-approval', 'converge://templates/{name}']),
    );
  }, 120_000);

  it('lists the prompts', async () => {
    const prompts = (await inspect('prompts/list')) as { prompts: Array<{ name: string }> };
    expect(prompts.prompts.map((p) => p.name)).toContain('step4_programmer_prompt_template');
  }, 120_000);

  it('calls list_workflows on an empty store', async () => {
    const called = (await inspect('tools/call', ['--tool-name', 'list_workflows'])) as { structuredContent: { workflows: unknown[] }; content: Array<{ text: string }> };
    expect(called.structuredContent.workflows).toEqual([]);
    expect(called.content[0]!.text).toContain('No workflows yet');
  }, 120_000);
});
