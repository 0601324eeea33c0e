/**
 * Workflows over HTTP: start, list with filters and pages, one workflow's view (timeline, scores
 * per round against thresholds), its events and its seed-state export.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('POST /api/workflows', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  it('starts a workflow in a workspace under the root and answers 201 with its summary', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'Add a CSV export', name: 'csv', workspace: 'project' } });
    expect(status).toBe(201);
    expect(body.workflow).toMatchObject({ name: 'csv', status: 'running', definition_id: 'seven-step', round: 0 });
    // workflow_id as in every interface; id kept beside it for clients written before it (#15).
    expect(body.workflow.workflow_id).toBe(body.workflow.id);
    const stored = await kit.engine.store.getWorkflow(body.workflow.workflow_id);
    expect(stored?.requirements).toBe('Add a CSV export');
    expect((await kit.audit.read()).at(-1)).toMatchObject({ action: 'workflow.start', target: body.workflow.id, actor: 'operator-user', details: { outcome: 'ok', via: 'http' } });
  });

  it('names the field of an invalid body in a 400', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { body: { requirements: '   ' } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'USAGE', details: { field: 'requirements' } });
    expect(body.message).toContain('requirements: must not be empty');
  });

  it('names an unknown field in a 400', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { body: { requirements: 'x', auto_aprove: true } });
    expect(status).toBe(400);
    expect(body.message).toContain('auto_aprove');
  });

  it('names a field of the wrong type in a 400', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { body: { requirements: 'x', auto_approve: 'yes' } });
    expect(status).toBe(400);
    expect(body.details.field).toBe('auto_approve');
  });

  it('answers 400 to a body that is not JSON, and 415 to one that is not declared JSON', async () => {
    expect((await kit.request('POST', '/api/workflows', { raw: '{"requirements": ', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await kit.request('POST', '/api/workflows', { raw: 'requirements=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
  });

  it('refuses a workspace outside the workspace root', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { body: { requirements: 'x', workspace: '../../etc' } });
    expect(status).toBe(400);
    expect(body.code).toBe('PATH_ESCAPE');
    const absolute = await kit.json('POST', '/api/workflows', { body: { requirements: 'x', workspace: '/tmp' } });
    expect(absolute.body.code).toBe('PATH_ESCAPE');
  });

  it('refuses a workspace that does not exist', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { body: { requirements: 'x', workspace: 'nowhere' } });
    expect(status).toBe(400);
    expect(body.code).toBe('WORKSPACE_INVALID');
  });

  it('answers 409 to a workflow id that exists', async () => {
    mkdirSync(join(kit.dir, 'ws2'), { recursive: true });
    expect((await kit.json('POST', '/api/workflows', { body: { requirements: 'x', workflow_id: 'wf-mine-001', workspace: 'ws2' } })).status).toBe(201);
    const again = await kit.json('POST', '/api/workflows', { body: { requirements: 'x', workflow_id: 'wf-mine-001', workspace: 'ws2' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ILLEGAL_ACTION');
  });
});

describe('GET /api/workflows', () => {
  let kit: HttpKit;
  let waiting: string;
  beforeAll(async () => {
    kit = await createHttpKit();
    waiting = await kit.workflowAtPlanGate();
    for (let i = 0; i < 4; i++) await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: `task ${i}`, workspace: 'project' } });
  });
  afterAll(() => kit.close());

  it('pages with limit and offset and says where the next page starts', async () => {
    const first = await kit.json('GET', '/api/workflows?limit=2', { role: 'viewer' });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_offset).toBe(2);
    const last = await kit.json('GET', '/api/workflows?limit=2&offset=4', { role: 'viewer' });
    expect(last.body).toMatchObject({ next_offset: null, total: 5 });
    expect(last.body.items).toHaveLength(1);
  });

  it('filters by status, with round and phase name for each item', async () => {
    const { body } = await kit.json('GET', '/api/workflows?status=waiting_for_human', { role: 'viewer' });
    expect(body.items).toEqual([expect.objectContaining({ id: waiting, waiting_for: 'gate:plan_approval', round: 2, loop: 'plan_loop', phase_name: 'Plan development & validation' })]);
    const several = await kit.json('GET', '/api/workflows?status=running,waiting_for_human', { role: 'viewer' });
    expect(several.body.items).toHaveLength(5);
  });

  it('names the query parameter that is wrong', async () => {
    const bad = await kit.json('GET', '/api/workflows?status=sleeping', { role: 'viewer' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toMatchObject({ field: 'status', in: 'query' });
    const limit = await kit.json('GET', '/api/workflows?limit=5000', { role: 'viewer' });
    expect(limit.status).toBe(400);
    expect(limit.body.details.field).toBe('limit');
  });
});

describe('GET /api/workflows/:id and its parts', () => {
  let kit: HttpKit;
  let id: string;
  beforeAll(async () => {
    kit = await createHttpKit();
    id = await kit.workflowAtPlanGate();
  });
  afterAll(() => kit.close());

  it('shows the state with the pending gate, the timeline and the scores per round against thresholds', async () => {
    const { status, body } = await kit.json('GET', `/api/workflows/${id}`, { role: 'viewer' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ workflow_id: id, id, status: 'waiting_for_human', phase: 'phase_1', round: 2, gate: { gate_id: 'plan_approval', gate_name: 'Plan approval' } });
    expect(body.timeline.filter((t: { kind: string }) => t.kind === 'step').map((t: { step_number: number }) => t.step_number)).toEqual([1, 2, 3, 2]);
    expect(body.rounds).toHaveLength(2);
    expect(body.rounds[0]).toMatchObject({ artifact: 'plan', round: 1, converged: false });
    expect(body.rounds[1]).toMatchObject({ round: 2, converged: true });
    expect(body.rounds[1].scores).toContainEqual({ dimension: 'alignment', score: 9.5, min: 9, met: true });
    expect(body.thresholds.plan.dimensions.alignment.min).toBe(9);
    expect(body.artifacts).toEqual([expect.objectContaining({ artifact: 'plan', versions: [expect.objectContaining({ version: 1 }), expect.objectContaining({ version: 2 })] })]);
  });

  it('pages through the event log after a sequence number', async () => {
    const all = await kit.json('GET', `/api/workflows/${id}/events`, { role: 'viewer' });
    expect(all.body.items[0]).toMatchObject({ seq: 1, type: 'workflow_started' });
    const page = await kit.json('GET', `/api/workflows/${id}/events?after=3&limit=2`, { role: 'viewer' });
    expect(page.body.items.map((e: { seq: number }) => e.seq)).toEqual([4, 5]);
    expect(page.body.next_after).toBe(5);
  });

  it("exports the state in the seed's schema", async () => {
    const { status, body } = await kit.json('GET', `/api/workflows/${id}/seed-state`, { role: 'viewer' });
    expect(status).toBe(200);
    expect(body).toHaveProperty('workflow_id', id);
  });

  it.each(['', '/events', '/seed-state', '/next', '/artifacts', '/diffs', '/artifacts/plan/diff?from=1&to=2', '/artifacts/plan/versions/1'])(
    'names the workflow workflow_id in the body of %s (#15)',
    async (suffix) => {
      const { status, body } = await kit.json('GET', `/api/workflows/${id}${suffix}`, { role: 'viewer' });
      expect(status).toBe(200);
      expect(body.workflow_id).toBe(id);
    },
  );

  it.each(['', '/events', '/seed-state', '/artifacts', '/diffs'])('answers 404 for an unknown workflow (%s)', async (suffix) => {
    const { status, body } = await kit.json('GET', `/api/workflows/wf-doesnotexist${suffix}`, { role: 'viewer' });
    expect(status).toBe(404);
    expect(body.code).toMatch(/NOT_FOUND/);
  });

  it('answers 404 for an id that could never exist, without looking it up', async () => {
    const { status } = await kit.json('GET', `/api/workflows/${encodeURIComponent('../../etc/passwd')}`, { role: 'viewer' });
    expect(status).toBe(404);
  });
});
