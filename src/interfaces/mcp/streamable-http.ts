/**
 * Converge's MCP server over Streamable HTTP, as a web-standard `fetch(Request) → Response`
 * handler: mount it on a Hono app (`app.all('/mcp', (c) => mcp.fetch(c.req.raw))`) or serve it
 * with node:http (`serveMcpHttp`).
 *
 * Stateful, with session ids: each `initialize` gets its own McpServer and transport, kept in
 * memory until the client deletes the session or it idles out. Sessions are needed for what
 * makes Converge useful over MCP — an elicited approval is answered by a later POST of the same
 * session, and resource subscriptions notify over the session's GET stream. A restarted server
 * answers an old session id with 404 and the client initializes again; workflows lose nothing,
 * since they live in the store, and one driver shared by all sessions keeps runs of a workflow
 * from overlapping.
 *
 * Every request passes the Origin check and then `authorize` (a bearer token unless --no-auth on
 * a loopback host) before it reaches a session. `serveMcpHttp` checks the Host header first (DNS
 * rebinding); mounted in the app, the app's own checks apply instead.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from '../../engine/create-engine.js';
import { checkHost, checkOrigin, createAuthorizer, errorResponse } from './http-auth.js';
import type { Authorize } from './http-auth.js';
import { createMcpServer } from './mcp-server.js';
import type { McpServerOptions } from './mcp-server.js';
import { WorkflowDriver } from './workflow-driver.js';

export interface McpHttpOptions extends Omit<McpServerOptions, 'engine' | 'driver' | 'actor'> {
  engine: Engine;
  /** The host the server binds to; --no-auth is refused unless it is loopback. Default 127.0.0.1. */
  host?: string;
  token?: string;
  noAuth?: boolean;
  /** Browser origins allowed besides localhost ones. */
  allowedOrigins?: string[];
  /** Host names (Host header) served by `serveMcpHttp` besides loopback names and the bound address. */
  allowedHosts?: string[];
  /** The endpoint path (default /mcp). */
  path?: string;
  /** Sessions unused this long are closed (default one hour). */
  sessionIdleMs?: number;
  /** Replaces the token check (a token store with roles, in tests a fake). */
  authorize?: Authorize;
}

export interface McpHttpHandler {
  fetch(request: Request): Promise<Response>;
  /** Open sessions, for diagnostics and tests. */
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  close(): Promise<void>;
  lastSeen: number;
}

export function createMcpHttpHandler(options: McpHttpOptions): McpHttpHandler {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const authorize = options.authorize ?? createAuthorizer({ host, ...(options.token !== undefined ? { token: options.token } : {}), ...(options.noAuth ? { noAuth: true } : {}) });
  const driver = new WorkflowDriver(options.engine.runner, options.log);
  const sessions = new Map<string, Session>();
  const idleMs = options.sessionIdleMs ?? 3_600_000;
  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const session of sessions.values()) if (session.lastSeen < cutoff) void session.close();
  }, Math.min(60_000, idleMs));
  sweep.unref();

  async function openSession(body: unknown, request: Request, authInfo: Parameters<WebStandardStreamableHTTPServerTransport['handleRequest']>[1]): Promise<Response> {
    const server = createMcpServer({ ...serverOptionsOf(options), driver });
    const session: Session = {
      transport: new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, session),
        onsessionclosed: (id) => void sessions.delete(id),
      }),
      lastSeen: Date.now(),
      close: async () => {
        if (session.transport.sessionId !== undefined) sessions.delete(session.transport.sessionId);
        await server.close().catch(() => undefined);
      },
    };
    session.transport.onclose = () => {
      if (session.transport.sessionId !== undefined) sessions.delete(session.transport.sessionId);
    };
    await server.connect(session.transport);
    return session.transport.handleRequest(request, { ...authInfo, parsedBody: body });
  }

  return {
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname !== path) return errorResponse(404, 'NOT_FOUND', `Nothing is served at ${url.pathname}; the MCP endpoint is ${path}.`);
      const refused = checkOrigin(request, options.allowedOrigins);
      if (refused !== undefined) return refused;
      const auth = authorize(request);
      if (auth instanceof Response) return auth;
      // The caller's name travels with each request, so a session's actions are attributed per request.
      const extra = {
        ...(auth.actor !== undefined ? { actor: auth.actor } : {}),
        ...(auth.role !== undefined ? { role: auth.role } : {}),
        ...(auth.tokenId !== undefined ? { tokenId: auth.tokenId } : {}),
      };
      const authInfo = { authInfo: { token: '', clientId: auth.actor ?? 'mcp-client', scopes: [], extra } };

      const sessionId = request.headers.get('mcp-session-id');
      if (sessionId !== null) {
        const session = sessions.get(sessionId);
        if (session === undefined) return rpcError(404, -32001, 'Session not found: initialize a new session.');
        session.lastSeen = Date.now();
        return session.transport.handleRequest(request, authInfo);
      }
      if (request.method !== 'POST') return rpcError(400, -32000, 'Bad Request: no session id; start with an initialize request.');
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return rpcError(400, -32700, 'Parse error: the body is not JSON.');
      }
      const initializing = Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
      if (!initializing) return rpcError(400, -32000, 'Bad Request: no session id; start with an initialize request.');
      return openSession(body, request, authInfo);
    },
    sessionCount: () => sessions.size,
    async close() {
      clearInterval(sweep);
      driver.close();
      await Promise.all([...sessions.values()].map((s) => s.close()));
    },
  };
}

function serverOptionsOf(o: McpHttpOptions): McpServerOptions {
  const { engine, project, runBudgetMs, elicitTimeoutMs, pollMs, elicitation, log, audit, workspaceRoot } = o;
  return {
    engine,
    // The one bearer token of a standalone server belongs to whoever started it; it may approve.
    defaultRole: o.defaultRole ?? 'approver',
    ...(audit !== undefined ? { audit } : {}),
    ...(workspaceRoot !== undefined ? { workspaceRoot } : {}),
    ...(project !== undefined ? { project } : {}),
    ...(runBudgetMs !== undefined ? { runBudgetMs } : {}),
    ...(elicitTimeoutMs !== undefined ? { elicitTimeoutMs } : {}),
    ...(pollMs !== undefined ? { pollMs } : {}),
    ...(elicitation !== undefined ? { elicitation } : {}),
    ...(log !== undefined ? { log } : {}),
  };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function rpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });
}

export interface McpHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the handler with node:http on host:port (port 0 picks a free one). */
export async function serveMcpHttp(options: McpHttpOptions & { port?: number }): Promise<McpHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const handler = createMcpHttpHandler({ ...options, host });
  const hosts = [...(isWildcard(host) ? [] : [host]), ...(options.allowedHosts ?? [])];
  const server = createServer(getRequestListener((request) => checkHost(request, hosts) ?? handler.fetch(request), { overrideGlobalObjects: false }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8765, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}${options.path ?? '/mcp'}`,
    port,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
