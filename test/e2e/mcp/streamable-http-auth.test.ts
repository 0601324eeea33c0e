/**
 * `converge serve-mcp` as a real server: a bearer token is required, a foreign Origin or Host is
 * refused, and --no-auth is accepted only on a loopback host.
 */
import { request } from 'node:http';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { connectHttp, ENTRY, mcpProject, startHttpServer } from './helpers/mcp-e2e.js';
import type { HttpServer } from './helpers/mcp-e2e.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** fetch() may not set Host, so the rebinding case goes through node:http. */
function postWithHost(url: string, host: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...HEADERS, ...headers, host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(JSON.stringify(INIT));
  });
}

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('converge serve-mcp', () => {
  describe('with a token', () => {
    it('answers 401 JSON to a request without it and to a wrong one', async () => {
      server = await startHttpServer(mcpProject(), ['--token', 'right']);
      for (const headers of [HEADERS, { ...HEADERS, authorization: 'Bearer wrong' }]) {
        const response = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify(INIT) });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ code: 'UNAUTHORIZED', hint: expect.stringContaining('Bearer') });
      }
      await expect(connectHttp(server.url, undefined)).rejects.toThrow();
    });

    it('takes the token from CONVERGE_MCP_TOKEN and serves a client that sends it', async () => {
      process.env.CONVERGE_MCP_TOKEN = 'from-env';
      try {
        server = await startHttpServer(mcpProject());
      } finally {
        delete process.env.CONVERGE_MCP_TOKEN;
      }
      const client = await connectHttp(server.url, 'from-env');
      expect((await client.listTools()).tools.length).toBeGreaterThanOrEqual(12);
      await client.close();
    });

    it('refuses a browser request from a foreign origin with 403', async () => {
      server = await startHttpServer(mcpProject(), ['--token', 'right']);
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { ...HEADERS, authorization: 'Bearer right', origin: 'https://evil.example' },
        body: JSON.stringify(INIT),
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('Host header', () => {
    it('refuses a foreign Host (DNS rebinding) and serves loopback names and --allow-host names', async () => {
      server = await startHttpServer(mcpProject(), ['--no-auth', '--allow-host', 'mcp.internal']);
      const port = new URL(server.url).port;
      expect(await postWithHost(server.url, 'evil.example', {})).toBe(403);
      expect(await postWithHost(server.url, `evil.example:${port}`, {})).toBe(403);
      expect(await postWithHost(server.url, `127.0.0.1:${port}`, {})).toBe(200);
      expect(await postWithHost(server.url, `mcp.internal:${port}`, {})).toBe(200);
    });
  });

  describe('without a token', () => {
    it('refuses to start unless --no-auth is given, and refuses --no-auth off loopback', async () => {
      const project = mcpProject();
      const run = (args: string[]) => execa(process.execPath, [ENTRY, '--store', project.store, 'serve-mcp', '--port', '0', ...args], { cwd: project.dir, reject: false, env: { CONVERGE_MCP_TOKEN: '' } });
      const missing = await run([]);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain('needs a bearer token');
      const exposed = await run(['--no-auth', '--host', '0.0.0.0']);
      expect(exposed.exitCode).toBe(2);
      expect(exposed.stderr).toContain('loopback');
    });

    it('serves without auth on 127.0.0.1 with --no-auth', async () => {
      server = await startHttpServer(mcpProject(), ['--no-auth']);
      const client = await connectHttp(server.url, undefined);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('start_workflow');
      await client.close();
    });
  });
});
