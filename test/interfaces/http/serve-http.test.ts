/**
 * The app on a real socket, spoken to with raw node:http the way curl does: requests without a
 * body or Content-Length, chunked bodies, SSE streams whose client goes away, and the server's
 * header and request timeouts.
 */
import { request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../src/interfaces/http/serve-http.js';
import type { HttpServerOptions, RunningHttpServer } from '../../../src/interfaces/http/serve-http.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One request; `chunks` are written one by one, so node sends them chunked, without Content-Length. */
function send(url: string, method: string, headers: Record<string, string>, chunks: string[] = []): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** Opens an SSE stream and resolves once its first bytes have arrived. */
function openStream(url: string, token: string): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return resolve({ req, res });
      res.once('data', () => resolve({ req, res }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(kit: HttpKit, extra: Partial<HttpServerOptions> = {}): Promise<RunningHttpServer> {
  return startHttpServer({ engine: kit.engine, auth: kit.auth, audit: kit.audit, metrics: kit.metrics, port: 0, concurrency: 0, ...extra });
}

describe('requests without a body over a socket', () => {
  let kit: HttpKit;
  let server: RunningHttpServer;
  beforeAll(async () => {
    kit = await createHttpKit();
    server = await serve(kit);
  });
  afterAll(async () => {
    await server.close();
    await kit.close();
  });

  it('revokes a token with DELETE and no Content-Length, as curl -X DELETE sends it (#13)', async () => {
    const victim = await kit.auth.issue({ role: 'viewer', name: 'to-revoke' });
    const answer = await send(`${server.url}/api/tokens/${victim.record.id}`, 'DELETE', { authorization: `Bearer ${kit.tokens.admin}` });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ revoked: true });
    expect(await kit.auth.authenticate(victim.secret)).toBeUndefined();
  });

  it('answers 4xx, never 500, to other bodiless DELETEs', async () => {
    const unknown = await send(`${server.url}/api/tokens/tok_missing`, 'DELETE', { authorization: `Bearer ${kit.tokens.admin}` });
    expect(unknown.status).toBe(404);
    const viewer = await send(`${server.url}/api/tokens/${kit.tokenIds.operator}`, 'DELETE', { authorization: `Bearer ${kit.tokens.viewer}` });
    expect(viewer.status).toBe(403);
  });

  it('answers 401 JSON to a DELETE without a token', async () => {
    const answer = await send(`${server.url}/api/tokens/${kit.tokenIds.viewer}`, 'DELETE', {});
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'UNAUTHORIZED', hint: expect.any(String) });
  });

  it('accepts a chunked body under the limit and refuses one over it with 413', async () => {
    const headers = { authorization: `Bearer ${kit.tokens.admin}`, 'content-type': 'application/json' };
    const small = await send(`${server.url}/api/tokens`, 'POST', headers, ['{"role":"viewer",', '"name":"chunked"}']);
    expect(small.headers['transfer-encoding']).toBeUndefined();
    expect(small.status).toBe(201);
    expect(JSON.parse(small.body).token).toMatchObject({ name: 'chunked' });
    // 70 × 64 KiB: over the default body limit, 4160 KiB (it follows converge.yaml's limits).
    const big = await send(`${server.url}/api/tokens`, 'POST', headers, Array.from({ length: 70 }, () => 'x'.repeat(64 * 1024)));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('SSE slots over a socket', () => {
  it('gives the slot back when the client disconnects', async () => {
    const kit = await createHttpKit();
    const server = await serve(kit, { sseMaxStreamsPerToken: 1, sseKeepAliveMs: 50 });
    try {
      const first = await openStream(`${server.url}/api/stream`, kit.tokens.viewer);
      expect(first.res.statusCode).toBe(200);
      const refused = await openStream(`${server.url}/api/stream`, kit.tokens.viewer);
      expect(refused.res.statusCode).toBe(429);
      refused.res.resume();
      first.req.destroy();
      let next = await openStream(`${server.url}/api/stream`, kit.tokens.viewer);
      // The server learns of the disconnect on its next write; a keep-alive comes every 50 ms.
      for (let i = 0; i < 100 && next.res.statusCode === 429; i++) {
        next.res.resume();
        await sleep(20);
        next = await openStream(`${server.url}/api/stream`, kit.tokens.viewer);
      }
      expect(next.res.statusCode).toBe(200);
      next.req.destroy();
    } finally {
      await server.close();
      await kit.close();
    }
  });
});

describe('server timeouts', () => {
  let kit: HttpKit;
  let server: RunningHttpServer;
  beforeAll(async () => {
    kit = await createHttpKit();
    server = await serve(kit, { timeouts: { headersMs: 300, requestMs: 600 }, sseKeepAliveMs: 100 });
  });
  afterAll(async () => {
    await server.close();
    await kit.close();
  });

  it('closes a connection whose headers never finish', async () => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('keeps an SSE stream open past the request timeout', async () => {
    const { req, res } = await openStream(`${server.url}/api/stream`, kit.tokens.viewer);
    expect(res.statusCode).toBe(200);
    let closed = false;
    res.on('close', () => (closed = true));
    await sleep(1_200);
    expect(closed).toBe(false);
    const more = await new Promise<string>((resolve, reject) => {
      res.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      res.once('close', () => reject(new Error('the stream was closed')));
    });
    expect(more).toContain('keep-alive');
    req.destroy();
  });
});
