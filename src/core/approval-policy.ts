/**
 * Approval policies: how many people must approve a gate, and who counts. The access layer asks
 * `policyRefusal` before it records an answer (so a refusal names the rule); the reducer asks
 * `closesGate` when the answer is recorded, so a gate opens only once its policy is met — on
 * replay as on the day, whatever interface the answers came through.
 */
import type { ApprovalPolicy, Gate, WorkflowDefinition } from './definition-schema.js';
import type { ApprovalDecision } from './events.js';
import type { ApprovalVote, PendingGate, WorkflowState } from './state.js';

/** A gate without `approvals`: one approval by anyone who may approve. */
export const DEFAULT_APPROVAL_POLICY: Readonly<ApprovalPolicy> = Object.freeze({ required: 1, distinct_people: true, not_the_starter: false });

export function policyOf(def: WorkflowDefinition, gateId: string): ApprovalPolicy {
  return gateOf(def, gateId)?.approvals ?? DEFAULT_APPROVAL_POLICY;
}

function gateOf(def: WorkflowDefinition, gateId: string): Gate | undefined {
  return def.gates.find((g) => g.id === gateId);
}

/**
 * A policy that says who may approve, or asks for more than one approval, is met only by people:
 * `--auto-approve` and a timeout's `approve` leave such a gate waiting (as for protected paths).
 */
export function needsPeople(policy: ApprovalPolicy): boolean {
  return policy.required > 1 || policy.roles !== undefined || policy.groups !== undefined || policy.not_the_starter;
}

/** How many of `votes` count: one per person when the policy wants distinct people. */
export function countedApprovals(policy: ApprovalPolicy, votes: readonly ApprovalVote[]): number {
  return policy.distinct_people ? new Set(votes.map((v) => v.actor.id)).size : votes.length;
}

/** Whether an answer closes the pending gate: any reject or change request, an automatic answer, or the approval that meets the policy. */
export function closesGate(def: WorkflowDefinition, gate: PendingGate, decision: ApprovalDecision, vote: ApprovalVote, automatic: boolean): boolean {
  if (decision !== 'approve' || automatic) return true;
  const policy = policyOf(def, gate.gateId);
  return countedApprovals(policy, [...(gate.approvals ?? []), vote]) >= policy.required;
}

export interface Approver {
  /** The token's name, the MCP client's, or the CLI user's (`--as`). */
  name: string;
  role: string;
}

export interface PolicyRefusal {
  /** not_qualified and starter: who the person is; starter_unknown: an older log; already_approved: the same person again. */
  rule: 'not_qualified' | 'starter' | 'starter_unknown' | 'already_approved';
  message: string;
}

/**
 * Why this person's answer does not count at the pending gate, or null when it does. Roles and
 * groups say who may answer at all; distinct people and the starter rule apply to approvals only,
 * since stopping a workflow (reject) or sending it back is never the risk a policy guards against.
 */
export function policyRefusal(state: WorkflowState, approver: Approver, decision: ApprovalDecision): PolicyRefusal | null {
  const gate = state.gate;
  if (gate === null) return null;
  const def = state.definition;
  const policy = policyOf(def, gate.gateId);
  const name = `gate "${gate.gateId}" of workflow ${state.workflowId}`;
  if (!qualifies(def, policy, approver)) {
    return { rule: 'not_qualified', message: `${approver.name} (${approver.role}) may not answer ${name}: its policy accepts ${whoQualifies(policy)}` };
  }
  if (decision !== 'approve') return null;
  if (policy.not_the_starter) {
    if (state.startedBy === undefined) {
      return {
        rule: 'starter_unknown',
        message: `${name} excludes the person who started the workflow, and its log does not say who that was (it was started before Converge recorded it), so no approval can be checked against that rule`,
      };
    }
    if (state.startedBy.id === approver.name) {
      return { rule: 'starter', message: `${approver.name} started workflow ${state.workflowId}, and ${name} needs its approvals from someone else` };
    }
  }
  if (policy.distinct_people && (gate.approvals ?? []).some((v) => v.actor.id === approver.name)) {
    const missing = policy.required - countedApprovals(policy, gate.approvals ?? []);
    return { rule: 'already_approved', message: `${approver.name} already approved ${name}; it needs ${missing} more approval${missing === 1 ? '' : 's'} from other people` };
  }
  return null;
}

function qualifies(def: WorkflowDefinition, policy: ApprovalPolicy, approver: Approver): boolean {
  if (policy.roles === undefined && policy.groups === undefined) return true;
  if (policy.roles?.some((r) => r === approver.role)) return true;
  return policy.groups?.some((g) => def.groups?.[g]?.includes(approver.name) === true) ?? false;
}

/** "people with the admin role or in group leads", for refusals and views. */
export function whoQualifies(policy: ApprovalPolicy): string {
  const parts = [
    ...(policy.roles !== undefined ? [`the ${policy.roles.join(' or ')} role`] : []),
    ...(policy.groups !== undefined ? [`group${policy.groups.length === 1 ? '' : 's'} ${policy.groups.join(', ')}`] : []),
  ];
  return parts.length === 0 ? 'any approver' : `people with ${parts.join(' or in ')}`;
}

export interface ApprovalProgress {
  required: number;
  /** Approvals that count so far. */
  given: number;
  votes: ApprovalVote[];
  policy: ApprovalPolicy;
}

/** "1 of 2 approvals, by alice": what the pending gate has so far. */
export function approvalProgress(state: WorkflowState): ApprovalProgress | null {
  if (state.gate === null) return null;
  const policy = policyOf(state.definition, state.gate.gateId);
  const votes = state.gate.approvals ?? [];
  return { required: policy.required, given: countedApprovals(policy, votes), votes, policy };
}
