/**
 * What operators do to a workflow: resume (unpause and let the worker continue), pause, cancel,
 * fork, and submit the result of a step run by an external agent. The worker inside `serve`
 * picks up every change from the store, so these return as soon as the change is recorded.
 */
import type { Hono } from 'hono';
import { ConvergeError } from '../../../core/errors.js';
import { TERMINAL_STATUSES } from '../../../core/state.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { CancelSchema, EmptySchema, ForkSchema, SubmitResultSchema } from '../schemas.js';
import { currentRound, summaryView } from '../workflow-views.js';
import type { WorkflowState } from '../../../core/state.js';
import { requireAccess } from '../middleware/require-access/index.js';
import { callerOf, lastSeqOf, observeCommand, readBody, workflowIdOf } from './route-helpers.js';

export function registerWorkflowActionRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const store = deps.engine.store;

  async function answer(state: WorkflowState) {
    const summary = await store.getWorkflow(state.workflowId);
    return { workflow: summaryView(summary!, currentRound(state)) };
  }

  // Roles and audit rows of these actions are the shared access layer's (src/interfaces/shared).
  app.post('/api/workflows/:id/resume', requireAccess(deps.access, 'resume'), async (c) => {
    const id = workflowIdOf(c);
    await readBody(c, EmptySchema);
    const caller = callerOf(c);
    let state = await loadState(store, id);
    if (TERMINAL_STATUSES.has(state.status)) {
      throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${id} is ${state.status}; it cannot be resumed.`, { hint: 'Fork it to run a step again: POST /api/workflows/{id}/fork.' });
    }
    const before = state.seq;
    if (state.paused) state = await deps.access.setPaused(caller, id, false);
    await observeCommand(deps, before, state);
    return c.json(await answer(state));
  });

  app.post('/api/workflows/:id/pause', requireAccess(deps.access, 'pause'), async (c) => {
    const id = workflowIdOf(c);
    await readBody(c, EmptySchema);
    const state = await deps.access.setPaused(callerOf(c), id, true);
    return c.json(await answer(state));
  });

  app.post('/api/workflows/:id/cancel', requireAccess(deps.access, 'cancel'), async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, CancelSchema);
    const before = await lastSeqOf(deps, id);
    const state = await deps.access.cancel(callerOf(c), id, input.reason);
    await observeCommand(deps, before, state);
    return c.json(await answer(state));
  });

  app.post('/api/workflows/:id/fork', requireAccess(deps.access, 'fork'), async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, ForkSchema);
    const fork = await deps.access.fork(callerOf(c), id, input.from_step);
    return c.json({ ...(await answer(fork)), forked_from: id }, 201, { Location: `/api/workflows/${fork.workflowId}` });
  });

  app.post('/api/workflows/:id/result', requireAccess(deps.access, 'submit'), async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, SubmitResultSchema);
    const before = await lastSeqOf(deps, id);
    const state = await deps.access.submitResult(callerOf(c), id, input.step, input.texts);
    await observeCommand(deps, before, state);
    return c.json(await answer(state));
  });
}
