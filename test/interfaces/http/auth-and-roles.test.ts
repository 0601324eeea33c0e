/**
 * Who may call what: every API route for every role (viewer < operator < approver < admin),
 * no token, a bad token, a revoked token, and the dashboard cookie's CSRF header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, roleAtLeast } from '../../../src/ops/auth/index.js';
import type { Role } from '../../../src/ops/auth/index.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

const WF = '/api/workflows/wf-unknown000';

/** Every route, the least role it needs, and a body valid enough to get past validation. */
const ROUTES: Array<[method: string, path: string, role: Role, body?: unknown]> = [
  ['GET', '/api/workflows', 'viewer'],
  ['POST', '/api/workflows', 'operator', { requirements: '' }],
  ['GET', WF, 'viewer'],
  ['GET', `${WF}/events`, 'viewer'],
  ['GET', `${WF}/seed-state`, 'viewer'],
  ['GET', `${WF}/stream`, 'viewer'],
  ['POST', `${WF}/resume`, 'operator'],
  ['POST', `${WF}/pause`, 'operator'],
  ['POST', `${WF}/cancel`, 'operator', {}],
  ['POST', `${WF}/fork`, 'operator', { from_step: 1 }],
  ['POST', `${WF}/result`, 'operator', { texts: ['# Implementation Plan: x'] }],
  ['POST', `${WF}/approval`, 'approver', { decision: 'approve' }],
  ['POST', `${WF}/escalation`, 'approver', { answer: 'accept' }],
  ['POST', `${WF}/checks/run`, 'operator', {}],
  ['GET', `${WF}/artifacts`, 'viewer'],
  ['GET', `${WF}/diffs`, 'viewer'],
  ['GET', `${WF}/artifacts/plan/diff?from=0&to=1`, 'viewer'],
  ['GET', `${WF}/artifacts/plan/versions/1`, 'viewer'],
  ['GET', `${WF}/artifacts/plan/versions/1/file?path=a.ts`, 'viewer'],
  ['GET', '/api/approvals', 'viewer'],
  ['GET', '/api/knowledge/search?q=deploy', 'viewer'],
  ['GET', '/api/tokens', 'admin'],
  ['POST', '/api/tokens', 'admin', { role: 'viewer', name: 'matrix' }],
  ['DELETE', '/api/tokens/tok_unknown', 'admin'],
  ['GET', '/api/audit', 'admin'],
  ['GET', '/api/audit/verify', 'admin'],
  ['GET', '/api/stream', 'viewer'],
  ['GET', '/api/me', 'viewer'],
  ['GET', '/metrics', 'viewer'],
];

describe('HTTP API › authorization', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  describe.each(ROUTES)('%s %s (needs %s)', (method, path, needed, body) => {
    it.each(ROLES)('answers a %s token accordingly', async (role) => {
      const res = await kit.request(method, path, { role, ...(body !== undefined ? { body } : {}) });
      await res.body?.cancel();
      if (roleAtLeast(role, needed)) {
        expect([401, 403]).not.toContain(res.status);
        expect(res.status).toBeLessThan(500);
      }
      else expect(res.status).toBe(403);
    });

    it('answers 401 without a token', async () => {
      const res = await kit.request(method, path, { role: 'none', ...(body !== undefined ? { body } : {}) });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED', message: 'This needs a token.' });
    });
  });
});

describe('HTTP API › authentication', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  it('names the role needed and the caller role in a 403, and audits the refusal', async () => {
    const id = await kit.workflowAtPlanGate();
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'viewer', body: { decision: 'approve' } });
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'FORBIDDEN', message: 'This needs the approver role; viewer-user has viewer.' });
    const rows = await kit.audit.read();
    expect(rows.at(-1)).toMatchObject({ actor: 'viewer-user', action: 'auth.denied', target: id, details: { needed: 'approver', role: 'viewer' } });
    expect((await kit.engine.store.getWorkflow(id))?.waitingFor).toBe('gate:plan_approval');
  });

  it('answers 401 to an unknown token and audits the failed attempt', async () => {
    const res = await kit.request('GET', '/api/workflows', { token: `cv_${'A'.repeat(43)}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED', message: 'The token is not valid: unknown, expired or revoked.' });
    expect((await kit.audit.read()).at(-1)).toMatchObject({ actor: 'anonymous', action: 'auth.failed', details: { reason: 'invalid_token' } });
  });

  it('answers 401 to a revoked token', async () => {
    const issued = await kit.auth.issue({ role: 'admin', name: 'soon-gone' });
    expect((await kit.request('GET', '/api/me', { token: issued.secret })).status).toBe(200);
    await kit.auth.revoke(issued.record.id);
    const res = await kit.request('GET', '/api/me', { token: issued.secret });
    expect(res.status).toBe(401);
  });

  it('answers 401 to a malformed Authorization header', async () => {
    const res = await kit.request('GET', '/api/me', { role: 'none', headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    expect(res.status).toBe(401);
  });

  it('refuses a cookie-authenticated write without the X-Converge-Request header', async () => {
    const started = await kit.auth.startSession(kit.tokens.operator);
    const cookie = `converge_session=${started!.session.secret}`;
    const read = await kit.request('GET', '/api/me', { role: 'none', headers: { cookie } });
    expect(await read.json()).toMatchObject({ role: 'operator', kind: 'session' });
    const forged = await kit.request('POST', '/api/workflows', { role: 'none', headers: { cookie }, body: { requirements: 'x' } });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('X-Converge-Request') });
    const real = await kit.request('POST', '/api/workflows', { role: 'none', headers: { cookie, 'x-converge-request': '1' }, body: { requirements: '' } });
    expect(real.status).toBe(400);
  });
});
