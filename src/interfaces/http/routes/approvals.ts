/**
 * Approvals and escalations: what waits for a person across all workflows, and the answers.
 * Only approvers (and admins) answer; every answer is an audit row naming the decision.
 */
import type { Hono } from 'hono';
import { ConvergeError } from '../../../core/errors.js';
import type { Budget } from '../../../core/definition-schema.js';
import type { EscalationAnswer } from '../../../core/events.js';
import type { GateResponse } from '../../../engine/workflow-commands.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { ApprovalSchema, EscalationAnswerSchema } from '../schemas.js';
import { currentRound, pendingView, roundsView, summaryView } from '../workflow-views.js';
import { requireAccess } from '../middleware/require-access/index.js';
import { callerOf, lastSeqOf, observeCommand, readBody, workflowIdOf } from './route-helpers.js';

export function registerApprovalRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { engine, audit } = deps;
  const store = engine.store;

  // Everything that waits for a person: gates, escalations and external steps (status waiting_for_human).
  app.get('/api/approvals', requireRole('viewer', audit), async (c) => {
    const waiting = await store.listWorkflows({ status: ['waiting_for_human'], limit: 200 });
    const items = [];
    for (const summary of waiting) {
      const state = await loadState(store, summary.id);
      const pending = pendingView(state);
      const stepId = pending.gate?.step_id ?? pending.escalation?.step_id ?? pending.external?.step_id;
      const latest = roundsView(state).findLast((r) => r.step_id === stepId) ?? null;
      items.push({ workflow: summaryView(summary, currentRound(state)), ...pending, latest_round: latest });
    }
    return c.json({ items });
  });

  // Roles and the audit row of an answer are the shared access layer's (src/interfaces/shared).
  app.post('/api/workflows/:id/approval', requireAccess(deps.access, 'gate'), async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, ApprovalSchema);
    const comment = input.comment !== undefined && input.comment.trim() !== '' ? { comment: input.comment } : {};
    let response: GateResponse;
    if (input.decision === 'request_changes') {
      if (input.change_requests === undefined || input.change_requests.length === 0) {
        throw new ConvergeError('USAGE', 'change_requests: request_changes needs at least one change.', {
          hint: 'Send change_requests: ["what to change", …].',
          details: { field: 'change_requests' },
        });
      }
      response = { decision: 'request_changes', changeRequests: input.change_requests, ...comment };
    } else {
      response = { decision: input.decision, ...comment };
    }
    const before = await lastSeqOf(deps, id);
    const state = await deps.access.respondToGate(callerOf(c), id, response);
    await observeCommand(deps, before, state);
    const summary = await store.getWorkflow(id);
    return c.json({ workflow: summaryView(summary!, currentRound(state)), recorded: input.decision });
  });

  app.post('/api/workflows/:id/escalation', requireAccess(deps.access, 'escalation'), async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, EscalationAnswerSchema);
    const answer = escalationAnswer(input);
    const before = await lastSeqOf(deps, id);
    const state = await deps.access.answerEscalation(callerOf(c), id, answer, input.comment);
    await observeCommand(deps, before, state);
    const summary = await store.getWorkflow(id);
    return c.json({ workflow: summaryView(summary!, currentRound(state)), recorded: input.answer });
  });
}

function escalationAnswer(input: { answer: string; rounds?: number | undefined; change_requests?: string[] | undefined; budget?: Budget | undefined }): EscalationAnswer {
  switch (input.answer) {
    case 'raise_budget':
      return { kind: 'raise_budget', budget: input.budget ?? {} };
    case 'grant_rounds':
      if (input.rounds === undefined) {
        throw new ConvergeError('USAGE', 'rounds: grant_rounds needs the number of rounds.', { hint: 'Send rounds: 1 (up to 20).', details: { field: 'rounds' } });
      }
      return { kind: 'grant_rounds', rounds: input.rounds };
    case 'send_back':
      if (input.change_requests === undefined || input.change_requests.length === 0) {
        throw new ConvergeError('USAGE', 'change_requests: send_back needs at least one change.', { hint: 'Send change_requests: ["…"].', details: { field: 'change_requests' } });
      }
      return { kind: 'send_back', changeRequests: input.change_requests };
    case 'accept':
      return { kind: 'accept' };
    case 'retry':
      return { kind: 'retry' };
    default:
      return { kind: 'cancel' };
  }
}
