/**
 * A gate's approval policy over HTTP (issue 17, part 5): `required: 2, distinct_people: true` at
 * the plan gate stays closed after one approval and after the same token approves again, shows
 * "1 of 2 approvals" and who gave it, and opens at a second token. The final gate accepts only
 * group `leads` and never the starter, which a workflow started without a recorded starter cannot
 * check — the refusal says so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('approval policy over HTTP', () => {
  let kit: HttpKit;
  let id: string;
  beforeEach(async () => {
    kit = await createHttpKit({ config: 'converge-policy.yaml' });
    id = await kit.workflowAtPlanGate();
  });
  afterEach(() => kit.close());

  const approve = (role: 'approver' | 'admin' | 'viewer', token?: string) =>
    kit.json('POST', `/api/workflows/${id}/approval`, { role, ...(token !== undefined ? { token } : {}), body: { decision: 'approve' } });

  it('stays closed after one approval and shows 1 of 2, by whom', async () => {
    const first = await approve('approver');
    expect(first.status).toBe(200);
    expect(first.body.workflow).toMatchObject({ status: 'waiting_for_human', waiting_for: 'gate:plan_approval' });
    const { body } = await kit.json('GET', `/api/workflows/${id}`, { role: 'viewer' });
    expect(body.gate.approvals).toMatchObject({ required: 2, given: 1, text: '1 of 2 approvals', by: [{ actor: { id: 'approver-user', via: 'http' } }] });
    expect((await kit.audit.read()).at(-1)).toMatchObject({ action: 'approval.approve', details: { outcome: 'ok', gate_open: true, approvals: { given: 1, required: 2 } } });
  });

  it('stays closed when the same token approves twice, and says why', async () => {
    await approve('approver');
    const again = await approve('approver');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ILLEGAL_ACTION', message: expect.stringContaining('approver-user already approved') });
    expect((await kit.audit.read()).at(-1)).toMatchObject({ action: 'approval.approve', details: { outcome: 'error', error: 'ILLEGAL_ACTION' } });
    expect((await loadState(kit.engine.store, id)).gate?.approvals).toHaveLength(1);
  });

  it('opens after a second approver and records both', async () => {
    await approve('approver');
    const second = await approve('admin');
    expect(second.status).toBe(200);
    expect(second.body.workflow).toMatchObject({ status: 'running', waiting_for: null });
    const state = await loadState(kit.engine.store, id);
    expect(state.approvals.at(-1)).toMatchObject({ actor: { id: 'admin-user' }, earlier: [{ actor: { id: 'approver-user' } }] });
    const timeline = (await kit.json('GET', `/api/workflows/${id}`, { role: 'viewer' })).body.timeline;
    expect(timeline.find((t: { kind: string }) => t.kind === 'gate')).toMatchObject({ decision: 'approve', approved_before: [{ actor: { id: 'approver-user' } }] });
  });

  it('rejects on one reject after an approval', async () => {
    await approve('approver');
    const { status } = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'admin', body: { decision: 'reject' } });
    expect(status).toBe(200);
    expect((await kit.engine.store.getWorkflow(id))?.status).toBe('rejected');
  });

  describe('the final gate: group leads, not the starter', () => {
    beforeEach(async () => {
      await approve('approver');
      await approve('admin');
      const outcome = await kit.engine.runner.run(id);
      expect(outcome.waitingFor).toBe('gate:final_approval');
    });

    it('refuses someone outside the group, naming the group', async () => {
      const { status, body } = await approve('admin');
      expect(status).toBe(403);
      expect(body).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('admin-user (admin) may not answer') });
      expect(body.message).toContain('group leads');
    });

    it('says the starter cannot be checked when the log does not record one', async () => {
      const lead = await kit.auth.issue({ role: 'approver', name: 'lead-user' });
      const { status, body } = await approve('approver', lead.secret);
      expect(status).toBe(403);
      expect(body).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('does not say who that was') });
    });
  });
});
