/**
 * What operators do to a workflow: resume (unpause and let the worker continue), pause, cancel,
 * fork, and submit the result of a step run by an external agent. The worker inside `serve`
 * picks up every change from the store, so these return as soon as the change is recorded.
 */
import type { Hono } from 'hono';
import { ConvergeError } from '../../../core/errors.js';
import { TERMINAL_STATUSES } from '../../../core/state.js';
import { cancelWorkflow, forkWorkflow, setPaused, submitStepResult } from '../../../engine/workflow-commands.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { CancelSchema, EmptySchema, ForkSchema, SubmitResultSchema } from '../schemas.js';
import { currentRound, summaryView } from '../workflow-views.js';
import type { WorkflowState } from '../../../core/state.js';
import { actorOf, lastSeqOf, observeCommand, readBody, workflowIdOf } from './route-helpers.js';

export function registerWorkflowActionRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { engine, audit } = deps;
  const store = engine.store;
  const operator = requireRole('operator', audit);

  async function answer(state: WorkflowState) {
    const summary = await store.getWorkflow(state.workflowId);
    return { workflow: summaryView(summary!, currentRound(state)) };
  }

  app.post('/api/workflows/:id/resume', operator, async (c) => {
    const id = workflowIdOf(c);
    await readBody(c, EmptySchema);
    c.set('auditNote', { action: 'workflow.resume', target: id });
    let state = await loadState(store, id);
    if (TERMINAL_STATUSES.has(state.status)) {
      throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${id} is ${state.status}; it cannot be resumed.`, { hint: 'Fork it to run a step again: POST /api/workflows/{id}/fork.' });
    }
    const before = state.seq;
    if (state.paused) state = await setPaused(store, engine.clock, id, false, actorOf(c));
    await observeCommand(deps, before, state);
    c.set('auditNote', { action: 'workflow.resume', target: id, details: { was_paused: before !== state.seq } });
    return c.json(await answer(state));
  });

  app.post('/api/workflows/:id/pause', operator, async (c) => {
    const id = workflowIdOf(c);
    await readBody(c, EmptySchema);
    c.set('auditNote', { action: 'workflow.pause', target: id });
    const state = await setPaused(store, engine.clock, id, true, actorOf(c));
    return c.json(await answer(state));
  });

  app.post('/api/workflows/:id/cancel', operator, async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, CancelSchema);
    const before = await lastSeqOf(deps, id);
    c.set('auditNote', { action: 'workflow.cancel', target: id, details: input.reason ? { reason: input.reason } : {} });
    const state = await cancelWorkflow(store, engine.clock, id, actorOf(c), input.reason);
    await observeCommand(deps, before, state);
    return c.json(await answer(state));
  });

  app.post('/api/workflows/:id/fork', operator, async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, ForkSchema);
    c.set('auditNote', { action: 'workflow.fork', target: id, details: { from_step: input.from_step } });
    const fork = await forkWorkflow(store, engine.clock, id, input.from_step);
    c.set('auditNote', { action: 'workflow.fork', target: id, details: { fork: fork.workflowId, from_step: input.from_step } });
    return c.json({ ...(await answer(fork)), forked_from: id }, 201, { Location: `/api/workflows/${fork.workflowId}` });
  });

  app.post('/api/workflows/:id/result', operator, async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, SubmitResultSchema);
    const before = await lastSeqOf(deps, id);
    c.set('auditNote', { action: 'workflow.submit_result', target: id, details: { step: input.step ?? null, texts: input.texts.length } });
    const state = await submitStepResult(store, engine.executor, id, input.step, input.texts);
    await observeCommand(deps, before, state);
    return c.json(await answer(state));
  });
}
