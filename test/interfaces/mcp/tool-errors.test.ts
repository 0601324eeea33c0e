/**
 * Refusals over MCP: bad input names the field, domain failures come back as tool results
 * flagged isError with { code, message, hint } (never a JSON-RPC error), and a refused call
 * records nothing.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { call, createKit, must, output, textOf } from './mcp-test-kit.js';
import type { Kit } from './mcp-test-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function started(): Promise<{ client: Client; id: string }> {
  kit = await createKit();
  const client = await kit.connect();
  const result = await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace });
  return { client, id: result.workflow_id as string };
}

const eventCount = async (id: string) => (await kit!.engine.store.readEvents(id)).length;

describe('MCP tool refusals', () => {
  describe('malformed input', () => {
    it('names a field of the wrong type', async () => {
      const { client, id } = await started();
      const result = await call(client, 'submit_step_result', { workflow_id: id, step_number: 'one', text: 'x' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/step_number/);
    });

    it('names a missing required field', async () => {
      const { client } = await started();
      const result = await call(client, 'get_next_action', {});
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/workflow_id/);
    });

    it('names a value outside an enum', async () => {
      const { client, id } = await started();
      const result = await call(client, 'respond_to_approval', { workflow_id: id, decision: 'maybe' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/decision/);
    });

    it('refuses start_workflow without requirements, naming both accepted fields', async () => {
      kit = await createKit();
      const client = await kit.connect();
      const result = await call(client, 'start_workflow', { workspace: kit.workspace });
      expect(result.isError).toBe(true);
      expect(result.structured).toMatchObject({ code: 'USAGE', message: expect.stringContaining('requirements (or user_requirements)') });
    });

    it("accepts the seed's user_requirements name", async () => {
      kit = await createKit();
      const client = await kit.connect();
      const result = await must(client, 'start_workflow', { user_requirements: 'Write the value file', workspace: kit.workspace, step_type: 'Processing' });
      expect(result.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 1 });
    });
  });

  describe('domain failures', () => {
    it('reports an unknown workflow with a code and a hint', async () => {
      kit = await createKit();
      const client = await kit.connect();
      const result = await call(client, 'get_workflow_status', { workflow_id: 'wf-nope' });
      expect(result.isError).toBe(true);
      expect(result.structured).toMatchObject({ code: 'WORKFLOW_NOT_FOUND', message: expect.stringContaining('wf-nope'), hint: expect.any(String) });
    });

    it('refuses a result for the wrong step with WRONG_STEP and records nothing', async () => {
      const { client, id } = await started();
      const before = await eventCount(id);
      const result = await call(client, 'submit_step_result', { workflow_id: id, step_number: 4, text: output('code-v2.md') });
      expect(result.structured).toMatchObject({ code: 'WRONG_STEP', message: expect.stringContaining('waits for step 1, not step 4') });
      expect(await eventCount(id)).toBe(before);
    });

    it('refuses output that is not a plan as RESULT_INVALID (the submitter\'s to fix, not a failed step) and records nothing', async () => {
      const { client, id } = await started();
      const before = await eventCount(id);
      const result = await call(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: 'ok' });
      expect(result.isError).toBe(true);
      expect(result.structured).toMatchObject({ code: 'RESULT_INVALID', details: { failureClass: 'invalid_output' } });
      expect(textOf(result)).toContain('Implementation Plan');
      expect(await eventCount(id)).toBe(before);
    });

    it('refuses an approval while no gate is pending', async () => {
      const { client, id } = await started();
      const result = await call(client, 'respond_to_approval', { workflow_id: id, decision: 'approve' });
      expect(result.structured).toMatchObject({ code: 'NOT_WAITING' });
    });

    it('refuses request_changes without change requests, naming the field', async () => {
      const { client, id } = await started();
      const result = await call(client, 'respond_to_approval', { workflow_id: id, decision: 'request_changes' });
      expect(result.structured).toMatchObject({ code: 'USAGE', message: expect.stringContaining('change_requests') });
    });

    it('refuses a workspace that does not exist', async () => {
      kit = await createKit();
      const client = await kit.connect();
      const result = await call(client, 'start_workflow', { requirements: 'x', workspace: '/nonexistent/converge-workspace' });
      expect(result.structured).toMatchObject({ code: 'WORKSPACE_INVALID' });
    });

    it('refuses results for a completed workflow and keeps every recorded event', async () => {
      kit = await createKit();
      const client = await kit.connect();
      const start = await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace, auto_approve: true });
      const id = start.workflow_id as string;
      await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v2.md') });
      await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') });
      await must(client, 'submit_step_result', { workflow_id: id, step_number: 4, text: output('code-v2.md') });
      const done = await must(client, 'submit_step_result', { workflow_id: id, step_number: 5, texts: [output('code-review-a2.md'), output('code-review-b2.md')] });
      expect(done.status).toBe('completed');
      const before = await eventCount(id);
      const result = await call(client, 'submit_step_result', { workflow_id: id, step_number: 5, text: output('code-review-a2.md') });
      expect(result.structured).toMatchObject({ code: 'ILLEGAL_ACTION', message: expect.stringContaining('completed') });
      const cancel = await call(client, 'cancel_workflow', { workflow_id: id });
      expect(cancel.structured).toMatchObject({ code: 'ILLEGAL_ACTION' });
      expect(await eventCount(id)).toBe(before);
    });
  });
});
