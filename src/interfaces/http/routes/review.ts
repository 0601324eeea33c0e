/**
 * The review at a gate, a step's trace, and a person's edit at the gate (issue 17, parts 1–3).
 * The review and the trace are read-only (viewer); an edit is part of answering the gate, so it
 * needs the approver role and is audited by the shared access layer like an approval.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ConvergeError } from '../../../core/errors.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireAccess } from '../middleware/require-access/index.js';
import { requireRole } from '../middleware/require-role/index.js';
import { buildStepTrace } from '../../shared/step-trace-view.js';
import { buildReview } from '../../shared/workflow-review.js';
import { workflowView } from '../workflow-views.js';
import { callerOf, lastSeqOf, observeCommand, readBody, workflowIdOf } from './route-helpers.js';

export const GateEditSchema = z.strictObject({
  target: z.enum(['plan', 'file']),
  path: z.string().min(1).max(1000).optional(),
  content: z.string().max(4_000_000),
  comment: z.string().max(4000).optional(),
});

export function registerReviewRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { engine, audit } = deps;
  const viewer = requireRole('viewer', audit);

  app.get('/api/workflows/:id/review', viewer, async (c) => {
    return c.json(await buildReview(await loadState(engine.store, workflowIdOf(c))));
  });

  app.get('/api/workflows/:id/steps/:n/trace', viewer, async (c) => {
    const state = await loadState(engine.store, workflowIdOf(c));
    const raw = c.req.param('n') ?? '';
    if (!/^\d{1,4}$/.test(raw)) {
      throw new ConvergeError('USAGE', `The step number ${JSON.stringify(raw.slice(0, 20))} is not a number.`, { hint: 'Use the step\'s number, e.g. /steps/4/trace.', details: { field: 'n' } });
    }
    return c.json(await buildStepTrace(engine.store, state, Number(raw)));
  });

  app.post('/api/workflows/:id/gate/edit', requireAccess(deps.access, 'edit'), async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, GateEditSchema);
    if (input.target === 'file' && input.path === undefined) {
      throw new ConvergeError('USAGE', 'path: a file edit needs the file\'s path.', { hint: 'Send path relative to the workspace, e.g. "src/index.ts".', details: { field: 'path' } });
    }
    const before = await lastSeqOf(deps, id);
    const { state, revision } = await deps.access.editAtGate(callerOf(c), id, {
      target: input.target,
      content: input.content,
      ...(input.path !== undefined ? { path: input.path } : {}),
      ...(input.comment !== undefined ? { comment: input.comment } : {}),
    });
    await observeCommand(deps, before, state);
    return c.json({ workflow: workflowView(state), revision });
  });
}
