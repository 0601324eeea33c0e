/**
 * @module
 * Writes one audit row per state-changing request, after it ran: who, what (the route's note,
 * e.g. `workflow.approve`, or the method and route), the target and the response status. 401s
 * and 403s are written where they are decided (authenticate, requireRole).
 *
 * @example
 * app.use('/api/*', auditTrail(audit, log))
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Audit, Logger } from '../../../../ops/index.js';
import type { AppEnv } from '../../app-env.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function auditTrail(audit: Audit, log: Logger): MiddlewareHandler<AppEnv> {
  return async function auditTrail(c, next) {
    await next();
    if (SAFE_METHODS.has(c.req.method)) return;
    const status = c.res.status;
    const principal = c.var.principal;
    if (principal === undefined || status === 401 || status === 403) return;
    const note = c.var.auditNote;
    if (note?.recorded === true) return;
    const route = routePath(c, -1);
    try {
      await audit.record({
        actor: principal.name,
        action: note?.action ?? `${c.req.method} ${route}`,
        target: note?.target ?? c.req.param('id') ?? null,
        details: {
          ...note?.details,
          method: c.req.method,
          route,
          status,
          outcome: status < 400 ? 'ok' : 'error',
          token_id: principal.tokenId,
          via: 'http',
          request_id: c.var.requestId,
        },
      });
    } catch (error) {
      // The change already happened; losing its audit row is bad, failing the response is worse.
      log.error({ requestId: c.var.requestId, err: error instanceof Error ? error.message : String(error) }, 'audit record failed');
    }
  };
}
