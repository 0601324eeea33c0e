/**
 * @module
 * Authorization: the route needs at least `role`. A refusal is a 403 naming the role needed
 * and the caller's, and it is written to the audit trail.
 *
 * @example
 * app.post('/api/workflows/:id/approval', requireRole('approver', audit), handler)
 */
import type { MiddlewareHandler } from 'hono';
import type { Audit, Role } from '../../../../ops/index.js';
import { roleAtLeast } from '../../../../ops/index.js';
import type { AppEnv } from '../../app-env.js';
import { HttpProblem } from '../../http-errors.js';

export function requireRole(role: Role, audit: Audit): MiddlewareHandler<AppEnv> {
  return async function requireRole(c, next) {
    const principal = c.var.principal;
    if (!roleAtLeast(principal.role, role)) {
      await audit
        .record({
          actor: principal.name,
          action: 'auth.denied',
          target: c.req.param('id') ?? null,
          details: { needed: role, role: principal.role, method: c.req.method, path: c.req.path, token_id: principal.tokenId },
        })
        .catch(() => undefined);
      throw new HttpProblem(403, 'FORBIDDEN', `This needs the ${role} role; ${principal.name} has ${principal.role}.`, 'Ask an admin for a token with that role.');
    }
    await next();
  };
}
