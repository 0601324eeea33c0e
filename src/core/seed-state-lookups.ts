/**
 * Definition lookups that both directions of the seed state share.
 */
import { ConvergeError } from './errors.js';
import type { Rubric, Step, WorkflowDefinition } from './definition-schema.js';
import type { ApprovalType } from './seed-state-shape.js';

export function stepOf(def: WorkflowDefinition, stepId: string): Step {
  const step = def.steps.find((s) => s.id === stepId);
  if (step === undefined) throw new ConvergeError('ILLEGAL_ACTION', `Workflow definition "${def.id}" has no step "${stepId}".`);
  return step;
}

export function rubricOf(def: WorkflowDefinition, step: Step): Rubric {
  return def.rubrics.find((r) => r.id === step.rubric) ?? { id: 'none', dimensions: {}, max_critical_issues: 0, required_checks: 'all' };
}

export function planValidateStep(def: WorkflowDefinition): Step | undefined {
  return def.steps.find((s) => s.kind === 'validate' && s.artifact === 'plan');
}

/** The seed knows three approvals: the plan gate, the code review after step 5, and the final one. */
export function approvalTypeOf(def: WorkflowDefinition, gateId: string): ApprovalType {
  if (def.steps.some((s) => s.review_gate === gateId)) return 'code';
  if (def.steps.some((s) => s.gate === gateId && s.artifact === 'plan')) return 'plan';
  return 'final';
}

