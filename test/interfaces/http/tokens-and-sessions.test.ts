/**
 * Token management and the audit log over HTTP (admins only), and the dashboard's sign-in:
 * a `?token=` link becomes an HttpOnly session cookie and leaves the address bar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

function sessionCookie(res: Response): string {
  const header = res.headers.get('set-cookie') ?? '';
  const match = /converge_session=([^;]+)/.exec(header);
  if (!match) throw new Error(`no session cookie in ${header}`);
  return `converge_session=${match[1]}`;
}

describe('token routes', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  it('creates a token whose secret is in the response only, then lists it without secrets', async () => {
    const created = await kit.json('POST', '/api/tokens', { body: { role: 'operator', name: 'ci-bot', expires_in_s: 3600 } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^cv_/);
    expect(created.body.token).toMatchObject({ name: 'ci-bot', role: 'operator', kind: 'api', created_by: 'admin-user' });
    const list = await kit.request('GET', '/api/tokens');
    const text = await list.text();
    expect(text).toContain(created.body.token.id);
    expect(text).not.toContain(created.body.secret);
    expect(text).not.toContain('"hash"');
    expect((await kit.request('GET', '/api/me', { token: created.body.secret })).status).toBe(200);
  });

  it('revokes a token, which then answers 401', async () => {
    const created = await kit.json('POST', '/api/tokens', { body: { role: 'viewer', name: 'temp' } });
    const revoked = await kit.json('DELETE', `/api/tokens/${created.body.token.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ revoked: true, token: { revoked_at: expect.any(String) } });
    expect((await kit.request('GET', '/api/me', { token: created.body.secret })).status).toBe(401);
    const rows = await kit.audit.read();
    expect(rows.at(-2)).toMatchObject({ action: 'token.revoke', target: created.body.token.id, actor: 'admin-user' });
    expect(rows.at(-1)).toMatchObject({ action: 'auth.failed', actor: 'anonymous' });
  });

  it('names the role field when it is not a role', async () => {
    const { status, body } = await kit.json('POST', '/api/tokens', { body: { role: 'root', name: 'x' } });
    expect(status).toBe(400);
    expect(body.details.field).toBe('role');
  });

  it('answers 404 to revoking an unknown token', async () => {
    expect((await kit.json('DELETE', '/api/tokens/tok_missing')).status).toBe(404);
  });

  it('pages the audit log and verifies its chain', async () => {
    const rows = await kit.json('GET', '/api/audit?limit=1');
    expect(rows.body.items).toHaveLength(1);
    expect(rows.body.items[0]).toMatchObject({ seq: 1, prev_hash: '0'.repeat(64) });
    expect(rows.body.next_after).toBe(1);
    const verify = await kit.json('GET', '/api/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, broken: null });
    kit.auditLog.tamper(1, { actor: 'mallory' });
    expect((await kit.json('GET', '/api/audit/verify')).body).toMatchObject({ ok: false, broken: { seq: 1, problem: 'hash_mismatch' } });
  });
});

describe('dashboard sign-in', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  it('shows the sign-in page to a visitor without a session', async () => {
    const res = await kit.request('GET', '/', { role: 'none' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('<form method="post" action="/login"');
  });

  it('trades a one-time link for an HttpOnly session cookie and redirects without the token', async () => {
    const login = await kit.auth.issue({ role: 'approver', name: 'alice', kind: 'login', ttlMs: 60_000 });
    const res = await kit.request('GET', `/workflows/wf-abc123?token=${login.secret}`, { role: 'none' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/workflows/wf-abc123');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toContain(login.secret);
    const cookie = sessionCookie(res);
    const page = await kit.request('GET', '/', { role: 'none', headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/assets/app.js');
    const me = await kit.json('GET', '/api/me', { role: 'none', headers: { cookie } });
    expect(me.body).toMatchObject({ name: 'alice', role: 'approver', kind: 'session' });
    expect((await kit.request('GET', `/?token=${login.secret}`, { role: 'none' })).status).toBe(401);
    expect((await kit.audit.read()).map((r) => r.action)).toContain('auth.login');
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const api = await kit.auth.issue({ role: 'viewer', name: 'v' });
    const res = await kit.request('GET', `/?token=${api.secret}`, { role: 'none', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('signs in with a pasted token and signs out, ending the session', async () => {
    const api = await kit.auth.issue({ role: 'viewer', name: 'paste' });
    const res = await kit.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: api.secret }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res);
    const out = await kit.app.request('/logout', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(303);
    expect((await kit.request('GET', '/api/me', { role: 'none', headers: { cookie } })).status).toBe(401);
    expect((await kit.request('GET', '/api/me', { token: api.secret })).status).toBe(200);
  });

  it('refuses an invalid pasted token with the sign-in page', async () => {
    const res = await kit.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: 'cv_nope_nope_nope_nope_nope' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('not valid');
  });

  it('serves the assets and nothing outside them', async () => {
    const css = await kit.request('GET', '/assets/app.css', { role: 'none' });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await kit.request('GET', '/assets/..%2F..%2Fcreate-app.ts', { role: 'none' })).status).toBe(404);
    expect((await kit.request('GET', '/assets/index.html', { role: 'none' })).status).toBe(404);
  });
});
