/**
 * Helpers for reading a seed state: its errors, step lookups, the path to a step, and the report a
 * history entry stands for.
 */
import type { z } from 'zod';
import { COMPLETE, FailureClassSchema } from './definition-schema.js';
import type { FailureClass, Step, WorkflowDefinition } from './definition-schema.js';
import { ConvergeError, formatPath } from './errors.js';
import { classifyErrorType } from './recovery.js';
import type { Issue, ValidationReport } from './records.js';
import { approvalTypeOf, rubricOf, stepOf } from './seed-state-lookups.js';
import type { ScoresInput } from './seed-state-input.js';
import type { ApprovalEntry, StepEntry } from './seed-state-input.js';

export interface Problem {
  path: string;
  message: string;
}

const DEFAULT_HINT =
  'Give at least workflow_id and status (initialized|running|paused|completed|failed|cancelled), or one of the ' +
  'seed\'s example inputs ({ "input": { … } }); `converge export --format seed-state` prints a complete one.';

export function invalid(problems: Problem[], hint = DEFAULT_HINT): ConvergeError {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
  return new ConvergeError('SEED_STATE_INVALID', `The seed state has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines}`, {
    hint,
    details: { problems },
  });
}

export function parse<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw invalid(parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
}

export function stepByNumber(def: WorkflowDefinition, number: number, path: string): Step {
  const step = def.steps.find((s) => s.number === number);
  if (step === undefined) {
    const known = def.steps.map((s) => s.number).join(', ');
    throw invalid([{ path, message: `definition "${def.id}" has no step ${number} (its steps are ${known})` }]);
  }
  return step;
}

/** The step a history entry ran, checked against its step_number and agent; `at` names the entry in errors. */
export function entryStep(def: WorkflowDefinition, entry: StepEntry, at: string): Step {
  const step =
    entry.step_id !== undefined ? def.steps.find((s) => s.id === entry.step_id) : def.steps.find((s) => s.number === entry.step_number);
  if (step === undefined) {
    const field = entry.step_id !== undefined ? 'step_id' : 'step_number';
    const known = def.steps.map((s) => `${s.number} ${s.id}`).join(', ');
    throw invalid([{ path: `${at}.${field}`, message: `definition "${def.id}" has no step ${JSON.stringify(entry[field])} (it has ${known})` }]);
  }
  if (entry.step_number !== undefined && entry.step_number !== step.number) {
    throw invalid([{ path: `${at}.step_number`, message: `step "${step.id}" is number ${step.number}, not ${entry.step_number}` }]);
  }
  if (entry.agent !== undefined && entry.agent !== step.role) {
    throw invalid([{ path: `${at}.agent`, message: `step ${step.number} (${step.id}) is run by the ${step.role}, not "${entry.agent}"` }]);
  }
  return step;
}

/**
 * Completed entries along the shortest path to `target` (excluded): from the definition's start
 * (included), or, given `after`, from the step after it. Produce steps follow `next`, validations
 * converge or not as the path needs, and gates passed on the way are recorded as approved in
 * `approvals`. Undefined when `target` cannot be reached.
 */
export function pathTo(def: WorkflowDefinition, target: Step, approvals: ApprovalEntry[], after?: Step): StepEntry[] | undefined {
  const from = after?.id ?? def.start;
  const previous = new Map<string, { from: string; converged: boolean } | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0 && !previous.has(target.id)) {
    const step = stepOf(def, queue.shift()!);
    const edges: Array<[string | undefined, boolean]> =
      step.kind === 'produce' ? [[step.next, true]] : [[step.on_converged, true], [step.on_not_converged, false]];
    for (const [to, converged] of edges) {
      if (to === undefined || to === COMPLETE || previous.has(to)) continue;
      previous.set(to, { from: step.id, converged });
      queue.push(to);
    }
  }
  if (!previous.has(target.id)) return undefined;
  const path: Array<{ step: Step; converged: boolean }> = [];
  for (let at = previous.get(target.id); at != null; at = previous.get(at.from)) {
    path.unshift({ step: stepOf(def, at.from), converged: at.converged });
  }
  // `after` already has its entry; only the steps between it and the target are new.
  if (after !== undefined) path.shift();
  return path.map(({ step, converged }) => {
    if (step.kind === 'produce') return { step_id: step.id, status: 'completed' };
    const rubric = rubricOf(def, step);
    const scores: Record<string, number> = {};
    for (const [name, dim] of Object.entries(rubric.dimensions)) {
      if (dim.min !== undefined) scores[`${name}_score`] = converged ? dim.min : Math.max(0, dim.min - 1);
    }
    const needsIssue = !converged && Object.keys(scores).length === 0;
    for (const gateId of [step.review_gate, converged ? step.gate : undefined]) {
      const gate = def.gates.find((g) => g.id === gateId);
      if (gate?.enabled === true) {
        approvals.push({ approval_type: approvalTypeOf(def, gate.id), gate_id: gate.id, status: 'approved', approver: 'seed-input' });
      }
    }
    return {
      step_id: step.id,
      status: 'completed',
      validation_scores: scores,
      ...(needsIssue ? { output: { critical_issues: rubric.max_critical_issues + 1 } } : {}),
    };
  });
}

/** A validation report rebuilt from a history entry: scores, issue counts and checks. */
export function seedReport(
  def: WorkflowDefinition,
  step: Step,
  entry: StepEntry,
  fallback: z.output<typeof ScoresInput> | undefined,
): ValidationReport {
  const dimensions: Record<string, number> = {};
  let weighted: number | undefined;
  for (const [key, value] of Object.entries(entry.validation_scores ?? fallback ?? {})) {
    if (value === null) continue;
    if (key === 'overall_score') weighted = value;
    else dimensions[key.endsWith('_score') ? key.slice(0, -'_score'.length) : key] = value;
  }
  const out = typeof entry.output === 'object' && entry.output !== null ? entry.output : {};
  const issues: Issue[] = [];
  for (const severity of ['critical', 'major', 'minor'] as const) {
    const count = out[`${severity}_issues`] ?? 0;
    for (let n = 1; n <= count; n++) {
      issues.push({ severity, source: 'llm', level: 1, message: `${severity} issue ${n} (from the seed state)` });
    }
  }
  const rubric = rubricOf(def, step);
  const missing = Object.keys(rubric.dimensions).filter((name) => dimensions[name] === undefined);
  return {
    kind: out.report_kind ?? (step.artifact === 'plan' ? 'plan' : 'code'),
    scoreCard: { dimensions, ...(weighted !== undefined ? { weighted } : {}), missing },
    issues,
    toolResults: (out.checks ?? []).map((c) => ({
      toolId: c.id,
      status: c.status,
      level: 2,
      required: c.required,
      ...(c.coverage !== undefined ? { coverage: c.coverage } : {}),
      summary: '',
      issues: [],
      durationMs: 0,
    })),
    ...(out.overall != null ? { overall: out.overall } : {}),
    summary: typeof entry.output === 'string' ? entry.output : (out.summary ?? ''),
  };
}

/** Our failure classes are kept as they are; the seed's words (validation_timeout, RateLimitError, …) are classified. */
export function failureClassOf(type: string | undefined): FailureClass {
  if (type === undefined) return 'unknown';
  const exact = FailureClassSchema.safeParse(type);
  return exact.success ? exact.data : classifyErrorType(type);
}
