/**
 * @module
 * Authorization by the shared access layer: the route's action needs the role the layer's table
 * names (ROLE_NEEDED), checked before the body is read or the workflow looked up, so a caller
 * without the role learns nothing else. A refusal is a 403 naming both roles, audited by the layer.
 *
 * @example
 * app.post('/api/workflows/:id/cancel', requireAccess(deps.access, 'cancel'), handler)
 */
import type { MiddlewareHandler } from 'hono';
import type { WorkflowAccess } from '../../../shared/workflow-access.js';
import { ROLE_NEEDED } from '../../../shared/workflow-access.js';
import type { AppEnv } from '../../app-env.js';
import { principalCaller } from '../../routes/route-helpers.js';

export function requireAccess(access: WorkflowAccess, action: keyof typeof ROLE_NEEDED): MiddlewareHandler<AppEnv> {
  return async function requireAccess(c, next) {
    await access.authorize(principalCaller(c), ROLE_NEEDED[action], action, c.req.param('id') ?? null);
    await next();
  };
}
