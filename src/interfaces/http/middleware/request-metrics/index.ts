/**
 * @module
 * Times each request into `converge_http_request_duration_seconds`, labelled by the route
 * pattern (never the raw path, which would make one series per workflow id).
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ConvergeMetrics } from '../../../../ops/index.js';
import type { AppEnv } from '../../app-env.js';

export function requestMetrics(metrics: ConvergeMetrics): MiddlewareHandler<AppEnv> {
  return async function requestMetrics(c, next) {
    const started = performance.now();
    await next();
    // An SSE stream's "duration" is its whole life; timing it would only skew the histogram.
    if (c.res.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const route = routePath(c, -1);
    metrics.requestDuration.observe({ method: c.req.method, route: route === '*' || route === '/*' ? 'unmatched' : route, status: String(c.res.status) }, (performance.now() - started) / 1000);
  };
}
