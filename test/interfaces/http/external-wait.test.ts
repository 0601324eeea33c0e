/**
 * An external step over HTTP (issue 15): the workflow is waiting_for_human in its view, the list
 * and /api/approvals; /next gives the rendered prompt; a result needs the operator role, and a
 * result that is not a plan is 400 RESULT_INVALID with nothing recorded.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorkflow } from '../../../src/engine/workflow-commands.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('a step waiting for an external result', () => {
  let kit: HttpKit;
  let id: string;
  beforeEach(async () => {
    kit = await createHttpKit({ config: 'converge-external.yaml' });
    const state = await startWorkflow(kit.engine.store, kit.engine.clock, {
      definition: kit.engine.definition,
      requirements: 'Write the value file',
      workspace: { path: join(kit.dir, 'project'), type: 'shared' },
    });
    id = state.workflowId;
    await kit.engine.runner.run(id, { waitForHumans: false });
  });
  afterEach(() => kit.close());

  it('is waiting_for_human in the workflow view, the list filter and /api/approvals', async () => {
    const view = await kit.json('GET', `/api/workflows/${id}`, { role: 'viewer' });
    expect(view.body).toMatchObject({ status: 'waiting_for_human', waiting_for: 'external:step 1', gate: null, escalation: null });
    expect(view.body.external).toMatchObject({ step_number: 1, step_id: 'plan', role: 'planner', format: 'plan', texts: 1 });
    const waiting = await kit.json('GET', '/api/workflows?status=waiting_for_human', { role: 'viewer' });
    expect(waiting.body.items.map((w: { id: string }) => w.id)).toEqual([id]);
    expect((await kit.json('GET', '/api/workflows?status=running', { role: 'viewer' })).body.items).toEqual([]);
    const approvals = await kit.json('GET', '/api/approvals', { role: 'viewer' });
    expect(approvals.body.items).toEqual([expect.objectContaining({ workflow: expect.objectContaining({ id }), gate: null, external: expect.objectContaining({ step_number: 1 }) })]);
  });

  it('gives a viewer the rendered prompt at /next', async () => {
    const next = await kit.json('GET', `/api/workflows/${id}/next`, { role: 'viewer' });
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ kind: 'submit_step_result', workflow_id: id, step_number: 1, expected_output: { format: 'plan', texts: 1 } });
    expect(next.body.prompts[0].text).toContain('Write the value file');
  });

  it('takes a result from an operator only, and refuses one that is not a plan as 400 RESULT_INVALID', async () => {
    const viewer = await kit.json('POST', `/api/workflows/${id}/result`, { role: 'viewer', body: { step: 1, texts: ['# Implementation Plan: x\n\nlong enough text for a plan'] } });
    expect(viewer.status).toBe(403);
    const before = (await loadState(kit.engine.store, id)).seq;
    const junk = await kit.json('POST', `/api/workflows/${id}/result`, { role: 'operator', body: { step: 1, texts: ['ok'] } });
    expect(junk.status).toBe(400);
    expect(junk.body).toMatchObject({ code: 'RESULT_INVALID', message: expect.stringContaining('not a plan') });
    expect((await loadState(kit.engine.store, id)).seq).toBe(before);
  });
});
