/**
 * The notification outbox for operators: what was sent where, what waits for a retry and why, what
 * failed for good. Rows name their target, never its URL or key; the payload is left out (it is
 * what the target got, and `converge notify list --json` shows the rest).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { outboxRowView } from '../../../ops/index.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { readQuery } from './route-helpers.js';

export const NotificationsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  workflow_id: z.string().min(1).max(200).optional(),
});

export function registerNotificationRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/api/notifications', requireRole('operator', deps.audit), async (c) => {
    const q = readQuery(c, NotificationsQuerySchema);
    // A server started without the ops tables (tests, embedding) has no outbox: nothing was sent.
    const rows = deps.outbox === undefined ? [] : await deps.outbox.list({ limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.workflow_id ? { workflowId: q.workflow_id } : {}) });
    return c.json({ items: rows.map(outboxRowView) });
  });
}
