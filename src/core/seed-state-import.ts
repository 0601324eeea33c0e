/**
 * The seed's state document → WorkflowState, by synthesising the equivalent event list and folding
 * it with `reduce`, so the reducer stays the only authority.
 */
import { reduce } from './apply.js';
import type { z } from 'zod';
import { evaluateConvergence } from './convergence.js';
import type { Step, WorkflowDefinition } from './definition-schema.js';
import type { NewEvent, WorkflowEvent } from './events.js';
import { recoveryRule } from './recovery.js';
import type { WorkflowState } from './state.js';
import { SEED_EPOCH } from './seed-state-shape.js';
import { rubricOf, stepOf } from './seed-state-lookups.js';
import { SeedExampleInputSchema, SeedStateInputSchema } from './seed-state-input.js';
import type { ScoresInput, SeedStateInput, StepEntry } from './seed-state-input.js';
import { fromExampleInput, isExampleInput } from './seed-state-examples.js';
import { collectItems, gateFor, placeItems, resolveHistory } from './seed-state-history.js';
import type { Item } from './seed-state-history.js';
import { entryStep, failureClassOf, invalid, parse, seedReport, stepByNumber } from './seed-state-read.js';

/**
 * Rebuilds a WorkflowState from a seed state (or one of the seed's example inputs) by
 * synthesising events and folding them with `reduce`.
 *
 * - `step_history` entries, in their listed order, become step_scheduled + step_started +
 *   (output | validation | failure). A produce step's output is its text; a validate step's report
 *   is rebuilt from its `validation_scores` (`<dimension>_score`), issue counts and checks.
 *   The counters and the error records' retry counts complete it (see seed-state-history.ts).
 * - Approvals (`approval_history`, or the per-gate `plan_approved` … fields when there is no
 *   history; `false` means "not yet") and escalations follow the entries that lead to them.
 * - Timestamps only fill gaps: an event is never earlier than the one before it.
 * - Phases follow the steps; a recorded `phase_transitions` entry gives its trigger, and one that no
 *   step followed yet is replayed at the end.
 * - `current_phase`, metrics and convergence_status are derived, never read.
 * - A terminal `status` the history does not explain is appended as workflow_completed /
 *   workflow_failed / cancelled; `paused: true` appends a pause. A seed `paused` alone is read as
 *   "waiting for a human", which `decide` names.
 */
export function fromSeedState(json: unknown, definition: WorkflowDefinition): WorkflowState {
  const seed = isExampleInput(json) ? fromExampleInput(parse(SeedExampleInputSchema, json), definition) : parse(SeedStateInputSchema, json);
  return new Replay(definition, seed).run();
}

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
    this.history = resolveHistory(def, seed);
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
    this.history.forEach((entry) => this.steps.push(entryStep(this.def, entry, 'step_history')));
    const slots = placeItems(this.steps, this.history, collectItems(this.def, seed), (i) => this.convergedAt(i));
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

  /** Timestamps fill gaps only: one earlier than the event before it is overruled by the order. */
  private stamp(given: string | null | undefined): string {
    if (given != null && !(Date.parse(given) < Date.parse(this.clock))) this.clock = given;
    return this.clock;
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
    const previousTimeout = retryOf?.input_context?.timeout_ms ?? retryOf?.error_info?.timeoutMs ?? base;
    const timeoutMs =
      context.timeout_ms ??
      entry.error_info?.timeoutMs ??
      (rule?.strategy === 'extended_timeout' ? Math.round(previousTimeout * rule.timeout_multiplier) : base);
    // An explicit attempt means the entry says all there is (an export); otherwise a run right after
    // a failure of the same step is read as the policy's retry.
    const inferred = rule !== undefined && rule.strategy !== 'escalate_to_human' ? rule.strategy : undefined;
    const strategy = context.attempt !== undefined ? context.recovery_strategy : (context.recovery_strategy ?? inferred);
    const attempt = context.attempt ?? (retryOf !== undefined ? (retryOf.input_context?.attempt ?? this.attemptOf(previousIndex)) + 1 : 1);
    const transition = step.phase !== this.phase;
    if (transition) this.transition(step.phase, entry.scheduled_at ?? entry.started_at);
    const scheduledAt = this.stamp(entry.scheduled_at ?? entry.started_at);
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
      const retryAfter = error?.retryAfterMs;
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

  private transition(to: string, at: string | null | undefined): void {
    const index = this.transitions.findIndex((t) => t.from_phase === this.phase && t.to_phase === to);
    const recorded = index >= 0 ? this.transitions.splice(index, 1)[0] : undefined;
    this.push({ type: 'phase_transitioned', at: this.stamp(recorded?.timestamp ?? at), from: this.phase, to, trigger: recorded?.trigger ?? 'seed_state' });
    this.phase = to;
  }

  /** A recorded transition out of the current phase that no step followed yet (e.g. right after a plan approval). */
  private appendPendingTransition(): void {
    const pending = this.transitions.find((t) => t.from_phase === this.phase && this.def.phases.some((p) => p.id === t.to_phase));
    if (pending?.to_phase !== undefined) this.transition(pending.to_phase, undefined);
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
    const content = typeof out === 'string' ? out : (out?.content ?? out?.implementation_plan ?? plan ?? out?.summary ?? '');
    let files = typeof out === 'object' && out !== null ? (out.files ?? []) : [];
    if (lastOfArtifact && step.artifact !== 'plan' && files.length === 0 && artifacts.generated_code !== undefined) {
      files = artifacts.generated_code;
    }
    return { artifact: step.artifact, content, files: files.map((path) => ({ path, action: 'update' as const })) };
  }

  /** Whether a completed validation's report converges on its own (the gate it asks follows convergence). */
  private convergedAt(i: number): boolean {
    const step = this.steps[i]!;
    if (step.kind !== 'validate') return false;
    return evaluateConvergence(rubricOf(this.def, step), seedReport(this.def, step, this.history[i]!, this.fallbackScores(step, i))).converged;
  }

  private appendItem(item: Item, slot: number): void {
    if (item.kind === 'approval') {
      const gateId = item.gateId;
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
    const step = item.step;
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
    const gateId = gateFor(this.def, pending, 'pending_approval');
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

