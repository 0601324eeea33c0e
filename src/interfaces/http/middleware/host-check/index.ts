/**
 * @module
 * With authentication off, only requests whose Host is a loopback name are served. Otherwise a
 * web page could point its own domain at 127.0.0.1 (DNS rebinding) and drive the server from a
 * browser on this machine.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { HttpProblem } from '../../http-errors.js';

export const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function hostCheck(allowed: readonly string[] = LOOPBACK_HOST_NAMES): MiddlewareHandler<AppEnv> {
  const names = new Set(allowed.map((h) => h.toLowerCase()));
  return async function hostCheck(c, next) {
    const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
    if (!names.has(name)) {
      throw new HttpProblem(403, 'FORBIDDEN', `Requests for host ${host} are refused while authentication is off.`, 'Open the dashboard at http://127.0.0.1:<port>/, or run serve with authentication.');
    }
    await next();
  };
}
