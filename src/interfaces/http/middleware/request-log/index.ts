/**
 * @module
 * One JSON log line per API request: request id, method, route pattern, status, time and the
 * caller's name. Never headers or bodies (tokens, cookies, step results stay out of logs).
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../../../../ops/index.js';
import type { AppEnv } from '../../app-env.js';

export function requestLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    log.info(
      {
        requestId: c.var.requestId,
        method: c.req.method,
        route: routePath(c, -1),
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        actor: c.var.principal?.name ?? null,
      },
      'request',
    );
  };
}
