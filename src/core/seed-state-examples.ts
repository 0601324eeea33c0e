/**
 * The `input` of the seed's three usage examples (a fresh workflow, plan scores, an agent error),
 * read as a partial seed state.
 */
import type { z } from 'zod';
import { evaluateConvergence } from './convergence.js';
import { COMPLETE } from './definition-schema.js';
import type { Step, WorkflowDefinition } from './definition-schema.js';
import { approvalTypeOf, rubricOf, stepOf } from './seed-state-lookups.js';
import type { SeedExampleInputSchema } from './seed-state-input.js';
import type { ApprovalEntry, SeedStateInput, StepEntry } from './seed-state-input.js';
import { invalid, pathTo, seedReport, stepByNumber } from './seed-state-read.js';

export function isExampleInput(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'input' in json && !('workflow_id' in json);
}

/**
 * - requirements only → a fresh workflow;
 * - validation_scores → the first validation step completed with these scores. A hand-run workflow
 *   does not model the plan gate, so when the scores converge and the gate is on, the gate is
 *   recorded as approved (the seed's Example 2 goes straight to step 4);
 * - agent_error → the shortest path to that step, then the step failed with that error.
 */
export function fromExampleInput(example: z.output<typeof SeedExampleInputSchema>, def: WorkflowDefinition): SeedStateInput {
  const input = example.input;
  const history: StepEntry[] = [];
  const approvals: ApprovalEntry[] = [];
  if (input.agent_error !== undefined) {
    const error = input.agent_error;
    const step = stepByNumber(def, error.step, 'input.agent_error.step');
    if (error.agent !== step.role) {
      throw invalid([{ path: 'input.agent_error.agent', message: `step ${step.number} (${step.id}) is run by the ${step.role}, not "${error.agent}"` }]);
    }
    history.push(...pathFromStart(def, step, approvals));
    if (input.validation_scores !== undefined) {
      const lastValidation = history.findLast((e) => e.validation_scores !== undefined);
      if (lastValidation !== undefined) lastValidation.validation_scores = input.validation_scores;
    }
    history.push({ step_id: step.id, status: 'failed', error_info: { type: error.error_type, ...(error.message ? { message: error.message } : {}) } });
  } else if (input.validation_scores !== undefined) {
    const step = firstValidateStep(def);
    history.push(...pathFromStart(def, step, approvals));
    history.push({ step_id: step.id, status: 'completed', validation_scores: input.validation_scores });
    const gate = def.gates.find((g) => g.id === step.gate);
    const report = seedReport(def, step, history[history.length - 1]!, undefined);
    if (gate?.enabled === true && evaluateConvergence(rubricOf(def, step), report).converged) {
      approvals.push({ approval_type: approvalTypeOf(def, gate.id), gate_id: gate.id, status: 'approved', approver: 'seed-input' });
    }
  }
  return {
    workflow_id: input.workflow_id ?? 'seed-input',
    status: history.length === 0 ? 'initialized' : 'running',
    step_history: history,
    human_approvals: { summaries: {}, approval_history: approvals },
    workspace_context: {
      ...(input.workspace_type !== undefined ? { workspace_type: input.workspace_type } : {}),
      ...(input.workspace_path !== undefined ? { workspace_path: input.workspace_path } : {}),
    },
    requirements: {
      ...(input.requirements !== undefined ? { initial_requirements: input.requirements } : {}),
      ...(input.step_type !== undefined ? { step_type: input.step_type } : {}),
      ...(input.documentation_locations !== undefined ? { documentation_locations: input.documentation_locations } : {}),
    },
  };
}

/** The shortest path from the start to `target` (excluded); an unreachable step is named. */
export function pathFromStart(def: WorkflowDefinition, target: Step, approvals: ApprovalEntry[]): StepEntry[] {
  const path = pathTo(def, target, approvals);
  if (path === undefined) {
    throw invalid([{ path: 'step_history', message: `step ${target.number} (${target.id}) cannot be reached from "${def.start}"` }]);
  }
  return path;
}

function firstValidateStep(def: WorkflowDefinition): Step {
  const seen = new Set<string>();
  for (let step = stepOf(def, def.start); !seen.has(step.id); ) {
    if (step.kind === 'validate') return step;
    seen.add(step.id);
    if (step.next === undefined || step.next === COMPLETE) break;
    step = stepOf(def, step.next);
  }
  const any = def.steps.find((s) => s.kind === 'validate');
  if (any === undefined) throw invalid([{ path: 'input.validation_scores', message: `definition "${def.id}" has no validate step` }]);
  return any;
}
