/**
 * @module
 * Authentication: a bearer token (`Authorization: Bearer cv_…`) or the dashboard's session
 * cookie. Cookie-authenticated writes must carry `X-Converge-Request: 1`: a page on another site
 * can make a browser send the cookie, but not that header (cross-site request forgery).
 *
 * @example
 * app.use('/api/*', authenticate({ auth, audit }))
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Audit, Auth } from '../../../../ops/index.js';
import type { AppEnv } from '../../app-env.js';
import { HttpProblem } from '../../http-errors.js';

export const SESSION_COOKIE = 'converge_session';
export const CSRF_HEADER = 'x-converge-request';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthenticateOptions {
  auth: Auth;
  audit: Audit;
}

export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Whether a write could have been made by another site through the visitor's browser. A bearer
 * token cannot be (a page cannot read it). The cookie can, so it needs the custom header. With
 * auth off, requests that a browser marks as cross-site are refused; curl and scripts send no
 * Origin and pass.
 */
function forgeable(credential: string, header: string | undefined, origin: string | undefined, fetchSite: string | undefined): boolean {
  if (credential === 'bearer' || header === '1') return false;
  if (credential === 'cookie') return true;
  return origin !== undefined || (fetchSite !== undefined && fetchSite !== 'none' && fetchSite !== 'same-origin');
}

export function authenticate(options: AuthenticateOptions): MiddlewareHandler<AppEnv> {
  const { auth, audit } = options;
  return async function authenticate(c, next) {
    const header = c.req.header('authorization');
    const bearer = bearerOf(header);
    const cookie = bearer === undefined ? getCookie(c, SESSION_COOKIE) : undefined;
    const secret = bearer ?? cookie;
    const principal = await auth.authenticate(secret);
    if (principal === undefined) {
      const presented = secret !== undefined || header !== undefined;
      // Failed sign-ins are evidence (brute force, leaked tokens); a missing token on a read is not.
      if (presented || !SAFE_METHODS.has(c.req.method)) {
        await audit
          .record({ actor: 'anonymous', action: 'auth.failed', target: null, details: { reason: presented ? 'invalid_token' : 'no_token', method: c.req.method, path: c.req.path } })
          .catch(() => undefined);
      }
      throw new HttpProblem(
        401,
        'UNAUTHORIZED',
        presented ? 'The token is not valid: unknown, expired or revoked.' : 'This needs a token.',
        'Send Authorization: Bearer <token> (converge token create --role viewer), or sign in to the dashboard with a login link.',
      );
    }
    c.set('principal', principal);
    c.set('credential', !auth.enabled ? 'none' : bearer !== undefined ? 'bearer' : 'cookie');
    if (!SAFE_METHODS.has(c.req.method) && forgeable(c.var.credential, c.req.header(CSRF_HEADER), c.req.header('origin'), c.req.header('sec-fetch-site'))) {
      await audit
        .record({ actor: principal.name, action: 'auth.denied', target: null, details: { reason: 'csrf', method: c.req.method, path: c.req.path, token_id: principal.tokenId } })
        .catch(() => undefined);
      throw new HttpProblem(403, 'FORBIDDEN', 'A write from a browser must carry the X-Converge-Request: 1 header.', 'The dashboard sends it; other clients should use a bearer token.');
    }
    await next();
  };
}
