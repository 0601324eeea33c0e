/**
 * The edges of the app: health (details only for callers with a token), /metrics access, the
 * OpenAPI document against the real routes, body limits (after authentication), unknown paths,
 * unexpected errors, security headers, running without auth, and the /mcp mount.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/interfaces/http/create-app.js';
import { documentedRoutes, openApiDocument } from '../../../src/interfaces/http/openapi.js';
import type { Principal } from '../../../src/ops/auth/index.js';
import { createAuth } from '../../../src/ops/auth/index.js';
import { MemoryTokenStore } from '../../../src/ops/memory/memory-ops-store.js';
import { openStore } from '../../../src/store/index.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('health', () => {
  it('answers live without a token, and ready while the store answers', async () => {
    const kit = await createHttpKit();
    expect((await kit.json('GET', '/health/live', { role: 'none' })).body).toEqual({ status: 'ok' });
    expect((await kit.json('GET', '/health/ready', { role: 'none' })).status).toBe(200);
    await kit.close();
    const down = await kit.json('GET', '/health/ready', { role: 'none' });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', code: 'STORE_UNAVAILABLE' });
  });

  describe('/health/ready over a store file', () => {
    let kit: HttpKit;
    let app: ReturnType<typeof createApp>;
    let path: string;
    beforeAll(async () => {
      kit = await createHttpKit();
      path = join(kit.dir, '.converge', 'converge.db');
      const store = await openStore(path);
      app = createApp({ engine: { ...kit.engine, store }, auth: kit.auth, audit: kit.audit, metrics: kit.metrics });
    });
    afterAll(() => kit.close());
    const ready = (headers: Record<string, string> = {}) => app.request('/health/ready', { headers });

    it('tells an anonymous caller only that it is ready, with no path', async () => {
      const res = await ready();
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ status: 'ok' });
      expect(text).not.toContain(kit.dir);
      expect(text).not.toContain('converge.db');
    });

    it('hides the details from a wrong token too', async () => {
      expect(await (await ready({ authorization: 'Bearer cv_not_a_real_token_at_all' })).json()).toEqual({ status: 'ok' });
    });

    it.each(['viewer', 'admin'] as const)('names the store for a %s', async (role) => {
      expect(await (await ready({ authorization: `Bearer ${kit.tokens[role]}` })).json()).toEqual({ status: 'ok', store: path });
    });
  });
});

describe('/metrics', () => {
  it('needs a viewer token by default', async () => {
    const kit = await createHttpKit();
    expect((await kit.request('GET', '/metrics', { role: 'none' })).status).toBe(401);
    const res = await kit.request('GET', '/metrics', { role: 'viewer' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE converge_workflows_total counter');
    await kit.close();
  });

  it('is open with metricsPublic', async () => {
    const kit = await createHttpKit({ app: { metricsPublic: true } });
    expect((await kit.request('GET', '/metrics', { role: 'none' })).status).toBe(200);
    await kit.close();
  });
});

describe('/openapi.json', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  it('documents exactly the routes the app serves', () => {
    const served = new Set(
      kit.app.routes
        .filter((r) => r.method !== 'ALL' && /^\/(api|health|metrics|openapi\.json)/.test(r.path))
        .map((r) => `${r.method} ${r.path}`),
    );
    const documented = new Set(documentedRoutes().map((r) => `${r.method} ${r.path}`));
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });

  it('is an OpenAPI 3.1 document with request schemas from the validators', async () => {
    const { status, body } = await kit.json('GET', '/openapi.json', { role: 'none' });
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const start = body.paths['/api/workflows'].post;
    expect(start['x-required-role']).toBe('operator');
    expect(start.requestBody.content['application/json'].schema).toMatchObject({ required: ['requirements'], properties: { auto_approve: { type: 'boolean' } } });
    expect(body.paths['/api/workflows'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['status', 'limit', 'offset']);
    expect(body.paths['/api/workflows/{id}/approval'].post.responses['403']).toEqual({ $ref: '#/components/responses/E403' });
    expect(openApiDocument()).toEqual(body);
  });
});

describe('request limits and errors', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  // The limit follows converge.yaml's limits (issue 18): twice the larger of requirements_kb and
  // submission_kb, plus 64 KiB, so a whole step result fits; 4160 KiB by default.
  it('answers 413 to a body over 4160 KiB', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'x'.repeat(4160 * 1024 + 10) } });
    expect(status).toBe(413);
    expect(body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('4160 KiB') });
  });

  it('refuses a caller without a token with 401 before reading its body', async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 4 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await kit.app.request('/api/tokens', { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } } as RequestInit);
    expect(res.status).toBe(401);
    expect(pulled).toBeLessThan(1024 * 1024);
  });

  it('caps a body sent without Content-Length (chunked) at the limit too', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        if (sent > 8 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await kit.app.request('/api/tokens', { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json', authorization: `Bearer ${kit.tokens.admin}` } } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', hint: expect.any(String) });
  });

  it('answers an unknown path with a JSON 404', async () => {
    const { status, body } = await kit.json('GET', '/api/nothing-here', { role: 'viewer' });
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 'NOT_FOUND', hint: expect.stringContaining('/openapi.json') });
  });

  it('hides an unexpected error behind a 500 with a request id', async () => {
    const original = kit.engine.store.listWorkflows.bind(kit.engine.store);
    kit.engine.store.listWorkflows = async () => {
      throw new Error('database exploded: password=hunter2');
    };
    const { status, body } = await kit.json('GET', '/api/workflows', { role: 'viewer' });
    kit.engine.store.listWorkflows = original;
    expect(status).toBe(500);
    expect(body).toMatchObject({ code: 'INTERNAL', request_id: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('sends security headers: a strict CSP, no framing', async () => {
    const res = await kit.request('GET', '/', { role: 'none' });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('authentication off (serve --no-auth on loopback)', () => {
  it('treats callers as the local admin but only for loopback Host headers', async () => {
    const kit = await createHttpKit({ app: { auth: createAuth({ tokens: new MemoryTokenStore(), enabled: false }) } });
    const local = await kit.app.request('http://127.0.0.1:8080/api/me');
    expect(await local.json()).toMatchObject({ name: 'local', role: 'admin', auth: false });
    const rebinding = await kit.app.request('http://evil.example:8080/api/me', { headers: { host: 'evil.example:8080' } });
    expect(rebinding.status).toBe(403);
    expect((await kit.app.request('http://localhost:8080/')).status).toBe(200);
    await kit.close();
  });

  it('refuses writes a browser marks as coming from another site, and accepts scripts', async () => {
    const kit = await createHttpKit({ app: { auth: createAuth({ tokens: new MemoryTokenStore(), enabled: false }) } });
    const post = (headers: Record<string, string>) =>
      kit.app.request('http://127.0.0.1:8080/api/workflows', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"requirements":""}' });
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({})).status).toBe(400);
    expect((await post({ origin: 'http://127.0.0.1:8080', 'x-converge-request': '1' })).status).toBe(400);
    await kit.close();
  });
});

describe('/mcp mount', () => {
  it('passes authenticated requests of every role to the MCP handler with the caller; each tool checks the role (#13)', async () => {
    const seen: Principal[] = [];
    const kit = await createHttpKit({
      app: {
        mcp: {
          fetch: async (_request, principal) => {
            seen.push(principal);
            return new Response('{"jsonrpc":"2.0"}', { headers: { 'content-type': 'application/json' } });
          },
        },
      },
    });
    expect((await kit.request('POST', '/mcp', { role: 'none', body: {} })).status).toBe(401);
    expect((await kit.request('POST', '/mcp', { role: 'operator', body: {} })).status).toBe(200);
    expect((await kit.request('POST', '/mcp', { role: 'approver', body: {} })).status).toBe(200);
    expect(seen).toEqual([expect.objectContaining({ name: 'operator-user', role: 'operator' }), expect.objectContaining({ name: 'approver-user', role: 'approver' })]);
    await kit.close();
  });
});
