/**
 * Finding steps in a definition, apart from the zod schemas of definition-schema.ts, so that
 * folding and deciding on a workflow's log (`converge status`) loads no schema library.
 */
import type { Step, WorkflowDefinition } from './definition-schema.js';
import { ConvergeError } from './errors.js';

/** The end of the workflow, usable wherever a step id is expected. */
export const COMPLETE = 'complete';

export function stepById(def: WorkflowDefinition, stepId: string): Step {
  const step = def.steps.find((s) => s.id === stepId);
  if (step === undefined) {
    throw new ConvergeError('ILLEGAL_ACTION', `Workflow definition "${def.id}" has no step "${stepId}".`);
  }
  return step;
}
