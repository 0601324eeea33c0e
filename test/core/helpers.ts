/**
 * Builders for core tests: the seven-step definition, validation reports, and `Run`, which
 * appends the events the engine would append and folds them with the real reducer.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { reduce } from '../../src/core/apply.js';
import { decide } from '../../src/core/decide.js';
import type { Decision } from '../../src/core/decision.js';
import { parseDefinition } from '../../src/core/definition.js';
import type { FailureClass, RecoveryStrategy, WorkflowDefinition } from '../../src/core/definition-schema.js';
import { FailureClassSchema } from '../../src/core/definition-schema.js';
import type {
  ApprovalDecision,
  EscalationAnswer,
  EscalationReason,
  NewEvent,
  WorkflowEvent,
} from '../../src/core/events.js';
import type { Issue, Severity, ToolResult, ValidationReport } from '../../src/core/records.js';
import type { WorkflowState } from '../../src/core/state.js';

export const SEVEN_STEP_FILE = new URL('../../src/workflows/definitions/seven-step.yaml', import.meta.url);

let sevenStepText: string | undefined;

/** The built-in definition as a plain document, to edit before parsing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sevenStepDocument(): any {
  sevenStepText ??= readFileSync(SEVEN_STEP_FILE, 'utf8');
  return parseYaml(sevenStepText);
}

/** The seven-step definition, optionally edited first (e.g. to enable the code review gate). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sevenStep(edit?: (doc: any) => void): WorkflowDefinition {
  const doc = sevenStepDocument();
  edit?.(doc);
  return parseDefinition(doc, 'seven-step.yaml');
}

// ── Reports ─────────────────────────────────────────────────────────────────────────────────
export interface Counts {
  critical?: number;
  major?: number;
  minor?: number;
}

function issues(counts: Counts): Issue[] {
  const out: Issue[] = [];
  for (const severity of ['critical', 'major', 'minor'] as const satisfies readonly Severity[]) {
    for (let n = 0; n < (counts[severity] ?? 0); n++) {
      out.push({ severity, source: 'llm', level: 1, message: `${severity} issue ${n + 1}` });
    }
  }
  return out;
}

/** A plan validation report; leave a score out to make it missing. */
export function planReport(
  scores: { alignment?: number; standardization?: number; compatibility?: number },
  counts: Counts = {},
): ValidationReport {
  const dimensions = Object.fromEntries(Object.entries(scores).filter(([, v]) => v !== undefined)) as Record<string, number>;
  return { kind: 'plan', scoreCard: { dimensions, missing: [] }, issues: issues(counts), toolResults: [], summary: 'plan report' };
}

export interface CheckSpec {
  id: string;
  status: ToolResult['status'];
  required?: boolean;
  coverage?: number;
}

export function check(spec: CheckSpec): ToolResult {
  return {
    toolId: spec.id,
    status: spec.status,
    level: 2,
    required: spec.required ?? true,
    ...(spec.coverage !== undefined ? { coverage: spec.coverage } : {}),
    summary: '',
    issues: [],
    durationMs: 1,
  };
}

/**
 * A code validation report. Its review scores default to 8.5 / 8.5, above the code rubric's L1
 * gate (7.0), so a row fails only for the reason it names; pass `{}` for a review without scores.
 */
export function codeReport(
  checks: CheckSpec[],
  counts: Counts = {},
  scores: Record<string, number> = { alignment: 8.5, standardization: 8.5 },
): ValidationReport {
  return {
    kind: 'code',
    scoreCard: { dimensions: scores, missing: [] },
    issues: issues(counts),
    toolResults: checks.map(check),
    summary: 'code report',
  };
}

export const PASSING_PLAN = planReport({ alignment: 9.2, standardization: 8.5, compatibility: 8.8 });
export const FAILING_PLAN = planReport({ alignment: 8.5, standardization: 8.5, compatibility: 8.8 });
export const PASSING_CODE = codeReport([{ id: 'tests', status: 'passed', coverage: 91 }, { id: 'tsc', status: 'passed' }], { minor: 1 });
// Without scores: the same weighted score round after round would read as a stall.
export const FAILING_CODE = codeReport([{ id: 'tests', status: 'failed', coverage: 91 }, { id: 'tsc', status: 'passed' }], {}, {});

/** A plan report whose three scores are all `score` (weighted score = `score`). */
export function flatPlan(score: number): ValidationReport {
  return planReport({ alignment: score, standardization: score, compatibility: score });
}

// ── Runs ────────────────────────────────────────────────────────────────────────────────────
export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
export const HUMAN = { id: 'ada', via: 'cli' } as const;

export interface ScheduleOptions {
  attempt?: number;
  timeoutMs?: number;
  recoveryStrategy?: RecoveryStrategy;
  changeRequests?: string[];
  notBefore?: string;
}

/**
 * A workflow's event log under construction. Every method appends what the engine would append
 * and returns `this`; `state()` folds the log with the real reducer. Event `n` happens at T0 + n s.
 */
export class Run {
  readonly events: WorkflowEvent[] = [];
  private actions = 0;
  private interactions = 0;

  constructor(
    readonly def: WorkflowDefinition = sevenStep(),
    start: Partial<Extract<NewEvent, { type: 'workflow_started' }>> = {},
  ) {
    this.push({
      type: 'workflow_started',
      at: '',
      definition: def,
      requirements: 'Create a new data preprocessing step for tabular data',
      workspace: { path: '/repo', type: 'shared' },
      documentationLocations: ['slipbox/0_developer_guide/', 'src/cursus/steps/'],
      autoApprove: false,
      ...start,
    } as NewEvent);
  }

  static timeOf(seq: number): string {
    return new Date(T0 + seq * 1000).toISOString();
  }

  push(event: NewEvent): this {
    const seq = this.events.length + 1;
    this.events.push({ ...event, seq, at: Run.timeOf(seq) } as WorkflowEvent);
    return this;
  }

  state(): WorkflowState {
    if (this.cache?.length !== this.events.length) this.cache = { length: this.events.length, state: reduce('wf_test', this.events) };
    return this.cache.state;
  }
  private cache: { length: number; state: WorkflowState } | undefined;

  decide(): Decision | null {
    return decide(this.def, this.state());
  }

  /** step_scheduled + step_started, after a phase transition when the step is in another phase. */
  schedule(stepId: string, options: ScheduleOptions = {}): this {
    const step = this.def.steps.find((s) => s.id === stepId);
    if (step === undefined) throw new Error(`test: no step ${stepId}`);
    const phase = this.state().phase;
    if (step.phase !== phase) this.push({ type: 'phase_transitioned', at: '', from: phase, to: step.phase, trigger: 'test' });
    const actionId = `a${++this.actions}`;
    this.push({
      type: 'step_scheduled',
      at: '',
      actionId,
      stepId,
      attempt: options.attempt ?? 1,
      timeoutMs: options.timeoutMs ?? (step.timeout_s ?? this.def.timeouts.step_s) * 1000,
      decisionType: options.recoveryStrategy !== undefined ? 'retry_with_recovery' : step.phase !== phase ? 'transition_phase' : 'invoke_agent',
      rationale: 'test',
      ...(options.recoveryStrategy !== undefined ? { recoveryStrategy: options.recoveryStrategy } : {}),
      ...(options.changeRequests !== undefined ? { changeRequests: options.changeRequests } : {}),
      ...(options.notBefore !== undefined ? { notBefore: options.notBefore } : {}),
    });
    return this.push({ type: 'step_started', at: '', actionId, agent: step.role });
  }

  private get action(): string {
    return `a${this.actions}`;
  }

  /** Records the output of the step in flight. */
  output(content = 'output', files: string[] = []): this {
    const run = this.state().runs.at(-1)!;
    const step = this.def.steps.find((s) => s.id === run.stepId)!;
    return this.push({
      type: 'step_output_recorded',
      at: '',
      actionId: this.action,
      output: { artifact: step.artifact, content, files: files.map((path) => ({ path, action: 'create' as const })) },
    });
  }

  report(report: ValidationReport): this {
    return this.push({ type: 'validation_recorded', at: '', actionId: this.action, report });
  }

  failure(failureClass: FailureClass, options: { retryAfterMs?: number; message?: string } = {}): this {
    return this.push({
      type: 'step_failed',
      at: '',
      actionId: this.action,
      failure: {
        class: failureClass,
        message: options.message ?? `${failureClass} happened`,
        ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
      },
    });
  }

  produce(stepId: string, content?: string, files?: string[]): this {
    return this.schedule(stepId).output(content, files);
  }

  validate(stepId: string, report: ValidationReport, options: ScheduleOptions = {}): this {
    return this.schedule(stepId, options).report(report);
  }

  fail(stepId: string, failureClass: FailureClass, options: ScheduleOptions & { retryAfterMs?: number; message?: string } = {}): this {
    return this.schedule(stepId, options).failure(failureClass, options);
  }

  askGate(gateId: string, stepId: string, timeoutAt?: string): this {
    return this.push({
      type: 'approval_requested',
      at: '',
      gateId,
      stepId,
      interactionId: `i${++this.interactions}`,
      ...(timeoutAt !== undefined ? { timeoutAt } : {}),
    });
  }

  answerGate(
    decision: ApprovalDecision,
    changeRequests: string[] = [],
    automatic?: 'auto_approve' | 'timeout_policy',
  ): this {
    return this.push({
      type: 'approval_decided',
      at: '',
      interactionId: `i${this.interactions}`,
      decision,
      changeRequests,
      actor: automatic === undefined ? HUMAN : { id: 'timeout-policy', via: 'engine' },
      ...(automatic !== undefined ? { automatic } : {}),
    });
  }

  timeOutGate(): this {
    return this.push({ type: 'gate_timed_out', at: '', interactionId: `i${this.interactions}` });
  }

  escalate(reason: EscalationReason, stepId: string, loopId?: string): this {
    return this.push({
      type: 'escalation_raised',
      at: '',
      escalationId: `e${++this.interactions}`,
      reason,
      stepId,
      ...(loopId !== undefined ? { loopId } : {}),
      message: 'test escalation',
    });
  }

  answer(answer: EscalationAnswer): this {
    return this.push({ type: 'escalation_answered', at: '', escalationId: `e${this.interactions}`, answer, actor: HUMAN });
  }

  pause(): this {
    return this.push({ type: 'paused', at: '', actor: HUMAN });
  }

  resume(): this {
    return this.push({ type: 'resumed', at: '', actor: HUMAN });
  }

  cancel(): this {
    return this.push({ type: 'cancelled', at: '', actor: HUMAN });
  }

  /** Carries out a decision the way the engine does, up to (not including) the result. */
  follow(decision: Decision): this {
    switch (decision.action_type) {
      case 'invoke_agent':
      case 'transition_phase':
      case 'retry_with_recovery':
        return this.schedule(decision.step_id!, {
          attempt: decision.attempt ?? 1,
          ...(decision.timeout_ms !== undefined ? { timeoutMs: decision.timeout_ms } : {}),
          ...(decision.recovery_strategy !== undefined ? { recoveryStrategy: decision.recovery_strategy } : {}),
          ...(decision.change_requests !== undefined ? { changeRequests: decision.change_requests } : {}),
          ...(decision.not_before !== undefined ? { notBefore: decision.not_before } : {}),
        });
      case 'request_human_approval':
        return this.askGate(decision.gate_id!, decision.step_id!);
      case 'escalate_to_human':
        return this.escalate(decision.escalation!.reason, decision.step_id!, decision.escalation!.loop_id);
      case 'complete_workflow':
        return this.push({ type: 'workflow_completed', at: '', rationale: decision.rationale });
    }
  }

  // ── Common prefixes of the seven-step workflow ──
  /** Step 1 done, step 2 converged: the plan gate is next. */
  toPlanGate(report: ValidationReport = PASSING_PLAN): this {
    return this.produce('plan').validate('validate_plan', report);
  }

  /** The plan approved: step 4 is next. */
  toPhase2(): this {
    return this.toPlanGate().askGate('plan_approval', 'validate_plan').answerGate('approve');
  }

  /** Step 4 done: step 5 is next. */
  implemented(): this {
    return this.toPhase2().produce('implement', 'code', ['src/step.ts']);
  }

  /** Step 1, then one step-2 validation per score (all three scores equal), with step 3 between. */
  planRounds(scores: number[]): this {
    scores.forEach((score, i) => {
      this.produce(i === 0 ? 'plan' : 'revise_plan').validate('validate_plan', flatPlan(score));
    });
    return this;
  }

  /** Step 4, a step 5, then `refinements` rounds of step 6 + step 7, every validation with `report`. */
  codeRounds(refinements: number, report: ValidationReport = FAILING_CODE): this {
    this.implemented().validate('validate_code', report);
    for (let i = 0; i < refinements; i++) this.produce('refine_code').validate('revalidate_code', report);
    return this;
  }
}

/** Table rows keyed by their `name`, for `it.each(named(rows))('%s', (_, row) => …)`: names print without quotes. */
export function named<T extends { name: string }>(rows: readonly T[]): Array<[string, T]> {
  return rows.map((row) => [row.name, row]);
}

/** The fields of a decision the seed documents, for table comparisons. */
export function seedFields(d: Decision | null) {
  if (d === null) return null;
  return {
    action_type: d.action_type,
    target_agent: d.target_agent,
    template_to_use: d.template_to_use,
    step_number: d.step_number,
    ...(d.recovery_strategy !== undefined ? { recovery_strategy: d.recovery_strategy } : {}),
  };
}

// ── Random legal runs ───────────────────────────────────────────────────────────────────────
/** The source of random choices (fast-check's `gen` in property tests). */
export interface Chooser {
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
}

export interface SimulationOptions {
  /** Stop (unfinished) after this many decisions. */
  maxDecisions?: number;
  /** Human answers that keep the workflow going around a loop (request changes, more rounds…). */
  humanBudget?: number;
  /** Chance that a step run fails, in percent. */
  failurePercent?: number;
  /** Called with every decision and the state it was made from. */
  onDecision?: (decision: Decision, before: WorkflowState) => void;
}

export interface Simulation {
  run: Run;
  decisions: number;
  outcome: WorkflowState['status'] | 'unfinished';
}

const FAILURE_CLASSES: readonly FailureClass[] = FailureClassSchema.options;

/**
 * Drives a workflow the way the engine would: ask decide(), carry the decision out, and answer with
 * random agent results, failures and human answers. Once the human budget is spent, humans only
 * approve, reject or cancel, so every run can end.
 */
export function simulate(def: WorkflowDefinition, choose: Chooser, options: SimulationOptions = {}): Simulation {
  const run = new Run(def);
  const pick = <T>(items: readonly T[]): T => items[choose.int(0, items.length - 1)]!;
  const chance = (percent: number) => choose.int(0, 99) < percent;
  let budget = options.humanBudget ?? 4;
  const max = options.maxDecisions ?? 500;
  for (let n = 0; n < max; n++) {
    const before = run.state();
    if (['completed', 'rejected', 'failed', 'cancelled'].includes(before.status)) return { run, decisions: n, outcome: before.status };
    if (chance(5)) {
      run.pause();
      if (run.decide() !== null) throw new Error('decide() answered a paused workflow');
      run.resume();
    }
    const decision = decide(def, run.state());
    if (decision === null) throw new Error(`decide() returned null for a ${before.status} workflow with nothing pending (last: ${before.last.kind})`);
    options.onDecision?.(decision, run.state());
    run.follow(decision);
    switch (decision.action_type) {
      case 'invoke_agent':
      case 'transition_phase':
      case 'retry_with_recovery': {
        const step = def.steps.find((s) => s.id === decision.step_id)!;
        if (chance(options.failurePercent ?? 15)) {
          const failureClass = pick(FAILURE_CLASSES);
          run.failure(failureClass, failureClass === 'rate_limited' && chance(50) ? { retryAfterMs: choose.int(1, 60) * 1000 } : {});
        } else if (step.kind === 'produce') {
          run.output(`${step.artifact} v${choose.int(1, 9)}`, step.artifact === 'plan' ? [] : [`src/file-${choose.int(1, 3)}.ts`]);
        } else {
          run.report(step.artifact === 'plan' ? randomPlan(choose) : randomCode(choose));
        }
        break;
      }
      case 'request_human_approval': {
        const gate = def.gates.find((g) => g.id === decision.gate_id)!;
        if (chance(10)) {
          run.timeOutGate();
          const policy = pick(['pause', 'approve', 'reject'] as const);
          if (policy !== 'pause') {
            run.answerGate(policy, [], 'timeout_policy');
            break;
          }
        }
        const answer = budget > 0 ? pick(['approve', 'approve', 'request_changes', 'request_changes', 'reject'] as const) : pick(['approve', 'approve', 'approve', 'reject'] as const);
        if (answer === 'request_changes') budget--;
        run.answerGate(answer, answer === 'request_changes' ? [`change ${gate.id}`] : []);
        break;
      }
      case 'escalate_to_human': {
        const failure = decision.escalation!.reason === 'failure';
        if (budget > 0) {
          budget--;
          run.answer(
            pick([
              { kind: 'grant_rounds', rounds: choose.int(1, 2) },
              { kind: 'accept' },
              { kind: 'send_back', changeRequests: ['try again'] },
              { kind: 'retry' },
              { kind: 'cancel' },
            ] as const),
          );
        } else {
          run.answer(failure ? { kind: 'cancel' } : pick([{ kind: 'accept' }, { kind: 'cancel' }] as const));
        }
        break;
      }
      case 'complete_workflow':
        break;
    }
  }
  const last = run.state();
  return { run, decisions: max, outcome: ['completed', 'rejected', 'failed', 'cancelled'].includes(last.status) ? last.status : 'unfinished' };
}

function randomPlan(choose: Chooser): ValidationReport {
  const scores: Record<string, number> = {};
  for (const dim of ['alignment', 'standardization', 'compatibility']) {
    if (choose.int(0, 9) > 0) scores[dim] = choose.int(70, 100) / 10;
  }
  return planReport(scores, { critical: choose.int(0, 9) === 0 ? 1 : 0, minor: choose.int(0, 3) });
}

function randomCode(choose: Chooser): ValidationReport {
  const status = (): ToolResult['status'] => (['passed', 'passed', 'passed', 'failed', 'error'] as const)[choose.int(0, 4)]!;
  const coverage = choose.int(0, 1) === 1 ? { coverage: choose.int(70, 100) } : {};
  const checks: CheckSpec[] = [
    { id: 'tests', status: status(), ...coverage },
    { id: 'tsc', status: status() },
    { id: 'lint', status: status(), required: false },
  ];
  const scores: Record<string, number> = choose.int(0, 1) === 1 ? { alignment: choose.int(60, 100) / 10, standardization: choose.int(60, 100) / 10 } : {};
  return codeReport(checks, { critical: choose.int(0, 9) === 0 ? 1 : 0, minor: choose.int(0, 3) }, scores);
}
