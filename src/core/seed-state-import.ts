/**
 * The seed's state document → WorkflowState, by synthesising the equivalent event list and folding
 * it with `reduce`, so the reducer stays the only authority.
 */
import { z } from 'zod';
import { reduce } from './apply.js';
import { evaluateConvergence } from './convergence.js';
import { COMPLETE, FailureClassSchema } from './definition-schema.js';
import type { FailureClass, Step, WorkflowDefinition } from './definition-schema.js';
import { ConvergeError, formatPath } from './errors.js';
import type { NewEvent, WorkflowEvent } from './events.js';
import { classifyErrorType, recoveryRule } from './recovery.js';
import type { Issue, ValidationReport } from './records.js';
import type { WorkflowState } from './state.js';
import { SEED_EPOCH } from './seed-state-shape.js';
import { approvalTypeOf, rubricOf, stepOf } from './seed-state-export.js';
import { ScoresInput, SeedExampleInputSchema, SeedStateInputSchema } from './seed-state-input.js';
import type { ApprovalEntry, EscalationEntry, SeedStateInput, StepEntry } from './seed-state-input.js';

// ── Seed → state ────────────────────────────────────────────────────────────────────────────
/**
 * Rebuilds a WorkflowState from a seed state (or one of the seed's example inputs) by
 * synthesising events and folding them with `reduce`.
 *
 * - `step_history` entries become step_scheduled + step_started + (output | validation | failure).
 *   A produce step's output is its text; a validate step's report is rebuilt from its
 *   `validation_scores` (`<dimension>_score`), issue counts and checks (see SeedStepOutput).
 * - Approvals (`approval_history`, or the `*_approval` summaries when there is no history; an
 *   `approved: false` summary means "not yet") and escalations are placed after the last step
 *   that started before their timestamp, or, without timestamps, after the last run of their step.
 * - Without `step_history`, a `last_completed_step` > 0 stands for the shortest path to it, and a
 *   different `current_step` > 0 for a run of that step in flight (nothing to decide until it ends).
 * - Phases follow the steps; a recorded `phase_transitions` entry gives its trigger, and one that no
 *   step followed yet is replayed at the end.
 * - `current_step`, `current_phase`, metrics and convergence_status are derived, never read.
 * - A terminal `status` the history does not explain is appended as workflow_completed /
 *   workflow_failed / cancelled; `paused: true` appends a pause. A seed `paused` alone is read as
 *   "waiting for a human", which `decide` names.
 */
export function fromSeedState(json: unknown, definition: WorkflowDefinition): WorkflowState {
  const seed = isExampleInput(json) ? fromExampleInput(parse(SeedExampleInputSchema, json), definition) : parse(SeedStateInputSchema, json);
  return new Replay(definition, seed).run();
}

function isExampleInput(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'input' in json && !('workflow_id' in json);
}

function parse<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  throw invalid(problems);
}

function invalid(problems: Array<{ path: string; message: string }>): ConvergeError {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
  return new ConvergeError('SEED_STATE_INVALID', `The seed state has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines}`, {
    hint:
      'Give at least workflow_id and status (initialized|running|paused|completed|failed|cancelled), or one of the ' +
      'seed\'s example inputs ({ "input": { … } }); `converge export --format seed-state` prints a complete one.',
    details: { problems },
  });
}

/**
 * The seed's example inputs as a partial seed state:
 * - requirements only → a fresh workflow;
 * - validation_scores → the first validation step completed with these scores. A hand-run workflow
 *   does not model the plan gate, so when the scores converge and the gate is on, the gate is
 *   recorded as approved (the seed's Example 2 goes straight to step 4);
 * - agent_error → the shortest path to that step, then the step failed with that error.
 */
function fromExampleInput(example: z.output<typeof SeedExampleInputSchema>, def: WorkflowDefinition): SeedStateInput {
  const input = example.input;
  const history: StepEntry[] = [];
  const approvals: ApprovalEntry[] = [];
  if (input.agent_error !== undefined) {
    const error = input.agent_error;
    const step = stepByNumber(def, error.step, 'input.agent_error.step');
    if (error.agent !== step.role) {
      throw invalid([{ path: 'input.agent_error.agent', message: `step ${step.number} (${step.id}) is run by the ${step.role}, not "${error.agent}"` }]);
    }
    history.push(...happyPath(def, step, approvals));
    if (input.validation_scores !== undefined) {
      const lastValidation = history.findLast((e) => e.validation_scores !== undefined);
      if (lastValidation !== undefined) lastValidation.validation_scores = input.validation_scores;
    }
    history.push({ step_id: step.id, status: 'failed', error_info: { type: error.error_type, ...(error.message ? { message: error.message } : {}) } });
  } else if (input.validation_scores !== undefined) {
    const step = firstValidateStep(def);
    history.push(...happyPath(def, step, approvals));
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
    human_approvals: { approval_history: approvals },
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

/**
 * Completed entries along the shortest path from the start to `target` (excluded): produce steps
 * follow `next`, validations converge or not as the path needs, and gates passed on the way are
 * recorded as approved.
 */
function happyPath(def: WorkflowDefinition, target: Step, approvals: ApprovalEntry[]): StepEntry[] {
  const previous = new Map<string, { from: string; converged: boolean } | null>([[def.start, null]]);
  const queue = [def.start];
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
  if (!previous.has(target.id)) {
    throw invalid([{ path: 'step_history', message: `step ${target.number} (${target.id}) cannot be reached from "${def.start}"` }]);
  }
  const path: Array<{ step: Step; converged: boolean }> = [];
  for (let at = previous.get(target.id); at != null; at = previous.get(at.from)) {
    path.unshift({ step: stepOf(def, at.from), converged: at.converged });
  }
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

type Item =
  | { kind: 'approval'; entry: ApprovalEntry; path: string; at: string | null | undefined; order: number }
  | { kind: 'escalation'; entry: EscalationEntry; path: string; at: string | null | undefined; order: number };

/** Builds the event list for one seed state and folds it. */
class Replay {
  private readonly events: WorkflowEvent[] = [];
  private clock: string;
  private phase: string;
  private readonly history: StepEntry[];
  private readonly steps: Step[] = [];
  /** Recorded phase transitions not yet replayed; they give their trigger to the replayed ones. */
  private readonly transitions: NonNullable<SeedStateInput['phase_transitions']>;

  constructor(
    private readonly def: WorkflowDefinition,
    private readonly seed: SeedStateInput,
  ) {
    this.clock = seed.created_at ?? SEED_EPOCH;
    this.phase = stepOf(def, def.start).phase;
    this.transitions = [...(seed.phase_transitions ?? [])];
    const given = (seed.step_history ?? []).filter((e) => e.status !== 'skipped');
    const last = seed.last_completed_step ?? 0;
    const current = seed.current_step ?? 0;
    const ignored: ApprovalEntry[] = [];
    this.history = given;
    if (given.length === 0 && last > 0) {
      const target = stepByNumber(def, last, 'last_completed_step');
      const scores = target.kind === 'validate' ? (seed.validation_scores ?? {}) : undefined;
      this.history = [...happyPath(def, target, ignored), { step_id: target.id, status: 'completed', ...(scores ? { validation_scores: scores } : {}) }];
    }
    if (given.length === 0 && current > 0 && current !== last) {
      // As in the seed's decision record, a current_step past the last completed one is in flight.
      const target = stepByNumber(def, current, 'current_step');
      const before = last > 0 ? this.history : happyPath(def, target, ignored);
      this.history = [...before, { step_id: target.id, status: 'in_progress' }];
    }
  }

  run(): WorkflowState {
    const seed = this.seed;
    const workspace = seed.workspace_context ?? {};
    const requirements = seed.requirements ?? {};
    const workspaceType = workspace.workspace_type ?? (workspace.developer_type?.includes('isolated') ? 'isolated' : 'shared');
    this.push({
      type: 'workflow_started',
      at: this.stamp(seed.created_at),
      definition: this.def,
      requirements: requirements.initial_requirements ?? '',
      workspace: {
        path: workspace.workspace_path ?? '.',
        type: workspaceType,
        ...(workspace.branch !== undefined ? { branch: workspace.branch } : {}),
      },
      ...(requirements.step_type ? { taskType: requirements.step_type } : {}),
      documentationLocations: requirements.documentation_locations ?? [],
      autoApprove: false,
      ...(seed.workflow_name ? { name: seed.workflow_name } : {}),
    });
    this.history.forEach((entry, i) => this.steps.push(this.resolveStep(entry, i)));
    const slots = this.placeItems();
    for (const item of slots.get(-1) ?? []) this.appendItem(item, -1);
    this.history.forEach((entry, i) => {
      this.appendEntry(entry, i);
      for (const item of slots.get(i) ?? []) this.appendItem(item, i);
    });
    this.appendPendingTransition();
    this.appendPendingApproval();
    this.appendStatus();
    return reduce(seed.workflow_id, this.events);
  }

  private push(event: NewEvent): void {
    this.events.push({ ...event, seq: this.events.length + 1 } as WorkflowEvent);
  }

  private stamp(given: string | null | undefined): string {
    if (given !== undefined && given !== null) this.clock = given;
    return this.clock;
  }

  private resolveStep(entry: StepEntry, i: number): Step {
    const at = `step_history[${i}]`;
    const step =
      entry.step_id !== undefined
        ? this.def.steps.find((s) => s.id === entry.step_id)
        : this.def.steps.find((s) => s.number === entry.step_number);
    if (step === undefined) {
      const field = entry.step_id !== undefined ? 'step_id' : 'step_number';
      const known = this.def.steps.map((s) => `${s.number} ${s.id}`).join(', ');
      throw invalid([{ path: `${at}.${field}`, message: `definition "${this.def.id}" has no step ${JSON.stringify(entry[field])} (it has ${known})` }]);
    }
    if (entry.step_number !== undefined && entry.step_number !== step.number) {
      throw invalid([{ path: `${at}.step_number`, message: `step "${step.id}" is number ${step.number}, not ${entry.step_number}` }]);
    }
    if (entry.agent !== undefined && entry.agent !== step.role) {
      throw invalid([{ path: `${at}.agent`, message: `step ${step.number} (${step.id}) is run by the ${step.role}, not "${entry.agent}"` }]);
    }
    return step;
  }

  private appendEntry(entry: StepEntry, i: number): void {
    const step = this.steps[i]!;
    const context = entry.input_context ?? {};
    const previousIndex = this.steps.findLastIndex((s, j) => j < i && s.id === step.id);
    const previous = previousIndex === i - 1 ? this.history[previousIndex] : undefined;
    const retryOf = previous?.status === 'failed' ? previous : undefined;
    const previousClass = retryOf === undefined ? undefined : failureClassOf(retryOf.error_info?.type);
    const rule = previousClass === undefined ? undefined : recoveryRule(this.def.recovery, previousClass);
    const base = (step.timeout_s ?? this.def.timeouts.step_s) * 1000;
    const previousTimeout = retryOf?.input_context?.timeout_ms ?? retryOf?.error_info?.details?.timeout_ms ?? base;
    const timeoutMs =
      context.timeout_ms ??
      entry.error_info?.details?.timeout_ms ??
      (rule?.strategy === 'extended_timeout' ? Math.round(previousTimeout * rule.timeout_multiplier) : base);
    // An explicit attempt means the entry says all there is (an export); otherwise a run right after
    // a failure of the same step is read as the policy's retry.
    const inferred = rule !== undefined && rule.strategy !== 'escalate_to_human' ? rule.strategy : undefined;
    const strategy = context.attempt !== undefined ? context.recovery_strategy : (context.recovery_strategy ?? inferred);
    const attempt = context.attempt ?? (retryOf !== undefined ? (retryOf.input_context?.attempt ?? this.attemptOf(previousIndex)) + 1 : 1);
    const transition = step.phase !== this.phase;
    const scheduledAt = this.stamp(entry.scheduled_at ?? entry.started_at);
    if (transition) this.transition(step.phase, scheduledAt);
    const actionId = entry.action_id ?? `seed-${i + 1}`;
    this.push({
      type: 'step_scheduled',
      at: scheduledAt,
      actionId,
      stepId: step.id,
      attempt,
      timeoutMs,
      decisionType: strategy !== undefined ? 'retry_with_recovery' : transition ? 'transition_phase' : 'invoke_agent',
      rationale: `Recorded in the seed state's step_history[${i}].`,
      ...(strategy !== undefined ? { recoveryStrategy: strategy } : {}),
      ...(context.not_before !== undefined ? { notBefore: context.not_before } : {}),
      ...(context.change_requests !== undefined && context.change_requests.length > 0 ? { changeRequests: context.change_requests } : {}),
    });
    this.push({ type: 'step_started', at: this.stamp(entry.started_at), actionId, agent: step.role });
    if (entry.status === 'in_progress') return;
    const completedAt = this.stamp(entry.completed_at);
    if (entry.status === 'failed') {
      const error = entry.error_info;
      const retryAfter = error?.details?.retry_after_ms;
      this.push({
        type: 'step_failed',
        at: completedAt,
        actionId,
        failure: {
          class: failureClassOf(error?.type),
          message: error?.message ?? (error?.type !== undefined ? `${error.type} (from the seed state)` : 'failed (from the seed state)'),
          ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
        },
      });
    } else if (step.kind === 'validate') {
      this.push({ type: 'validation_recorded', at: completedAt, actionId, report: seedReport(this.def, step, entry, this.fallbackScores(step, i)) });
    } else {
      this.push({ type: 'step_output_recorded', at: completedAt, actionId, output: this.output(step, entry, i) });
    }
  }

  private transition(to: string, at: string): void {
    const index = this.transitions.findIndex((t) => t.from_phase === this.phase && t.to_phase === to);
    const recorded = index >= 0 ? this.transitions.splice(index, 1)[0] : undefined;
    this.push({ type: 'phase_transitioned', at: recorded?.timestamp ?? at, from: this.phase, to, trigger: recorded?.trigger ?? 'seed_state' });
    this.phase = to;
  }

  /** A recorded transition out of the current phase that no step followed yet (e.g. right after a plan approval). */
  private appendPendingTransition(): void {
    const pending = this.transitions.find((t) => t.from_phase === this.phase && this.def.phases.some((p) => p.id === t.to_phase));
    if (pending?.to_phase !== undefined) this.transition(pending.to_phase, this.clock);
  }

  private attemptOf(index: number): number {
    let attempt = 1;
    for (let j = index - 1; j >= 0 && this.steps[j]!.id === this.steps[index]!.id && this.history[j]!.status === 'failed'; j--) attempt++;
    return attempt;
  }

  /** The top-level `validation_scores` stand for the latest plan validation when its entry has none. */
  private fallbackScores(step: Step, i: number): z.output<typeof ScoresInput> | undefined {
    const scores = this.seed.validation_scores;
    if (scores == null || step.artifact !== 'plan') return undefined;
    const lastPlan = this.steps.findLastIndex((s, j) => s.id === step.id && this.history[j]!.status === 'completed');
    return lastPlan === i ? scores : undefined;
  }

  private output(step: Step, entry: StepEntry, i: number) {
    const out = entry.output;
    const lastOfArtifact = this.steps.findLastIndex((s, j) => s.kind === 'produce' && s.artifact === step.artifact && this.history[j]!.status === 'completed') === i;
    const artifacts = this.seed.artifacts ?? {};
    const plan = lastOfArtifact && step.artifact === 'plan' ? artifacts.implementation_plan : undefined;
    const content = typeof out === 'string' ? out : (out?.content ?? plan ?? out?.summary ?? '');
    let files = typeof out === 'object' && out !== null ? (out.files ?? []) : [];
    if (lastOfArtifact && step.artifact !== 'plan' && files.length === 0 && artifacts.generated_code !== undefined) {
      const code = artifacts.generated_code;
      files = Array.isArray(code) ? code : Object.values(code).filter((p): p is string => typeof p === 'string');
    }
    return { artifact: step.artifact, content, files: files.map((path) => ({ path, action: 'update' as const })) };
  }

  /** Approvals and escalations, keyed by the index of the history entry they follow (-1: before all). */
  private placeItems(): Map<number, Item[]> {
    const seed = this.seed;
    const approvals = seed.human_approvals ?? {};
    const items: Item[] = [];
    const history = approvals.approval_history ?? [];
    if (history.length > 0) {
      history.forEach((entry, i) =>
        items.push({ kind: 'approval', entry, path: `human_approvals.approval_history[${i}]`, at: entry.timestamp, order: items.length }),
      );
    } else {
      for (const type of ['plan', 'code', 'final'] as const) {
        const summary = approvals[`${type}_approval`];
        if (summary?.approved !== true) continue;
        const entry: ApprovalEntry = { approval_type: type, status: 'approved', approver: summary.approver ?? null, timestamp: summary.timestamp ?? null };
        items.push({ kind: 'approval', entry, path: `human_approvals.${type}_approval`, at: entry.timestamp, order: items.length });
      }
    }
    (seed.escalations ?? []).forEach((entry, i) =>
      items.push({ kind: 'escalation', entry, path: `escalations[${i}]`, at: entry.raised_at, order: items.length }),
    );
    const slots = new Map<number, Item[]>();
    for (const item of items) {
      const slot = this.slotOf(item);
      slots.set(slot, [...(slots.get(slot) ?? []), item]);
    }
    for (const list of slots.values()) {
      list.sort((a, b) => (a.at && b.at ? Date.parse(a.at) - Date.parse(b.at) : 0) || a.order - b.order);
    }
    return slots;
  }

  private slotOf(item: Item): number {
    const timed = this.history.map((e) => e.scheduled_at ?? e.started_at ?? e.completed_at);
    if (item.at != null && timed.some((t) => t != null)) {
      const at = Date.parse(item.at);
      return timed.findLastIndex((t) => t != null && Date.parse(t) < at);
    }
    if (item.kind === 'approval') {
      const gateId = this.gateFor(item);
      const index = this.steps.findLastIndex(
        (s, j) => s.kind === 'validate' && (s.gate === gateId || s.review_gate === gateId) && this.history[j]!.status === 'completed',
      );
      return index >= 0 ? index : this.history.length - 1;
    }
    const number = item.entry.step_number;
    const index = this.steps.findLastIndex((s) => s.number === number);
    return index >= 0 ? index : this.history.length - 1;
  }

  private gateFor(item: Extract<Item, { kind: 'approval' }>): string {
    const { entry, path } = item;
    if (entry.gate_id !== undefined) {
      if (!this.def.gates.some((g) => g.id === entry.gate_id)) {
        throw invalid([{ path: `${path}.gate_id`, message: `definition "${this.def.id}" has no gate "${entry.gate_id}"` }]);
      }
      return entry.gate_id;
    }
    const gate = this.def.gates.find((g) => approvalTypeOf(this.def, g.id) === entry.approval_type);
    if (gate === undefined) {
      throw invalid([{ path: `${path}.approval_type`, message: `definition "${this.def.id}" has no ${entry.approval_type} approval gate` }]);
    }
    return gate.id;
  }

  private appendItem(item: Item, slot: number): void {
    if (item.kind === 'approval') {
      const gateId = this.gateFor(item);
      const stepIndex = this.steps.findLastIndex((s, j) => j <= slot && (s.gate === gateId || s.review_gate === gateId));
      const stepId = stepIndex >= 0 ? this.steps[stepIndex]!.id : this.def.steps.find((s) => s.gate === gateId || s.review_gate === gateId)?.id;
      if (stepId === undefined) throw invalid([{ path: item.path, message: `no step of "${this.def.id}" asks gate "${gateId}"` }]);
      const interactionId = `seed-approval-${item.order + 1}`;
      const at = this.stamp(item.at);
      const entry = item.entry;
      this.push({ type: 'approval_requested', at, gateId, interactionId, stepId });
      this.push({
        type: 'approval_decided',
        at,
        interactionId,
        decision: entry.status === 'approved' ? 'approve' : entry.status === 'rejected' ? 'reject' : 'request_changes',
        ...(entry.comments ? { comment: entry.comments } : {}),
        changeRequests: entry.change_requests ?? [],
        actor: { id: entry.approver ?? 'unknown', via: 'engine' },
        ...(entry.automatic !== undefined ? { automatic: entry.automatic } : {}),
      });
      return;
    }
    const entry = item.entry;
    const step = stepByNumber(this.def, entry.step_number, `${item.path}.step_number`);
    const escalationId = entry.escalation_id ?? `seed-escalation-${item.order + 1}`;
    const loopId = entry.loop ?? (entry.reason === 'failure' ? undefined : step.loop);
    this.push({
      type: 'escalation_raised',
      at: this.stamp(entry.raised_at),
      escalationId,
      reason: entry.reason,
      stepId: step.id,
      ...(loopId != null ? { loopId } : {}),
      message: entry.message ?? '',
    });
    const answer = entry.answer;
    if (answer == null) return;
    this.push({
      type: 'escalation_answered',
      at: this.stamp(entry.answered_at),
      escalationId,
      answer:
        answer.kind === 'grant_rounds'
          ? { kind: 'grant_rounds', rounds: answer.rounds ?? 1 }
          : answer.kind === 'send_back'
            ? { kind: 'send_back', changeRequests: answer.change_requests ?? [] }
            : { kind: answer.kind },
      actor: { id: entry.approver ?? 'unknown', via: 'engine' },
    });
  }

  private appendPendingApproval(): void {
    const pending = this.seed.pending_approval;
    if (pending == null) return;
    const item = { kind: 'approval' as const, entry: { ...pending, status: 'approved' as const }, path: 'pending_approval', at: pending.requested_at, order: 0 };
    const gateId = this.gateFor(item);
    const step =
      pending.step_number !== undefined
        ? stepByNumber(this.def, pending.step_number, 'pending_approval.step_number')
        : (this.steps.findLast((s) => s.gate === gateId || s.review_gate === gateId) ?? this.def.steps.find((s) => s.gate === gateId || s.review_gate === gateId));
    if (step === undefined) throw invalid([{ path: 'pending_approval', message: `no step of "${this.def.id}" asks gate "${gateId}"` }]);
    const interactionId = 'seed-approval-pending';
    this.push({
      type: 'approval_requested',
      at: this.stamp(pending.requested_at),
      gateId,
      interactionId,
      stepId: step.id,
      ...(pending.timeout_at != null ? { timeoutAt: pending.timeout_at } : {}),
    });
    if (pending.timed_out === true) this.push({ type: 'gate_timed_out', at: this.clock, interactionId });
  }

  /** Terminal statuses the events do not already explain, and an explicit pause. */
  private appendStatus(): void {
    const seed = this.seed;
    const folded = reduce(seed.workflow_id, this.events);
    const terminal = ['completed', 'rejected', 'failed', 'cancelled'].includes(folded.status);
    const at = this.stamp(seed.updated_at);
    const actor = { id: 'seed-state', via: 'engine' as const };
    const wanted = seed.converge_status ?? seed.status;
    if (!terminal) {
      if (wanted === 'completed') this.push({ type: 'workflow_completed', at, rationale: 'Recorded as completed in the seed state.' });
      else if (wanted === 'failed') {
        const lastError = this.history.findLast((e) => e.error_info != null)?.error_info;
        this.push({ type: 'workflow_failed', at, message: lastError?.message ?? lastError?.type ?? 'Recorded as failed in the seed state.' });
      } else if (wanted === 'cancelled' || wanted === 'rejected') {
        this.push({ type: 'cancelled', at, actor, reason: `Recorded as ${wanted} in the seed state.` });
      }
    }
    if (seed.paused === true && !terminal) this.push({ type: 'paused', at, actor, reason: 'Recorded as paused in the seed state.' });
  }
}

/** A validation report rebuilt from a history entry: scores, issue counts and checks. */
function seedReport(
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

function failureClassOf(type: string | undefined): FailureClass {
  if (type === undefined) return 'unknown';
  const exact = FailureClassSchema.safeParse(type);
  return exact.success ? exact.data : classifyErrorType(type);
}

function stepByNumber(def: WorkflowDefinition, number: number, path: string): Step {
  const step = def.steps.find((s) => s.number === number);
  if (step === undefined) {
    const known = def.steps.map((s) => s.number).join(', ');
    throw invalid([{ path, message: `definition "${def.id}" has no step ${number} (its steps are ${known})` }]);
  }
  return step;
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

