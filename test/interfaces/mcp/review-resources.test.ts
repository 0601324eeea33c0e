/**
 * The review and a step's trace as MCP resources (issue 17, parts 1 and 2), on a host-driven
 * workflow: every step is external, so tokens and cost are n/a (null), never 0.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createKit, must, output } from './mcp-test-kit.js';
import type { Kit } from './mcp-test-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function atPlanGate(): Promise<{ client: Client; id: string }> {
  kit = await createKit({ pollMs: 50 });
  const client = await kit.connect();
  const id = (await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace })).workflow_id as string;
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v2.md') });
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') });
  return { client, id };
}

describe('MCP review resources', () => {
  it('gives the review at the plan gate as text and as JSON, with usage n/a for external steps', async () => {
    const { client, id } = await atPlanGate();
    const result = await client.readResource({ uri: `converge://workflows/${id}/review` });
    const [text, json] = result.contents as Array<{ mimeType: string; text: string }>;
    expect(text!.mimeType).toBe('text/markdown');
    expect(text!.text).toContain('waiting at Plan approval (step 2, plan)');
    expect(text!.text).toContain('Usage: n/a (external steps)');
    const review = JSON.parse(json!.text);
    expect(review.gate).toMatchObject({ gate_id: 'plan_approval', kind: 'plan' });
    expect(review.change.plan.text).toContain('Implementation Plan');
    expect(review.usage).toEqual({ tokens: null, cost_usd: null, external: true, external_runs: 2 });
  });

  it('lists the review of a workflow waiting at a gate', async () => {
    const { client, id } = await atPlanGate();
    const listed = (await client.listResources()).resources.map((r) => r.uri);
    expect(listed).toContain(`converge://workflows/${id}/review`);
  });

  it("gives a step's trace with its prompt, the submitted text and null tokens for an external step", async () => {
    const { client, id } = await atPlanGate();
    const result = await client.readResource({ uri: `converge://workflows/${id}/steps/1/trace` });
    const trace = JSON.parse((result.contents[0] as { text: string }).text);
    expect(trace.step).toMatchObject({ number: 1, id: 'plan' });
    expect(trace.runs[0]).toMatchObject({ agent: 'external', tokens: null, cost_usd: null });
    expect(trace.runs[0].raw_output).toContain('Implementation Plan');
    // The prompt the host was given, rendered again when its result came in.
    expect(trace.runs[0].prompts[0].template).toBe('step1_initial_planner_prompt_template.md');
    expect(trace.runs[0].prompts[0].text).toContain('Write the value file');
    await expect(client.readResource({ uri: `converge://workflows/${id}/steps/12/trace` })).rejects.toThrow(/no step 12/);
  });
});
