/**
 * Who am I, health, metrics and the OpenAPI document. Liveness answers without touching
 * anything; readiness reads the stores and tells anonymous callers only whether it is ready (the
 * store's location is for viewers and up); /metrics needs a viewer token unless served publicly.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { metricsExposition, roleAtLeast } from '../../../ops/index.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { SESSION_COOKIE, bearerOf } from '../middleware/authenticate/index.js';
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
      return c.json({ status: 'ok', ...((await mayReadDetails(c)) ? { store: engine.store.location } : {}) });
    } catch (error) {
      deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'readiness check failed');
      return c.json({ status: 'unavailable', code: 'STORE_UNAVAILABLE', message: 'The store is not reachable.', hint: 'Check the database; the server keeps retrying.' }, 503);
    }
  });

  /** Load balancers probe without a token; a wrong or missing one only hides the details. */
  async function mayReadDetails(c: Context<AppEnv>): Promise<boolean> {
    const principal = await deps.auth.authenticate(bearerOf(c.req.header('authorization')) ?? getCookie(c, SESSION_COOKIE));
    return principal !== undefined && roleAtLeast(principal.role, 'viewer');
  }

  if (!deps.metricsPublic) app.use('/metrics', authenticated, requireRole('viewer', audit));
  app.get('/metrics', async (c) => {
    const { contentType, body } = await metricsExposition(metrics);
    return c.body(body, 200, { 'Content-Type': contentType });
  });

  let document: unknown;
  app.get('/openapi.json', (c) => c.json((document ??= openApiDocument())));
}
