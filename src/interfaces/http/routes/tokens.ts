/**
 * Token management and the audit log, for admins. A created token's secret is in the response
 * once; the list shows ids, names, roles and dates, never secrets or hashes.
 */
import type { Hono } from 'hono';
import type { TokenRecord } from '../../../ops/index.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { notFound } from '../http-errors.js';
import { requireRole } from '../middleware/require-role/index.js';
import { AuditQuerySchema, CreateTokenSchema } from '../schemas.js';
import { readBody, readQuery } from './route-helpers.js';

export function tokenView(t: TokenRecord) {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    kind: t.kind,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    revoked_at: t.revokedAt,
    last_used_at: t.lastUsedAt,
    parent_id: t.parentId,
    created_by: t.createdBy,
  };
}

export function registerTokenRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { auth, audit } = deps;
  const admin = requireRole('admin', audit);

  app.get('/api/tokens', admin, async (c) => {
    return c.json({ items: (await auth.tokens.list()).map(tokenView) });
  });

  app.post('/api/tokens', admin, async (c) => {
    const input = await readBody(c, CreateTokenSchema);
    const issued = await auth.issue({
      role: input.role,
      name: input.name,
      createdBy: c.var.principal.name,
      ...(input.expires_in_s !== undefined ? { ttlMs: input.expires_in_s * 1000 } : {}),
    });
    c.set('auditNote', { action: 'token.create', target: issued.record.id, details: { name: issued.record.name, role: issued.record.role, expires_at: issued.record.expiresAt } });
    return c.json({ token: tokenView(issued.record), secret: issued.secret }, 201);
  });

  app.delete('/api/tokens/:id', admin, async (c) => {
    const id = c.req.param('id');
    const existing = await auth.tokens.get(id);
    if (existing === undefined) throw notFound(`There is no token ${JSON.stringify(id.slice(0, 40))}.`, 'List tokens with GET /api/tokens.');
    const revoked = await auth.revoke(id);
    c.set('auditNote', { action: 'token.revoke', target: id, details: { name: existing.name, role: existing.role, already_revoked: !revoked } });
    return c.json({ token: tokenView((await auth.tokens.get(id))!), revoked });
  });

  app.get('/api/audit', admin, async (c) => {
    const q = readQuery(c, AuditQuerySchema);
    const rows = await audit.read(q.after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    return c.json({
      items: page.map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: r.target, details: r.details, prev_hash: r.prevHash, hash: r.hash })),
      next_after: rows.length > q.limit ? page[page.length - 1]!.seq : null,
    });
  });

  app.get('/api/audit/verify', admin, async (c) => {
    const result = await audit.verify();
    return c.json({ ok: result.ok, rows: result.rows, head_hash: result.headHash, broken: result.broken ?? null });
  });
}
