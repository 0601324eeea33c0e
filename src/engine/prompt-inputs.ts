/**
 * The variables a step's template is rendered with, resolved from the durable record.
 */
import type { WorkflowDefinition } from '../core/definition-schema.js';
import type { FileChange } from '../core/records.js';
import type { StepRun, WorkflowState } from '../core/state.js';
import { formatFiles, formatReport, formatToolResults } from './report-format.js';

export interface PromptInputs {
  requirements: string;
  step_type: string;
  documentation_locations: string[];
  workspace: { type: string; path: string };
  knowledge: string;
  plan: string;
  code: string;
  validation_report: string;
  original_artifact: string;
  change_requests: string[];
  check_results: string;
  step_number: number;
  iteration: number;
  repair_errors: string;
  [key: string]: unknown;
}

/** Every file the code artifact has touched so far, latest content winning. */
export function currentCodeFiles(state: WorkflowState, artifact = 'code'): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const out of state.outputs) {
    if (out.output.artifact !== artifact) continue;
    for (const file of out.output.files) byPath.set(file.path, file);
  }
  return [...byPath.values()];
}

export function promptInputs(def: WorkflowDefinition, state: WorkflowState, run: StepRun, knowledge = ''): PromptInputs {
  const step = def.steps.find((s) => s.id === run.stepId)!;
  const latest = (artifact: string) => state.outputs.findLast((o) => o.output.artifact === artifact);
  const plan = latest('plan')?.output.content ?? '';
  const codeFiles = currentCodeFiles(state);
  const validateSteps = new Set(def.steps.filter((s) => s.kind === 'validate' && s.artifact === step.artifact).map((s) => s.id));
  const lastValidation = state.validations.findLast((v) => validateSteps.has(v.stepId));
  const rubric = lastValidation && def.rubrics.find((r) => r.id === def.steps.find((s) => s.id === lastValidation.stepId)?.rubric);
  const original = latest(step.artifact);
  const previousRun = state.runs.filter((r) => r.stepId === run.stepId && r.actionId !== run.actionId).at(-1);

  return {
    requirements: state.requirements,
    step_type: state.taskType ?? '',
    documentation_locations: state.documentationLocations,
    workspace: { type: state.workspace.type, path: state.workspace.path },
    knowledge,
    plan,
    code: formatFiles(codeFiles),
    validation_report: lastValidation ? formatReport(lastValidation.report, rubric) : '',
    original_artifact: original === undefined ? '' : step.artifact === 'code' ? formatFiles(codeFiles) : original.output.content,
    change_requests: run.changeRequests,
    check_results: run.checks ? formatToolResults(run.checks) : '',
    step_number: step.number,
    iteration: step.kind === 'validate'
      ? state.validations.filter((v) => v.loopId === step.loop).length + 1
      : state.outputs.filter((o) => o.output.artifact === step.artifact).length + 1,
    repair_errors:
      run.recoveryStrategy === 'repair_prompt' && previousRun?.failure ? previousRun.failure.message : '',
  };
}
