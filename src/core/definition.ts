/**
 * Parsing a workflow definition: shape first (zod), then cross-references, with every
 * problem reported by its path in the document.
 */
import { WorkflowDefinitionSchema, COMPLETE } from './definition-schema.js';
import type { Step, WorkflowDefinition } from './definition-schema.js';
import { ConvergeError } from './errors.js';
import { didYouMean, problemsError, zodProblems } from './messages.js';
import type { Problem } from './messages.js';

export type DefinitionProblem = Problem;
export { zodProblems };

export function parseDefinition(input: unknown, source = 'workflow definition'): WorkflowDefinition {
  const parsed = WorkflowDefinitionSchema.safeParse(input);
  if (!parsed.success) throw definitionError(source, zodProblems(parsed.error, WorkflowDefinitionSchema, input));
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw definitionError(source, problems);
  return parsed.data;
}

function definitionError(source: string, problems: DefinitionProblem[]): ConvergeError {
  return problemsError('DEFINITION_INVALID', source, problems, 'Fix the listed fields; `converge schema` prints the JSON Schema.');
}

export function crossReferenceProblems(def: WorkflowDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const stepIds = new Set<string>();
  const numbers = new Set<number>();
  const phaseIds = new Set(def.phases.map((p) => p.id));
  const loopIds = new Set(def.loops.map((l) => l.id));
  const gateIds = new Set(def.gates.map((g) => g.id));
  const rubricIds = new Set(def.rubrics.map((r) => r.id));
  const byId = new Map(def.steps.map((s) => [s.id, s] as const));

  def.steps.forEach((step, i) => {
    if (stepIds.has(step.id)) add(`steps[${i}].id`, `duplicate step id "${step.id}"`);
    if (numbers.has(step.number)) add(`steps[${i}].number`, `duplicate step number ${step.number}`);
    stepIds.add(step.id);
    numbers.add(step.number);
  });

  const target = (path: string, ref: string | undefined, what: string, allowComplete: boolean) => {
    if (ref === undefined) return add(path, `required for a ${what}`);
    if (allowComplete && ref === COMPLETE) return;
    if (!byId.has(ref)) add(path, `unknown step "${ref}"${didYouMean(ref, [...stepIds])}`);
  };
  const produceTarget = (path: string, ref: string) => {
    const step = byId.get(ref);
    if (step === undefined) add(path, `unknown step "${ref}"${didYouMean(ref, [...stepIds])}`);
    else if (step.kind !== 'produce') add(path, `"${ref}" must be a produce step, it is a ${step.kind} step`);
  };

  if (!byId.has(def.start)) add('start', `unknown step "${def.start}"${didYouMean(def.start, [...stepIds])}`);

  def.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    if (!phaseIds.has(step.phase)) add(`${at}.phase`, `unknown phase "${step.phase}"${didYouMean(step.phase, phaseIds)}`);
    if (step.kind === 'produce') {
      target(`${at}.next`, step.next, 'produce step', true);
      for (const field of ['rubric', 'on_converged', 'on_not_converged', 'gate', 'review_gate', 'loop'] as const) {
        if (step[field] !== undefined) add(`${at}.${field}`, 'only a validate step can have this field');
      }
      return;
    }
    if (step.next !== undefined) add(`${at}.next`, 'a validate step goes on through on_converged / on_not_converged');
    if (step.rubric === undefined) add(`${at}.rubric`, 'required for a validate step');
    else if (!rubricIds.has(step.rubric)) add(`${at}.rubric`, `unknown rubric "${step.rubric}"${didYouMean(step.rubric, rubricIds)}`);
    target(`${at}.on_converged`, step.on_converged, 'validate step', true);
    if (step.on_not_converged === undefined) add(`${at}.on_not_converged`, 'required for a validate step');
    else produceTarget(`${at}.on_not_converged`, step.on_not_converged);
    if (step.loop === undefined) add(`${at}.loop`, 'required for a validate step, so that its revise loop has a cap');
    else if (!loopIds.has(step.loop)) add(`${at}.loop`, `unknown loop "${step.loop}"${didYouMean(step.loop, loopIds)}`);
    if (step.gate !== undefined && !gateIds.has(step.gate)) add(`${at}.gate`, `unknown gate "${step.gate}"${didYouMean(step.gate, gateIds)}`);
    if (step.review_gate !== undefined && !gateIds.has(step.review_gate)) {
      add(`${at}.review_gate`, `unknown gate "${step.review_gate}"${didYouMean(step.review_gate, gateIds)}`);
    }
  });

  def.loops.forEach((loop, i) => {
    if (!byId.has(loop.counts)) add(`loops[${i}].counts`, `unknown step "${loop.counts}"${didYouMean(loop.counts, [...stepIds])}`);
  });
  def.gates.forEach((gate, i) => produceTarget(`gates[${i}].changes_to`, gate.changes_to));
  checkPolicyGroups(def, add);
  checkProduceChainsReachValidation(def, byId, add);
  return problems;
}

/**
 * Groups a policy names must exist. A definition without `groups` is not checked here: its groups
 * may come from converge.yaml, and the loader checks again once they are merged.
 */
export function checkPolicyGroups(def: WorkflowDefinition, add: (path: string, message: string) => void): void {
  if (def.groups === undefined) return;
  const groupIds = Object.keys(def.groups);
  def.gates.forEach((gate, i) =>
    gate.approvals?.groups?.forEach((group, j) => {
      if (!groupIds.includes(group)) add(`gates[${i}].approvals.groups[${j}]`, `unknown group "${group}"${didYouMean(group, groupIds)}; define it under groups:`);
    }),
  );
}

/**
 * Every produce step must lead (through produce steps only) to a validate step or to the end;
 * a cycle of produce steps would never meet a cap and never terminate.
 */
function checkProduceChainsReachValidation(
  def: WorkflowDefinition,
  byId: Map<string, Step>,
  add: (path: string, message: string) => void,
): void {
  def.steps.forEach((step, i) => {
    const seen = new Set<string>();
    let current: Step | undefined = step;
    while (current !== undefined && current.kind === 'produce') {
      if (seen.has(current.id)) {
        add(`steps[${i}].next`, `produce steps form a cycle without a validate step (${[...seen].join(' → ')})`);
        return;
      }
      seen.add(current.id);
      const next: string | undefined = current.next;
      current = next === undefined || next === COMPLETE ? undefined : byId.get(next);
    }
  });
}

export { stepById } from './definition-steps.js';
