/**
 * Token management and the audit log over HTTP (admins only), and the dashboard's sign-in:
 * a `?token=` link opens a page that trades the token for an HttpOnly session cookie, on a
 * same-origin POST only (no login CSRF).
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

  /** A form post from the dashboard's own page, as a browser marks it. */
  function postLogin(fields: Record<string, string>, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) {
    return kit.app.request('/login', { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  }

  it('opens a one-time link as a sign-in page without using the token up', async () => {
    const login = await kit.auth.issue({ role: 'approver', name: 'alice', kind: 'login', ttlMs: 60_000 });
    for (let visit = 0; visit < 2; visit++) {
      const res = await kit.request('GET', `/workflows/wf-abc123?token=${login.secret}`, { role: 'none', headers: { 'sec-fetch-site': 'none' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('<form method="post" action="/login"');
      expect(html).toContain(`name="token" value="${login.secret}"`);
      expect(html).toContain('name="next" value="/workflows/wf-abc123"');
      expect(html).toContain('data-auto="true"');
      expect(html).toContain('src="/assets/sign-in-link.js"');
    }
  });

  it('posts the link by itself only when the person opened it directly', async () => {
    const login = await kit.auth.issue({ role: 'approver', name: 'alice', kind: 'login', ttlMs: 60_000 });
    for (const site of ['cross-site', 'same-site', undefined]) {
      const res = await kit.request('GET', `/?token=${login.secret}`, { role: 'none', headers: site === undefined ? {} : { 'sec-fetch-site': site } });
      const html = await res.text();
      expect(html).toContain('data-auto="false"');
      expect(html).toContain('opened from another page');
    }
  });

  it('trades the token for an HttpOnly session cookie on a same-origin POST, once', async () => {
    const login = await kit.auth.issue({ role: 'approver', name: 'alice', kind: 'login', ttlMs: 60_000 });
    const res = await postLogin({ token: login.secret, next: '/workflows/wf-abc123' });
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
    expect((await postLogin({ token: login.secret })).status).toBe(401);
    expect((await kit.audit.read()).map((r) => r.action)).toContain('auth.login');
  });

  it.each([
    ['a cross-site form', { 'sec-fetch-site': 'cross-site' }],
    ['a same-site form on another port', { 'sec-fetch-site': 'same-site' }],
    ['a foreign Origin without Sec-Fetch-Site', { origin: 'https://evil.example' }],
    ['an opaque Origin', { origin: 'null' }],
  ])('refuses %s with 403 and leaves the token unused', async (_what, headers) => {
    const login = await kit.auth.issue({ role: 'admin', name: 'mallory', kind: 'login', ttlMs: 60_000 });
    const refused = await postLogin({ token: login.secret }, headers);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.text()).toContain('came from another site');
    expect((await kit.audit.read()).at(-1)).toMatchObject({ action: 'auth.denied', details: expect.objectContaining({ reason: 'cross_site_login' }) });
    expect((await postLogin({ token: login.secret }, { origin: 'http://localhost' })).status).toBe(303);
  });

  it('redirects only to dashboard pages after sign-in', async () => {
    const api = await kit.auth.issue({ role: 'viewer', name: 'v' });
    for (const next of ['//evil.example/', 'https://evil.example/', '/api/tokens', '/\\evil.example']) {
      expect((await postLogin({ token: api.secret, next })).headers.get('location')).toBe('/');
    }
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const api = await kit.auth.issue({ role: 'viewer', name: 'v' });
    const res = await postLogin({ token: api.secret }, { 'sec-fetch-site': 'same-origin', 'x-forwarded-proto': 'https' });
    expect(res.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('refuses a sign-out posted from another site', async () => {
    const api = await kit.auth.issue({ role: 'viewer', name: 'v' });
    const cookie = sessionCookie(await postLogin({ token: api.secret }));
    const out = await kit.app.request('/logout', { method: 'POST', headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(out.status).toBe(403);
    expect(out.headers.get('set-cookie')).toBeNull();
    expect((await kit.request('GET', '/api/me', { role: 'none', headers: { cookie } })).status).toBe(200);
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
