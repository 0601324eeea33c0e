/**
 * Budgets over HTTP (issue 17, part 6): a start may give its own budget, the workflow view carries
 * the budget as bars (used, max, fraction, state), and a budget escalation is answered with
 * raise_budget.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('budget over HTTP', () => {
  let kit: HttpKit;
  beforeEach(async () => {
    kit = await createHttpKit({ config: 'converge-budget.yaml' });
  });
  afterEach(() => kit.close());

  async function startWith(budget: Record<string, unknown>): Promise<string> {
    const { status, body } = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'Write the value file', workspace: 'project', budget } });
    expect(status).toBe(201);
    await kit.engine.runner.run(body.workflow.workflow_id);
    return body.workflow.workflow_id;
  }

  it('escalates, shows the bar, and continues once raise_budget is answered', async () => {
    const id = await startWith({ max_cost_usd: 0.02, max_tokens: 100_000 });
    const view = (await kit.json('GET', `/api/workflows/${id}`, { role: 'viewer' })).body;
    expect(view.waiting_for).toBe('escalation:budget');
    expect(view.escalation).toMatchObject({ reason: 'budget', answers: ['raise_budget', 'accept', 'cancel'] });
    expect(view.budget).toMatchObject({
      accepted: false,
      limits: [
        { limit: 'cost', used: 0.05, max: 0.02, state: 'reached', text: '$0.05 of $0.02' },
        { limit: 'tokens', used: 2000, max: 100_000, fraction: 0.02, state: 'ok' },
      ],
    });
    const answer = await kit.json('POST', `/api/workflows/${id}/escalation`, { role: 'approver', body: { answer: 'raise_budget', budget: { max_cost_usd: 0.5 } } });
    expect(answer.status).toBe(200);
    expect((await kit.audit.read()).at(-1)).toMatchObject({ action: 'escalation.raise_budget', details: { outcome: 'ok' } });
    expect((await kit.engine.runner.run(id)).waitingFor).toBe('gate:plan_approval');
  });

  it('names the field of a budget it cannot read', async () => {
    const { status, body } = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'x', workspace: 'project', budget: { max_cost_usd: -1 } } });
    expect(status).toBe(400);
    expect(body.details.field).toBe('budget.max_cost_usd');
  });

  it('shows no budget bar for a workflow without a budget', async () => {
    const plain = await createHttpKit();
    const id = await plain.workflowAtPlanGate();
    expect((await plain.json('GET', `/api/workflows/${id}`, { role: 'viewer' })).body.budget).toBeNull();
    await plain.close();
  });
});
