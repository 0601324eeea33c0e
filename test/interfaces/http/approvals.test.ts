/**
 * Approvals and escalations over HTTP: what waits across workflows, and the answers — recorded
 * with the token's name as actor and written to the audit trail.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('approvals', () => {
  let kit: HttpKit;
  let id: string;
  beforeEach(async () => {
    kit = await createHttpKit();
    id = await kit.workflowAtPlanGate();
  });
  afterEach(() => kit.close());

  it('lists what waits for a person, with the latest round', async () => {
    const { body } = await kit.json('GET', '/api/approvals', { role: 'viewer' });
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ workflow: { id }, gate: { gate_id: 'plan_approval' }, escalation: null, latest_round: { round: 2, converged: true } });
  });

  it('records an approval with its comment, by the token name, and audits it', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'approve', comment: 'looks right' } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ recorded: 'approve', workflow: { status: 'running', waiting_for: null } });
    const state = await loadState(kit.engine.store, id);
    expect(state.approvals.at(-1)).toMatchObject({ decision: 'approve', comment: 'looks right', actor: { id: 'approver-user', via: 'http' } });
    expect((await kit.audit.read()).at(-1)).toMatchObject({
      actor: 'approver-user',
      action: 'approval.approve',
      target: id,
      details: { gate: 'plan_approval', comment: 'looks right', outcome: 'ok', via: 'http', token_id: kit.tokenIds.approver },
    });
    await expect(kit.audit.verify()).resolves.toMatchObject({ ok: true });
  });

  it('sends the workflow back with change requests', async () => {
    const { status } = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'admin', body: { decision: 'request_changes', change_requests: ['Name the check script'] } });
    expect(status).toBe(200);
    const state = await loadState(kit.engine.store, id);
    expect(state.approvals.at(-1)).toMatchObject({ decision: 'request_changes', changeRequests: ['Name the check script'] });
  });

  it('names change_requests when request_changes comes without any', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'request_changes' } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'USAGE', message: expect.stringContaining('change_requests') });
  });

  it('names the decision field when it is not one of the answers', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'maybe' } });
    expect(status).toBe(400);
    expect(body.details.field).toBe('decision');
  });

  it('ends the workflow as rejected', async () => {
    await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'reject' } });
    expect((await kit.engine.store.getWorkflow(id))?.status).toBe('rejected');
  });

  it('answers 409 when the workflow waits for no approval', async () => {
    await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'approve' } });
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'approve' } });
    expect(status).toBe(409);
    expect(body).toMatchObject({ code: 'NOT_WAITING', hint: expect.any(String) });
    expect((await kit.audit.read()).at(-1)).toMatchObject({ action: 'approval.approve', details: { outcome: 'error', error: 'NOT_WAITING', via: 'http' } });
  });

  it('answers 409 to an escalation answer when nothing is escalated', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/escalation`, { role: 'approver', body: { answer: 'accept' } });
    expect(status).toBe(409);
    expect(body.code).toBe('NOT_WAITING');
  });

  it('names rounds when grant_rounds comes without them', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/escalation`, { role: 'approver', body: { answer: 'grant_rounds' } });
    expect(status).toBe(400);
    expect(body.message).toContain('rounds');
  });

  it('answers 404 for an unknown workflow', async () => {
    const { status } = await kit.json('POST', '/api/workflows/wf-nobody-here/approval', { role: 'approver', body: { decision: 'approve' } });
    expect(status).toBe(404);
  });
});

describe('escalations', () => {
  it('grants more rounds to a workflow that escalated at its cap', async () => {
    const kit = await createHttpKit();
    const id = await kit.workflowAtPlanGate();
    // A definition with a one-round plan loop escalates at once; here the escalation is recorded directly.
    const state = await loadState(kit.engine.store, id);
    await kit.engine.store.append(id, state.seq, [
      { type: 'approval_decided', at: new Date().toISOString(), interactionId: state.gate!.interactionId, decision: 'request_changes', changeRequests: ['more'], actor: { id: 't', via: 'engine' } },
      { type: 'escalation_raised', at: new Date().toISOString(), escalationId: `${id}.e99`, reason: 'cap_reached', stepId: 'validate_plan', loopId: 'plan_loop', message: 'The plan loop reached its cap of 5 rounds.' },
    ], { ...(await kit.engine.store.getWorkflow(id))!, status: 'waiting_for_human', waitingFor: 'escalation:cap_reached', lastSeq: state.seq + 2 });
    const pending = await kit.json('GET', '/api/approvals', { role: 'viewer' });
    expect(pending.body.items[0].escalation).toMatchObject({ reason: 'cap_reached', answers: expect.arrayContaining(['grant_rounds', 'accept']) });
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/escalation`, { role: 'approver', body: { answer: 'grant_rounds', rounds: 2, comment: 'one more try' } });
    expect(status).toBe(200);
    expect(body.recorded).toBe('grant_rounds');
    const after = await loadState(kit.engine.store, id);
    expect(after.escalations.at(-1)).toMatchObject({ answer: { kind: 'grant_rounds', rounds: 2 }, actor: { id: 'approver-user', via: 'http' } });
    expect((await kit.audit.read()).at(-1)).toMatchObject({ action: 'escalation.grant_rounds', details: { comment: 'one more try' } });
    await kit.close();
  });
});
