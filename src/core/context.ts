/**
 * What each step's agent is given (digest §1.A.6). Artifacts are passed by reference
 * (`{ ref: 'output', artifact, version }`); the engine resolves them when it renders the prompt,
 * so decisions stay small in the log.
 */
import type { Step, WorkflowDefinition } from './definition-schema.js';
import type { WorkflowState } from './state.js';

export interface OutputRef {
  ref: 'output';
  artifact: string;
  version: number;
}
export interface ValidationRef {
  ref: 'validation';
  stepId: string;
  round: number;
  loopId?: string;
}

export function latestOutputRef(state: WorkflowState, artifact: string): OutputRef | undefined {
  const latest = state.outputs.findLast((o) => o.output.artifact === artifact);
  return latest === undefined ? undefined : { ref: 'output', artifact, version: latest.version };
}

export function latestValidationRef(def: WorkflowDefinition, state: WorkflowState, artifact: string): ValidationRef | undefined {
  const steps = new Set(def.steps.filter((s) => s.kind === 'validate' && s.artifact === artifact).map((s) => s.id));
  const latest = state.validations.findLast((v) => steps.has(v.stepId));
  if (latest === undefined) return undefined;
  return { ref: 'validation', stepId: latest.stepId, round: latest.round, ...(latest.loopId ? { loopId: latest.loopId } : {}) };
}

/** The seed calls the plan handed to the programmer "the validated implementation plan". */
function inputKey(artifact: string): string {
  return artifact === 'plan' ? 'implementation_plan' : artifact;
}

export function contextFor(
  def: WorkflowDefinition,
  state: WorkflowState,
  step: Step,
  changeRequests: readonly string[],
): Record<string, unknown> {
  const context: Record<string, unknown> = {
    workflow_id: state.workflowId,
    current_step: step.number,
    current_phase: step.phase,
    workspace_context: { workspace_type: state.workspace.type, workspace_path: state.workspace.path },
  };
  if (step.kind === 'validate') {
    context.validation_target = latestOutputRef(state, step.artifact) ?? null;
    context.validation_type = step.artifact;
    return context;
  }
  context.requirements = state.requirements;
  const original = latestOutputRef(state, step.artifact);
  if (original === undefined) {
    context.documentation_locations = state.documentationLocations;
    if (state.taskType !== undefined) context.step_type = state.taskType;
  } else {
    context.original_artifact = original;
    context.validation_report = latestValidationRef(def, state, step.artifact) ?? null;
  }
  for (const other of new Set(state.outputs.map((o) => o.output.artifact))) {
    if (other !== step.artifact) context[inputKey(other)] = latestOutputRef(state, other);
  }
  if (changeRequests.length > 0) context.change_requests = [...changeRequests];
  return context;
}
