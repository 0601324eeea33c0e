/**
 * Who may call the Streamable HTTP endpoint. For now one bearer token (from --token or
 * CONVERGE_MCP_TOKEN); `authorize` is the single seam a later token store with roles replaces.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConvergeError } from '../../core/errors.js';
import type { Role } from '../../ops/auth/roles.js';
import { registerSecret } from '../../store/index.js';

export interface Authorized {
  /** The caller's name for the audit record, when the credential names one (a named token). */
  actor?: string;
  /** The caller's role, when the credential carries one (a token of the token store). */
  role?: Role;
  tokenId?: string;
}

export type Authorize = (request: Request) => Authorized | Response;

export interface AuthOptions {
  token?: string;
  /** Accept requests without a token; allowed only on a loopback host. */
  noAuth?: boolean;
  host: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

export function createAuthorizer(options: AuthOptions): Authorize {
  if (options.noAuth) {
    if (!isLoopback(options.host)) {
      throw new ConvergeError('USAGE', `--no-auth is allowed only on a loopback host, not ${options.host}.`, {
        hint: 'Bind to 127.0.0.1 (the default), or give a token with --token or CONVERGE_MCP_TOKEN.',
      });
    }
    return () => ({});
  }
  if (options.token === undefined || options.token.trim() === '') {
    throw new ConvergeError('USAGE', 'The MCP HTTP server needs a bearer token.', {
      hint: 'Pass --token T or set CONVERGE_MCP_TOKEN; on 127.0.0.1 you may pass --no-auth instead.',
    });
  }
  // A token given with --token may have any shape; it must never be written to the record.
  registerSecret(options.token);
  const expected = digest(options.token.trim());
  return function authorize(request: Request): Authorized | Response {
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    // Hashing first makes the comparison constant-time whatever the lengths.
    if (match === null || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      return errorResponse(401, 'UNAUTHORIZED', match === null ? 'A bearer token is required.' : 'The bearer token is not valid.', 'Send Authorization: Bearer <token>.', {
        'WWW-Authenticate': 'Bearer realm="converge"',
      });
    }
    return {};
  };
}

/**
 * Browsers send an Origin; a page on another site must not drive a local server (DNS
 * rebinding, drive-by requests). Clients that are not browsers send none and pass.
 */
export function checkOrigin(request: Request, allowedOrigins: readonly string[] = []): Response | undefined {
  const origin = request.headers.get('origin');
  if (origin === null || origin === 'null') return origin === null ? undefined : forbidden(origin);
  if (allowedOrigins.includes(origin)) return undefined;
  try {
    if (isLoopback(new URL(origin).hostname)) return undefined;
  } catch {
    // An Origin that is not a URL is refused below.
  }
  return forbidden(origin);
}

/**
 * The Host header must name this server: a loopback name, the address it is bound to, or one
 * given with --allow-host. A page whose own domain resolves to 127.0.0.1 (DNS rebinding) sends its
 * domain as Host, and a same-origin GET carries no Origin to refuse it by. Any port passes, so
 * an SSH tunnel or a port forward to another local port keeps working.
 */
export function checkHost(request: Request, allowedHosts: readonly string[] = []): Response | undefined {
  const host = (request.headers.get('host') ?? new URL(request.url).host).toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  if (isLoopback(bare) || allowedHosts.some((h) => h.toLowerCase() === name || h.toLowerCase() === bare)) return undefined;
  return errorResponse(403, 'FORBIDDEN', `Requests for host ${host.slice(0, 200)} are refused: it does not name this server.`, 'Connect to http://127.0.0.1:<port>/mcp, or add the name with --allow-host if clients reach the server by it.');
}

function forbidden(origin: string): Response {
  return errorResponse(403, 'FORBIDDEN', `Requests from the origin ${origin} are not allowed.`, 'Add it with --allow-origin if this page should reach the server.');
}

export function errorResponse(status: number, code: string, message: string, hint?: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ code, message, ...(hint ? { hint } : {}) }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
