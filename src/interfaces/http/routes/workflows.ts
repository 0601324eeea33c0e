/**
 * Workflows: list (filters, pagination), start, one workflow's state, its event log and its
 * export in the seed's state schema.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Hono } from 'hono';
import { ConvergeError } from '../../../core/errors.js';
import { toSeedState } from '../../../core/seed-state.js';
import { startWorkflow } from '../../../engine/workflow-commands.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { EventsQuerySchema, ListQuerySchema, StartWorkflowSchema } from '../schemas.js';
import { currentRound, summaryView, workflowView } from '../workflow-views.js';
import { readBody, readQuery, workflowIdOf } from './route-helpers.js';

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

  app.post('/api/workflows', requireRole('operator', audit), async (c) => {
    const input = await readBody(c, StartWorkflowSchema);
    c.set('auditNote', { action: 'workflow.start', target: input.workflow_id ?? null, details: { auto_approve: input.auto_approve } });
    if (input.workflow_id !== undefined && (await store.getWorkflow(input.workflow_id)) !== undefined) {
      throw new ConvergeError('ILLEGAL_ACTION', `A workflow ${input.workflow_id} already exists in this store.`, { hint: 'Choose another workflow_id or leave it out.' });
    }
    const workspace = workspaceWithin(deps.workspaceRoot, input.workspace ?? '.');
    const state = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: input.requirements,
      workspace: { path: workspace, type: 'shared' },
      profile: engine.profile.id,
      documentationLocations: [...new Set([...engine.definition.knowledge, ...(input.documentation_locations ?? [])])],
      autoApprove: input.auto_approve,
      ...(input.name ? { name: input.name } : {}),
      ...(input.workflow_id ? { id: input.workflow_id } : {}),
    });
    c.set('auditNote', { action: 'workflow.start', target: state.workflowId, details: { auto_approve: input.auto_approve, workspace } });
    const summary = await store.getWorkflow(state.workflowId);
    return c.json({ workflow: summaryView(summary!, currentRound(state)) }, 201, { Location: `/api/workflows/${state.workflowId}` });
  });

  app.get('/api/workflows/:id', requireRole('viewer', audit), async (c) => {
    return c.json(workflowView(await loadState(store, workflowIdOf(c))));
  });

  app.get('/api/workflows/:id/events', requireRole('viewer', audit), async (c) => {
    const id = workflowIdOf(c);
    const q = readQuery(c, EventsQuerySchema);
    const events = await store.readEvents(id, q.after);
    const page = events.slice(0, q.limit);
    return c.json({ items: page, next_after: events.length > q.limit ? page[page.length - 1]!.seq : null });
  });

  app.get('/api/workflows/:id/seed-state', requireRole('viewer', audit), async (c) => {
    return c.json(toSeedState(await loadState(store, workflowIdOf(c))));
  });
}

/** The workspace folder, refused when it lies outside the root (symlinks followed). */
function workspaceWithin(root: string, requested: string): string {
  const base = realpathSafe(resolve(root));
  const target = resolve(base, requested);
  const real = realpathSafe(target);
  for (const candidate of [target, real]) {
    const rel = relative(base, candidate);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new ConvergeError('PATH_ESCAPE', `The workspace ${requested} is outside the server's workspace root.`, {
        hint: `Give a folder inside ${base} (relative paths are resolved against it); start serve with --workspace-root to change it.`,
      });
    }
  }
  return real;
}

function realpathSafe(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A folder that does not exist is reported by startWorkflow, with its own hint.
    return path;
  }
}
