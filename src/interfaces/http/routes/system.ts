/**
 * Who am I, health, metrics and the OpenAPI document. Liveness answers without touching
 * anything; readiness reads the stores; /metrics needs a viewer token unless served publicly.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { metricsExposition } from '../../../ops/index.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { openApiDocument } from '../openapi.js';

export function registerSystemRoutes(app: Hono<AppEnv>, deps: AppDeps, authenticated: MiddlewareHandler<AppEnv>): void {
  const { engine, audit, metrics } = deps;

  app.get('/api/me', requireRole('viewer', audit), (c) => {
    const p = c.var.principal;
    return c.json({ name: p.name, role: p.role, token_id: p.tokenId, kind: p.kind, auth: deps.auth.enabled });
  });

  app.get('/health/live', (c) => c.json({ status: 'ok' }));

  app.get('/health/ready', async (c) => {
    try {
      await engine.store.changeMarker();
      await deps.ready?.();
      return c.json({ status: 'ok', store: engine.store.location });
    } catch (error) {
      deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'readiness check failed');
      return c.json({ status: 'unavailable', code: 'STORE_UNAVAILABLE', message: 'The store is not reachable.', hint: 'Check the database; the server keeps retrying.' }, 503);
    }
  });

  if (!deps.metricsPublic) app.use('/metrics', authenticated, requireRole('viewer', audit));
  app.get('/metrics', async (c) => {
    const { contentType, body } = await metricsExposition(metrics);
    return c.body(body, 200, { 'Content-Type': contentType });
  });

  let document: unknown;
  app.get('/openapi.json', (c) => c.json((document ??= openApiDocument())));
}
