/**
 * Approval policies in the core: the reducer keeps a gate open until its policy is met, and
 * policyRefusal names why an answer would not count (roles, groups, distinct people, the starter).
 */
import { describe, expect, it } from 'vitest';
import { approvalProgress, needsPeople, policyRefusal } from '../../src/core/approval-policy.js';
import type { ApprovalPolicy } from '../../src/core/definition-schema.js';
import type { Actor } from '../../src/core/events.js';
import { Run, sevenStep } from './helpers.js';

function withPolicy(policy: Partial<ApprovalPolicy>, groups?: Record<string, string[]>) {
  return sevenStep((doc) => {
    doc.gates.find((g: { id: string }) => g.id === 'plan_approval').approvals = policy;
    if (groups !== undefined) doc.groups = groups;
  });
}

function atPlanGate(policy: Partial<ApprovalPolicy>, options: { groups?: Record<string, string[]>; starter?: Actor } = {}): Run {
  return new Run(withPolicy(policy, options.groups), options.starter !== undefined ? { actor: options.starter } : {})
    .toPlanGate()
    .askGate('plan_approval', 'validate_plan');
}

function approve(run: Run, who: string, decision: 'approve' | 'reject' | 'request_changes' = 'approve'): Run {
  return run.push({ type: 'approval_decided', at: '', interactionId: 'i1', decision, changeRequests: decision === 'request_changes' ? ['more'] : [], actor: { id: who, via: 'http' } });
}

describe('approval policy', () => {
  describe('required: 2, distinct_people', () => {
    it('keeps the gate open after one approval and counts it', () => {
      const run = approve(atPlanGate({ required: 2 }), 'alice');
      const state = run.state();
      expect(state.gate).not.toBeNull();
      expect(state.status).toBe('waiting_for_human');
      expect(run.decide()).toBeNull();
      expect(approvalProgress(state)).toMatchObject({ required: 2, given: 1, votes: [{ actor: { id: 'alice' } }] });
    });

    it('keeps the gate open when the same person approves twice', () => {
      const run = approve(approve(atPlanGate({ required: 2 }), 'alice'), 'alice');
      expect(run.state().gate).not.toBeNull();
      expect(approvalProgress(run.state())).toMatchObject({ given: 1 });
    });

    it('opens the gate at the second person and keeps who approved before', () => {
      const run = approve(approve(atPlanGate({ required: 2 }), 'alice'), 'bob');
      const state = run.state();
      expect(state.gate).toBeNull();
      expect(state.approvals.at(-1)).toMatchObject({ decision: 'approve', actor: { id: 'bob' }, earlier: [{ actor: { id: 'alice' } }] });
      expect(run.decide()).toMatchObject({ step_id: 'implement' });
    });

    it('counts the same person twice when distinct_people is false', () => {
      const run = approve(approve(atPlanGate({ required: 2, distinct_people: false }), 'alice'), 'alice');
      expect(run.state().gate).toBeNull();
    });

    it('rejects at once on a reject after one approval', () => {
      const run = approve(approve(atPlanGate({ required: 2 }), 'alice'), 'bob', 'reject');
      expect(run.state().status).toBe('rejected');
    });

    it('sends back at once on a change request', () => {
      const run = approve(atPlanGate({ required: 2 }), 'bob', 'request_changes');
      expect(run.decide()).toMatchObject({ step_id: 'revise_plan', change_requests: ['more'] });
    });

    it('refuses a second approval by the same person, saying how many more are needed', () => {
      const run = approve(atPlanGate({ required: 2 }), 'alice');
      expect(policyRefusal(run.state(), { name: 'alice', role: 'approver' }, 'approve')?.message).toMatch(/alice already approved .*1 more approval from other people/);
      expect(policyRefusal(run.state(), { name: 'bob', role: 'approver' }, 'approve')).toBeNull();
    });
  });

  describe('who qualifies', () => {
    it('accepts only the named roles', () => {
      const state = atPlanGate({ roles: ['admin'] }).state();
      expect(policyRefusal(state, { name: 'ann', role: 'approver' }, 'approve')?.message).toMatch(/ann \(approver\) may not answer .*the admin role/);
      expect(policyRefusal(state, { name: 'ann', role: 'approver' }, 'reject')?.message).toMatch(/may not answer/);
      expect(policyRefusal(state, { name: 'root', role: 'admin' }, 'approve')).toBeNull();
    });

    it('accepts members of a named group', () => {
      const state = atPlanGate({ groups: ['leads'] }, { groups: { leads: ['alice', 'bob'] } }).state();
      expect(policyRefusal(state, { name: 'carol', role: 'admin' }, 'approve')?.message).toMatch(/group leads/);
      expect(policyRefusal(state, { name: 'bob', role: 'approver' }, 'approve')).toBeNull();
    });

    it('refuses the starter when not_the_starter, but lets them reject', () => {
      const state = atPlanGate({ not_the_starter: true }, { starter: { id: 'sam', via: 'cli' } }).state();
      expect(policyRefusal(state, { name: 'sam', role: 'admin' }, 'approve')?.message).toMatch(/sam started workflow/);
      expect(policyRefusal(state, { name: 'sam', role: 'admin' }, 'reject')).toBeNull();
      expect(policyRefusal(state, { name: 'tia', role: 'approver' }, 'approve')).toBeNull();
    });

    it('says the starter is unknown in a log from before it was recorded', () => {
      const state = atPlanGate({ not_the_starter: true }).state();
      expect(policyRefusal(state, { name: 'tia', role: 'approver' }, 'approve')?.message).toMatch(/does not say who that was/);
    });
  });

  it('leaves a gate without a policy as it was: one approval opens it', () => {
    const run = new Run().toPlanGate().askGate('plan_approval', 'validate_plan').answerGate('approve');
    expect(run.state().gate).toBeNull();
    expect(run.state().approvals.at(-1)?.earlier).toBeUndefined();
  });

  it.each([
    [{ required: 1, distinct_people: true, not_the_starter: false }, false],
    [{ required: 2, distinct_people: true, not_the_starter: false }, true],
    [{ required: 1, distinct_people: true, not_the_starter: true }, true],
    [{ required: 1, roles: ['admin' as const], distinct_people: true, not_the_starter: false }, true],
  ])('needs people for %j: %s', (policy, expected) => {
    expect(needsPeople(policy)).toBe(expected);
  });
});
