/**
 * Resources and prompts over MCP: state in the seed's schema, the event log, artifacts, reports,
 * criteria and templates; subscriptions notify when a workflow changes; one prompt per template.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { respondToGate } from '../../../src/engine/workflow-commands.js';
import { createKit, must, output } from './mcp-test-kit.js';
import type { Kit } from './mcp-test-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function read(client: Client, uri: string): Promise<string> {
  const result = await client.readResource({ uri });
  return (result.contents[0] as { text: string }).text;
}

async function planned(): Promise<{ client: Client; id: string }> {
  kit = await createKit({ pollMs: 50 });
  const client = await kit.connect();
  const id = (await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace })).workflow_id as string;
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v1.md') });
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-1.md') });
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 3, text: output('plan-v2.md') });
  return { client, id };
}

describe('MCP resources', () => {
  describe('a workflow after one plan revision', () => {
    it("projects its state onto the seed's schema", async () => {
      const { client, id } = await planned();
      const state = JSON.parse(await read(client, `converge://workflows/${id}/state`));
      expect(state).toMatchObject({ workflow_id: id, converge_status: 'running', current_step: 2 });
    });

    it('serves its event log as JSON lines', async () => {
      const { client, id } = await planned();
      const lines = (await read(client, `converge://workflows/${id}/events`)).split('\n').map((l) => JSON.parse(l));
      expect(lines[0]).toMatchObject({ type: 'workflow_started', seq: 1 });
      expect(lines.length).toBe((await kit!.engine.store.readEvents(id)).length);
    });

    it('serves each plan version and the latest', async () => {
      const { client, id } = await planned();
      expect(await read(client, `converge://workflows/${id}/artifacts/plan/1`)).toContain('# Implementation Plan: value file\n');
      expect(await read(client, `converge://workflows/${id}/artifacts/plan/latest`)).toContain('(v2)');
      await expect(client.readResource({ uri: `converge://workflows/${id}/artifacts/plan/9` })).rejects.toThrow(/no plan version 9/);
    });

    it('serves the validation report with scores against thresholds', async () => {
      const { client, id } = await planned();
      const report = await read(client, `converge://workflows/${id}/reports/1`);
      expect(report).toContain('- Alignment Score: 7/10');
      expect(report).toContain('Converged: no (unmet: alignment 7.0 < 9.0');
    });

    it('answers an unknown workflow with resource-not-found', async () => {
      kit = await createKit();
      const client = await kit.connect();
      await expect(client.readResource({ uri: 'converge://workflows/wf-nope/state' })).rejects.toThrow(/^MCP error -32002: [^M].*wf-nope/);
    });
  });

  describe('store-wide resources', () => {
    it('lists the criteria of the configured definition', async () => {
      kit = await createKit();
      const client = await kit.connect();
      const criteria = JSON.parse(await read(client, 'converge://criteria'));
      expect(criteria.rubrics.find((r: { id: string }) => r.id === 'plan').dimensions.alignment).toEqual({ min: 9, weight: 1 });
      expect(criteria.loops).toContainEqual({ id: 'plan_loop', counts: 'validate_plan', max_rounds: 5 });
      expect(criteria.checks).toEqual([{ id: 'value', command: ['node', 'check.mjs'], required: true }]);
    });

    it('serves template sources', async () => {
      kit = await createKit();
      const client = await kit.connect();
      expect(await read(client, 'converge://templates/step1_initial_planner_prompt_template.md')).toContain('# Role: Planner');
    });
  });

  describe('subscriptions', () => {
    it('notifies a subscriber when the workflow changes, also from outside the server', async () => {
      kit = await createKit({ pollMs: 50 });
      const client = await kit.connect();
      const id = (await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace })).workflow_id as string;
      await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v2.md') });
      await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') });
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
      const uri = `converge://workflows/${id}/pending-approval`;
      await client.subscribeResource({ uri });
      await sleep(200);
      expect(updated).toEqual([]);
      // An approval from another interface (the CLI would do exactly this).
      await respondToGate(kit.engine.store, kit.engine.clock, id, { decision: 'approve' }, { id: 'bob', via: 'cli' });
      for (let i = 0; i < 40 && updated.length === 0; i++) await sleep(50);
      expect(updated).toContain(uri);
      await client.unsubscribeResource({ uri });
    });
  });
});

describe('MCP prompts', () => {
  it('offers one prompt per step template', async () => {
    kit = await createKit();
    const client = await kit.connect();
    const names = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['step1_initial_planner_prompt_template', 'step5b_two_level_standardization_validation_agent_prompt_template']));
    expect(names).toHaveLength(7);
  });

  it('renders a template from its arguments', async () => {
    kit = await createKit();
    const client = await kit.connect();
    const prompt = await client.getPrompt({ name: 'step3_revision_planner_prompt_template', arguments: { requirements: 'Add a CSV export', change_requests: 'Name the file\nAdd tests' } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain('Add a CSV export');
    expect(text).toContain('Name the file');
  });

  it("renders a template from a workflow's record", async () => {
    const { client, id } = await planned();
    const prompt = await client.getPrompt({ name: 'step2_plan_validator_prompt_template', arguments: { workflow_id: id } });
    expect((prompt.messages[0]!.content as { text: string }).text).toContain('(v2)');
  });

  it("words the code step's template for a host that edits in place, as get_next_action does (#16)", async () => {
    const { client, id } = await planned();
    await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') });
    await must(client, 'respond_to_approval', { workflow_id: id, decision: 'approve' });
    const prompt = await client.getPrompt({ name: 'step4_programmer_prompt_template', arguments: { workflow_id: id } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    const instructions = text.slice(text.indexOf('# Role: Programmer'));
    expect(instructions).toContain('Edit the files in the workspace directly');
    expect(instructions).not.toContain('# File: <path relative to the workspace root>');
  });
});
