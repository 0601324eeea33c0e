/**
 * The Streamable HTTP handler in-process (no socket): Origin check, bearer token, sessions; and
 * `serveMcpHttp` on a socket, for the Host check (DNS rebinding).
 */
import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHost, checkOrigin, createAuthorizer } from '../../../src/interfaces/mcp/http-auth.js';
import { createMcpHttpHandler, serveMcpHttp } from '../../../src/interfaces/mcp/streamable-http.js';
import type { McpHttpHandler, McpHttpServer } from '../../../src/interfaces/mcp/streamable-http.js';
import { createKit } from './mcp-test-kit.js';
import type { Kit } from './mcp-test-kit.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request('http://127.0.0.1:8765/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

let kit: Kit | undefined;
let handler: McpHttpHandler | undefined;
let server: McpHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  await handler?.close();
  await kit?.close();
  server = undefined;
  handler = undefined;
  kit = undefined;
});

/** POSTs an initialize over a socket with a chosen Host header (fetch may not set one). */
function initializeWithHost(port: number, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(INIT));
  });
}

describe('authorize', () => {
  it('accepts the configured bearer token and refuses others with 401 JSON', async () => {
    const authorize = createAuthorizer({ host: '127.0.0.1', token: 'secret' });
    expect(authorize(post({}, { authorization: 'Bearer secret' }))).toEqual({});
    const missing = authorize(post({}));
    expect(missing).toBeInstanceOf(Response);
    expect((missing as Response).status).toBe(401);
    expect((missing as Response).headers.get('www-authenticate')).toContain('Bearer');
    expect(await (missing as Response).json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((authorize(post({}, { authorization: 'Bearer wrong' })) as Response).status).toBe(401);
  });

  it('allows --no-auth only on a loopback host', () => {
    expect(createAuthorizer({ host: '127.0.0.1', noAuth: true })(post({}))).toEqual({});
    expect(() => createAuthorizer({ host: '0.0.0.0', noAuth: true })).toThrow(/loopback/);
    expect(() => createAuthorizer({ host: '127.0.0.1' })).toThrow(/bearer token/);
  });
});

describe('checkOrigin', () => {
  it.each([
    [undefined, undefined],
    ['http://localhost:5173', undefined],
    ['http://127.0.0.1:3000', undefined],
    ['https://evil.example', 403],
    ['null', 403],
  ])('origin %s → %s', (origin, status) => {
    const refused = checkOrigin(post({}, origin === undefined ? {} : { origin }));
    expect(refused?.status).toBe(status);
  });

  it('lets an explicitly allowed origin through', () => {
    expect(checkOrigin(post({}, { origin: 'https://ide.example' }), ['https://ide.example'])).toBeUndefined();
  });
});

describe('createMcpHttpHandler', () => {
  it('refuses a request without the token before it reaches a session', async () => {
    kit = await createKit();
    handler = createMcpHttpHandler({ engine: kit.engine, token: 'secret' });
    const response = await handler.fetch(post(INIT));
    expect(response.status).toBe(401);
    expect(handler.sessionCount()).toBe(0);
  });

  it('answers 404 for another path and for an unknown session', async () => {
    kit = await createKit();
    handler = createMcpHttpHandler({ engine: kit.engine, noAuth: true });
    expect((await handler.fetch(new Request('http://127.0.0.1:8765/other'))).status).toBe(404);
    expect((await handler.fetch(post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'nope' }))).status).toBe(404);
    expect((await handler.fetch(post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }))).status).toBe(400);
  });

  it('opens a session per client and serves the tools through it', async () => {
    kit = await createKit();
    handler = createMcpHttpHandler({ engine: kit.engine, token: 'secret' });
    const h = handler;
    const transport = new StreamableHTTPClientTransport(new URL('http://127.0.0.1:8765/mcp'), {
      requestInit: { headers: { authorization: 'Bearer secret' } },
      fetch: (url, init) => h.fetch(new Request(url, init)),
    });
    const client = new Client({ name: 'http-client', version: '1' });
    await client.connect(transport);
    expect(handler.sessionCount()).toBe(1);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['start_workflow', 'submit_step_result', 'respond_to_approval', 'fork_workflow']));
    await transport.terminateSession();
    await client.close();
    expect(handler.sessionCount()).toBe(0);
  });
});

describe('checkHost', () => {
  it.each([
    ['127.0.0.1:8765', [], undefined],
    ['localhost:8765', [], undefined],
    ['[::1]:8765', [], undefined],
    ['127.0.0.1', [], undefined],
    ['evil.example', [], 403],
    ['evil.example:8765', [], 403],
    ['127.0.0.1.evil.example:8765', [], 403],
    ['mcp.example.com', ['mcp.example.com'], undefined],
    ['MCP.example.com:443', ['mcp.example.com'], undefined],
  ])('Host %s with allowed %j → %s', (host, allowed, status) => {
    expect(checkHost(post({}, { host }), allowed)?.status).toBe(status);
  });
});

describe('serveMcpHttp', () => {
  it('refuses a foreign Host header with 403 JSON before it reaches the token check or a session', async () => {
    kit = await createKit();
    server = await serveMcpHttp({ engine: kit.engine, noAuth: true, port: 0 });
    const refused = await initializeWithHost(server.port, 'evil.example');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('evil.example'), hint: expect.stringContaining('--allow-host') });
    const rebinding = await initializeWithHost(server.port, `evil.example:${server.port}`);
    expect(rebinding.status).toBe(403);
  });

  it('serves a loopback Host with its port', async () => {
    kit = await createKit();
    server = await serveMcpHttp({ engine: kit.engine, noAuth: true, port: 0 });
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      const answer = await initializeWithHost(server.port, host);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('"protocolVersion"');
    }
  });

  it('serves a name given in allowedHosts (serve-mcp --allow-host)', async () => {
    kit = await createKit();
    server = await serveMcpHttp({ engine: kit.engine, token: 'secret', port: 0, allowedHosts: ['mcp.example.com'] });
    expect((await initializeWithHost(server.port, 'mcp.example.com', { authorization: 'Bearer secret' })).status).toBe(200);
    expect((await initializeWithHost(server.port, 'other.example.com', { authorization: 'Bearer secret' })).status).toBe(403);
  });
});
