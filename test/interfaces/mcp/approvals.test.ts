/**
 * Approvals over MCP: asked through elicitation when the client declares it, otherwise a
 * pending-approval resource answered with respond_to_approval; either way the actor is the
 * client and the channel is `mcp`.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { respondToGate } from '../../../src/engine/workflow-commands.js';
import { createKit, must, output } from './mcp-test-kit.js';
import type { Kit } from './mcp-test-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

/** Starts a host workflow and submits a plan and a converging review: the plan gate comes next. */
async function toPlanGate(client: Client, workspace: string) {
  const started = await must(client, 'start_workflow', { requirements: 'Write the value file', workspace });
  const id = started.workflow_id as string;
  await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v2.md') });
  return { id, afterReview: await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') }) };
}

function answering(client: Client, answer: (request: ElicitRequest) => ElicitResult): ElicitRequest[] {
  const asked: ElicitRequest[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request);
    return answer(request);
  });
  return asked;
}

describe('approvals over MCP', () => {
  describe('a client that declares elicitation', () => {
    it('is asked at the plan gate during submit_step_result and its approval is recorded with its name', async () => {
      kit = await createKit();
      const client = await kit.connect({ name: 'elicit-client', capabilities: { elicitation: {} } });
      const asked = answering(client, () => ({ action: 'accept', content: { decision: 'approve', comment: 'ship it' } }));
      const { id, afterReview } = await toPlanGate(client, kit.workspace);

      expect(asked).toHaveLength(1);
      expect(asked[0]!.params.message).toContain('plan_approval');
      expect(asked[0]!.params.message).toContain('alignment 9.5 (needs ≥ 9)');
      expect(afterReview.approvals).toEqual([{ gate: 'plan_approval', decision: 'approve', actor: 'elicit-client' }]);
      expect(afterReview.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 4 });
      const status = await must(client, 'get_workflow_status', { workflow_id: id });
      expect(status.approvals).toEqual([expect.objectContaining({ gate: 'plan_approval', decision: 'approve', actor: 'elicit-client', via: 'mcp', comment: 'ship it' })]);
    });

    it('sends request_changes back to step 3 with the change requests typed in the form', async () => {
      kit = await createKit();
      const client = await kit.connect({ name: 'elicit-client', capabilities: { elicitation: {} } });
      answering(client, () => ({ action: 'accept', content: { decision: 'request_changes', changes: 'Name the check script\nMention the encoding' } }));
      const { afterReview } = await toPlanGate(client, kit.workspace);
      expect(afterReview.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 3, change_requests: ['Name the check script', 'Mention the encoding'] });
    });

    it('leaves the gate pending when the user declines the form', async () => {
      kit = await createKit();
      const client = await kit.connect({ name: 'elicit-client', capabilities: { elicitation: {} } });
      answering(client, () => ({ action: 'decline' }));
      const { id, afterReview } = await toPlanGate(client, kit.workspace);
      expect(afterReview.approvals).toEqual([]);
      expect(afterReview.elicitation_note).toContain('respond_to_approval');
      expect(afterReview.next_action).toMatchObject({ kind: 'respond_to_approval', gate: { id: 'plan_approval' } });
      const answered = await must(client, 'respond_to_approval', { workflow_id: id, decision: 'approve' });
      expect(answered.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 4 });
    });
    it('keeps an answer given elsewhere while the form was open', async () => {
      kit = await createKit();
      const k = kit;
      const client = await kit.connect({ name: 'elicit-client', capabilities: { elicitation: {} } });
      client.setRequestHandler(ElicitRequestSchema, async () => {
        const [row] = await k.engine.store.listWorkflows({ limit: 1 });
        await respondToGate(k.engine.store, k.engine.clock, row!.id, { decision: 'reject', comment: 'no' }, { id: 'bob', via: 'cli' });
        return { action: 'accept', content: { decision: 'approve' } };
      });
      const { id, afterReview } = await toPlanGate(client, kit.workspace);
      expect(afterReview).toMatchObject({ status: 'rejected', approvals: [], elicitation_note: expect.stringContaining('answered elsewhere') });
      const status = await must(client, 'get_workflow_status', { workflow_id: id });
      expect(status.approvals).toEqual([expect.objectContaining({ actor: 'bob', decision: 'reject', via: 'cli' })]);
    });
  });

  describe('a client without elicitation', () => {
    it('reads the pending approval as a resource and answers it with respond_to_approval', async () => {
      kit = await createKit();
      const client = await kit.connect({ name: 'plain-client' });
      const { id, afterReview } = await toPlanGate(client, kit.workspace);
      expect(afterReview.next_action).toMatchObject({ kind: 'respond_to_approval', summary: { converged: true } });

      const listed = await client.listResources();
      expect(listed.resources.map((r) => r.uri)).toContain(`converge://workflows/${id}/pending-approval`);
      const pending = await client.readResource({ uri: `converge://workflows/${id}/pending-approval` });
      const body = JSON.parse((pending.contents[0] as { text: string }).text);
      expect(body).toMatchObject({ kind: 'respond_to_approval', gate: { id: 'plan_approval' }, answer_with: { tool: 'respond_to_approval' } });

      const answered = await must(client, 'respond_to_approval', { workflow_id: id, decision: 'approve', comment: 'fine' });
      expect(answered.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 4 });
      const status = await must(client, 'get_workflow_status', { workflow_id: id });
      expect(status.approvals).toEqual([expect.objectContaining({ actor: 'plain-client', via: 'mcp', decision: 'approve' })]);
      await expect(client.readResource({ uri: `converge://workflows/${id}/pending-approval` })).rejects.toThrow(/not waiting for an approval/);
    });

    it('records a configured actor name instead of the client name', async () => {
      kit = await createKit({ actor: 'alice' });
      const client = await kit.connect({ name: 'plain-client' });
      const { id } = await toPlanGate(client, kit.workspace);
      await must(client, 'respond_to_approval', { workflow_id: id, decision: 'reject', comment: 'wrong direction' });
      const status = await must(client, 'get_workflow_status', { workflow_id: id });
      expect(status.status).toBe('rejected');
      expect(status.approvals).toEqual([expect.objectContaining({ actor: 'alice', decision: 'reject' })]);
    });
  });
});
