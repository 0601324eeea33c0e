/**
 * Workflows: list (filters, pagination), start, one workflow's state, what it needs next, its
 * event log and its export in the seed's state schema.
 */
import type { Hono } from 'hono';
import { toSeedState } from '../../../core/seed-state.js';
import { nextAction } from '../../../engine/next-action.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { EventsQuerySchema, ListQuerySchema, StartWorkflowSchema } from '../schemas.js';
import { currentRound, summaryView, workflowView } from '../workflow-views.js';
import { requireAccess } from '../middleware/require-access/index.js';
import { callerOf, readBody, readQuery, workflowIdOf } from './route-helpers.js';

export function registerWorkflowRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { engine, audit } = deps;
  const store = engine.store;

  app.get('/api/workflows', requireRole('viewer', audit), async (c) => {
    const q = readQuery(c, ListQuerySchema);
    const status = q.status?.split(',').map((s) => s.trim());
    // One more than asked tells whether a next page exists without counting the whole table.
    const rows = await store.listWorkflows({ ...(status ? { status } : {}), limit: q.limit + 1, offset: q.offset });
    const page = rows.slice(0, q.limit);
    const items = await Promise.all(
      page.map(async (s) => {
        const round = await loadState(store, s.id).then(currentRound, () => undefined);
        return summaryView(s, round);
      }),
    );
    const next = rows.length > q.limit ? q.offset + q.limit : null;
    return c.json({ items, next_offset: next, ...(next === null ? { total: q.offset + page.length } : {}) });
  });

  // Roles, the workspace root and the audit row are the shared access layer's (src/interfaces/shared).
  app.post('/api/workflows', requireAccess(deps.access, 'start'), async (c) => {
    const input = await readBody(c, StartWorkflowSchema);
    const state = await deps.access.start(callerOf(c), {
      requirements: input.requirements,
      workspace: input.workspace ?? '.',
      documentationLocations: input.documentation_locations ?? [],
      autoApprove: input.auto_approve,
      ...(input.name ? { name: input.name } : {}),
      ...(input.workflow_id ? { id: input.workflow_id } : {}),
      ...(input.budget !== undefined ? { budget: input.budget } : {}),
    });
    const summary = await store.getWorkflow(state.workflowId);
    return c.json({ workflow: summaryView(summary!, currentRound(state)) }, 201, { Location: `/api/workflows/${state.workflowId}` });
  });

  app.get('/api/workflows/:id', requireRole('viewer', audit), async (c) => {
    return c.json(workflowView(await loadState(store, workflowIdOf(c))));
  });

  // What the workflow needs now, as MCP's get_next_action and `converge next --json` give it: for
  // an external step, the rendered prompts the dashboard shows beside its result form.
  app.get('/api/workflows/:id/next', requireRole('viewer', audit), async (c) => {
    return c.json(await nextAction(engine, await loadState(store, workflowIdOf(c))));
  });

  app.get('/api/workflows/:id/events', requireRole('viewer', audit), async (c) => {
    const id = workflowIdOf(c);
    const q = readQuery(c, EventsQuerySchema);
    const events = await store.readEvents(id, q.after);
    const page = events.slice(0, q.limit);
    return c.json({ workflow_id: id, items: page, next_after: events.length > q.limit ? page[page.length - 1]!.seq : null });
  });

  app.get('/api/workflows/:id/seed-state', requireRole('viewer', audit), async (c) => {
    return c.json(toSeedState(await loadState(store, workflowIdOf(c))));
  });
}
