/**
 * The lifecycle tools over MCP: escalations answered, pause and resume, cancel, fork — and a
 * definition given to start_workflow by path.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { setPaused } from '../../../src/engine/workflow-commands.js';
import { sevenStepDocument } from '../../core/helpers.js';
import { createKit, must, output } from './mcp-test-kit.js';
import type { Kit } from './mcp-test-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function startedWith(definition?: (doc: ReturnType<typeof sevenStepDocument>) => void) {
  kit = await createKit();
  const client = await kit.connect({ name: 'lifecycle-client' });
  const args: Record<string, unknown> = { requirements: 'Write the value file', workspace: kit.workspace };
  if (definition !== undefined) {
    const doc = sevenStepDocument();
    definition(doc);
    writeFileSync(join(kit.workspace, 'one-round.yaml'), stringify(doc));
    args.definition = join(kit.workspace, 'one-round.yaml');
  }
  const id = (await must(client, 'start_workflow', args)).workflow_id as string;
  return { client, id };
}

describe('MCP lifecycle tools', () => {
  describe('a plan loop capped at one round', () => {
    it('escalates, and answer_escalation with grant_rounds sends it to step 3', async () => {
      const { client, id } = await startedWith((doc) => (doc.loops[0].max_rounds = 1));
      await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v1.md') });
      const escalated = await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-1.md') });
      expect(escalated.next_action).toMatchObject({ kind: 'answer_escalation', reason: 'cap_reached' });
      const convergence = await must(client, 'check_convergence_criteria', { workflow_id: id, phase: 'plan' });
      expect(convergence).toMatchObject({ converged: false, next_action: 'human_escalation', loop: { rounds_used: 1, cap: 1 } });
      expect(convergence.reasons).toContain('alignment 7.0 < 9.0');
      const answered = await must(client, 'answer_escalation', { workflow_id: id, answer: 'grant_rounds', rounds: 2 });
      expect(answered.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 3 });
    });
  });

  describe('a step waiting for the host agent\'s result', () => {
    it('is waiting_for_human with waiting_for external:step 1 in start_workflow, get_workflow_status and list_workflows', async () => {
      kit = await createKit();
      const client = await kit.connect({ name: 'lifecycle-client' });
      const started = await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace });
      const id = started.workflow_id as string;
      expect(started).toMatchObject({ status: 'waiting_for_human', waiting_for: 'external:step 1', next_action: { kind: 'submit_step_result', step_number: 1 } });
      expect(await must(client, 'get_workflow_status', { workflow_id: id })).toMatchObject({ status: 'waiting_for_human', waiting_for: 'external:step 1' });
      const waiting = await must(client, 'list_workflows', { status: ['waiting_for_human'] });
      expect(waiting.workflows).toEqual([expect.objectContaining({ workflow_id: id, status: 'waiting_for_human', waiting_for: 'external:step 1' })]);
      expect((await must(client, 'list_workflows', { status: ['running'] })).workflows).toEqual([]);
    });
  });

  describe('a paused workflow', () => {
    it('reports paused and continues after resume_workflow', async () => {
      const { client, id } = await startedWith();
      await setPaused(kit!.engine.store, kit!.engine.clock, id, true, { id: 'bob', via: 'cli' });
      expect((await must(client, 'get_next_action', { workflow_id: id })).next_action).toMatchObject({ kind: 'none', paused: true });
      const resumed = await must(client, 'resume_workflow', { workflow_id: id });
      expect(resumed.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 1 });
    });
  });

  describe('cancel and fork', () => {
    it('cancels a workflow, then forks it from step 1 into a new one that waits for a plan', async () => {
      const { client, id } = await startedWith();
      await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v1.md') });
      const cancelled = await must(client, 'cancel_workflow', { workflow_id: id, reason: 'trying another approach' });
      expect(cancelled).toMatchObject({ status: 'cancelled', next_action: { kind: 'none' } });
      const fork = await must(client, 'fork_workflow', { workflow_id: id, from_step: 1 });
      expect(fork.forked_from).toBe(id);
      expect(fork.workflow_id).not.toBe(id);
      expect(fork.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 1 });
    });
  });
});
