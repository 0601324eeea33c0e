/**
 * The Decision: what to do next, in the seed's vocabulary (`action_type`, `target_agent`,
 * `template_to_use`, `step_number`, `rationale`, `recovery_strategy`, `context_to_provide`),
 * plus the fields the engine needs to carry it out.
 */
import type { RecoveryStrategy, Role } from './definition-schema.js';
import type { EscalationReason } from './events.js';

export const ACTION_TYPES = [
  'invoke_agent',
  'transition_phase',
  'request_human_approval',
  'retry_with_recovery',
  'escalate_to_human',
  'complete_workflow',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface Decision {
  action_type: ActionType;
  target_agent?: Role | 'human';
  template_to_use?: string;
  step_number?: number;
  rationale: string;
  recovery_strategy?: RecoveryStrategy;
  context_to_provide: Record<string, unknown>;
  /** Converge's own fields; a seed-style consumer can ignore them. */
  step_id?: string;
  templates?: string[];
  attempt?: number;
  timeout_ms?: number;
  /** Don't start before this time (a retry's backoff or retry-after). */
  not_before?: string;
  next_phase?: string;
  gate_id?: string;
  escalation?: { reason: EscalationReason; loop_id?: string; message: string };
  change_requests?: string[];
  decision_source: 'core' | 'advisor';
}

/** The seed's view of a decision: exactly its documented fields, in its order. */
export function seedDecision(d: Decision): Record<string, unknown> {
  const out: Record<string, unknown> = { action_type: d.action_type };
  if (d.target_agent !== undefined) out.target_agent = d.target_agent;
  if (d.template_to_use !== undefined) out.template_to_use = d.template_to_use;
  if (d.recovery_strategy !== undefined) out.recovery_strategy = d.recovery_strategy;
  if (d.step_number !== undefined) out.step_number = d.step_number;
  out.rationale = d.rationale;
  out.context_to_provide = d.context_to_provide;
  return out;
}
