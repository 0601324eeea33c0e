/**
 * decide(definition, state) → Decision: the whole workflow logic, pure and deterministic.
 *
 * Read it top to bottom: `decide` looks at what happened last and hands over to one function
 * per situation — a step produced something, a validation came in, a step failed, a human
 * answered a gate or an escalation. Thresholds, caps, gates and strategies all come from the
 * definition; nothing here knows the seven steps by name.
 */
import { evaluateConvergence, fmt, isStalled, weightedScore } from './convergence.js';
import type { ConvergenceResult } from './convergence.js';
import { contextFor } from './context.js';
import type { Decision } from './decision.js';
import type { FailureClass, Step, WorkflowDefinition } from './definition-schema.js';
import { COMPLETE, stepById } from './definition-steps.js';
import { endSentence } from './messages.js';
import { budgetReached, formatBudgetUse } from './budget.js';
import type { EscalationReason } from './events.js';
import { recoveryRule, retryDelayMs } from './recovery.js';
import { currentRun, TERMINAL_STATUSES } from './state.js';
import type { LastOutcome, WorkflowState } from './state.js';

/** Returns null when there is nothing to decide: a step is in flight, a human is asked, or the workflow ended. */
export function decide(def: WorkflowDefinition, state: WorkflowState): Decision | null {
  if (TERMINAL_STATUSES.has(state.status) || state.paused) return null;
  if (state.gate !== null || state.escalation !== null || currentRun(state) !== undefined) return null;
  const next = decideNext(def, state);
  return next !== null && SPENDS.has(next.action_type) ? withinBudget(def, state, next) : next;
}

function decideNext(def: WorkflowDefinition, state: WorkflowState): Decision | null {
  const last = state.last;
  switch (last.kind) {
    case 'started':
      return invoke(def, state, def.start, 'The workflow starts with its first step.');
    case 'produced':
      return afterProduce(def, state, stepById(def, last.stepId));
    case 'validated':
      return afterValidation(def, state, stepById(def, last.stepId), { askReviewGate: true });
    case 'failed':
      return afterFailure(def, state, stepById(def, last.stepId));
    case 'gate_answered':
      return afterGate(def, state, last);
    case 'escalation_answered':
      return afterEscalation(def, state, last);
    case 'none':
      return null;
  }
}

// ── The budget: no agent runs once a limit is reached, until a person answers ──────────────
const SPENDS: ReadonlySet<Decision['action_type']> = new Set(['invoke_agent', 'transition_phase', 'retry_with_recovery']);

function withinBudget(def: WorkflowDefinition, state: WorkflowState, next: Decision): Decision {
  const reached = budgetReached(state);
  if (reached.length === 0) return next;
  const step = stepById(def, next.step_id!);
  const spent = reached.map(formatBudgetUse).join(', ');
  return escalate(step, 'budget', undefined, `The budget is reached: ${spent}. Step ${step.number} (${step.id}) would run next; raise the budget, accept going over it, or cancel.`);
}

// ── A step produced its artifact ────────────────────────────────────────────────────────────
function afterProduce(def: WorkflowDefinition, state: WorkflowState, step: Step): Decision {
  return goTo(def, state, step.next!, `Step ${step.number} (${step.id}) produced ${step.artifact}; its next step follows.`);
}

// ── A validation came in: converge, gate, loop, cap or stall ────────────────────────────────
function afterValidation(
  def: WorkflowDefinition,
  state: WorkflowState,
  step: Step,
  options: { askReviewGate: boolean },
): Decision {
  const result = convergenceOf(def, state, step);
  const reviewGate = step.review_gate === undefined ? undefined : def.gates.find((g) => g.id === step.review_gate);
  if (options.askReviewGate && reviewGate?.enabled === true && !state.askedReviewGates.includes(reviewGate.id)) {
    return askHuman(step, reviewGate.id, `Review after the first ${step.id} (${summarise(result)}).`);
  }
  if (result.converged) return proceedConverged(def, state, step, `Converged: ${result.met.join(', ')}.`);

  const loop = def.loops.find((l) => l.id === step.loop)!;
  const rounds = state.runs.filter((r) => r.stepId === loop.counts && r.status === 'completed').length;
  const cap = loop.max_rounds + (state.loops[loop.id]?.extraRounds ?? 0);
  const why = `Not converged: ${result.unmet.join(', ')}`;
  if (rounds >= cap) {
    return escalate(step, 'cap_reached', loop.id, `${endSentence(why)} The ${loop.id} cap of ${cap} rounds of ${loop.counts} is reached.`);
  }
  const history = weightedHistory(def, state, step.loop!);
  if (isStalled(def.stall, history)) {
    const window = history.slice(-def.stall.window - 1).map((w) => (w === undefined ? 'unscored' : fmt(w))).join(' → ');
    return escalate(
      step,
      'stall',
      loop.id,
      `${endSentence(why)} Stalled: the weighted score went ${window}, less than +${def.stall.min_improvement} in ${def.stall.window} rounds.`,
    );
  }
  return invoke(def, state, step.on_not_converged!, `${endSentence(why)} ${rounds} of ${cap} rounds of ${loop.counts} used; revising.`);
}

function proceedConverged(def: WorkflowDefinition, state: WorkflowState, step: Step, why: string): Decision {
  const gate = step.gate === undefined ? undefined : def.gates.find((g) => g.id === step.gate);
  if (gate?.enabled === true) return askHuman(step, gate.id, `${why} Approval "${gate.id}" is required.`);
  return goTo(def, state, step.on_converged!, why);
}

// ── A step failed: the failure's class picks the recovery ───────────────────────────────────
function afterFailure(def: WorkflowDefinition, state: WorkflowState, step: Step): Decision {
  const failed = state.runs[state.runs.length - 1]!;
  const failureClass = (failed.failure?.class ?? 'unknown') as FailureClass;
  const rule = recoveryRule(def.recovery, failureClass);
  const attempts = state.failureStreak.filter((f) => f.class === failureClass).length;
  const what = `Step ${step.number} (${step.id}) failed with ${failureClass}: ${failed.failure?.message ?? 'no message'}`;
  if (rule.strategy === 'escalate_to_human') {
    return escalate(step, 'failure', undefined, `${endSentence(what)} Policy for ${failureClass}: escalate to a human.`);
  }
  if (attempts > rule.max_attempts) {
    return escalate(step, 'failure', undefined, `${endSentence(what)} ${attempts - 1} retries used, the cap for ${failureClass} is ${rule.max_attempts}.`);
  }
  const delay = retryDelayMs(rule, attempts, failed.failure?.retryAfterMs);
  const timeout = rule.strategy === 'extended_timeout' ? Math.round(failed.timeoutMs * rule.timeout_multiplier) : failed.timeoutMs;
  const base = invoke(def, state, step.id, `${endSentence(what)} Retry ${attempts} of ${rule.max_attempts} with ${rule.strategy}.`, {
    changeRequests: failed.changeRequests,
  });
  return {
    ...base,
    action_type: 'retry_with_recovery',
    recovery_strategy: rule.strategy,
    attempt: failed.attempt + 1,
    timeout_ms: timeout,
    ...(delay > 0 ? { not_before: addMs(failed.completedAt ?? state.updatedAt, delay) } : {}),
  };
}

// ── A human answered a gate ─────────────────────────────────────────────────────────────────
function afterGate(def: WorkflowDefinition, state: WorkflowState, last: Extract<LastOutcome, { kind: 'gate_answered' }>): Decision | null {
  const step = stepById(def, last.stepId);
  const gate = def.gates.find((g) => g.id === last.gateId)!;
  if (last.decision === 'request_changes') {
    return invoke(def, state, gate.changes_to, `Changes requested at "${gate.id}": ${last.changeRequests.join('; ') || '(no details)'}.`, {
      changeRequests: last.changeRequests,
    });
  }
  if (last.decision === 'reject') return null;
  if (gate.id === step.review_gate && gate.id !== step.gate) {
    return afterValidation(def, state, step, { askReviewGate: false });
  }
  return goTo(def, state, step.on_converged!, `Approved at "${gate.id}".`);
}

// ── A human answered an escalation ──────────────────────────────────────────────────────────
function afterEscalation(
  def: WorkflowDefinition,
  state: WorkflowState,
  last: Extract<LastOutcome, { kind: 'escalation_answered' }>,
): Decision | null {
  const step = stepById(def, last.stepId);
  const answer = last.answer;
  if (answer.kind === 'cancel') return null;
  if (last.reason === 'failure') return invoke(def, state, step.id, `A human asked to retry step ${step.number} after its failures.`);
  switch (answer.kind) {
    case 'accept':
      return proceedConverged(def, state, step, 'Accepted as is by a human.');
    case 'send_back':
      return invoke(def, state, step.on_not_converged!, `Sent back by a human: ${answer.changeRequests.join('; ')}.`, {
        changeRequests: answer.changeRequests,
      });
    case 'grant_rounds':
    case 'retry':
      return invoke(def, state, step.on_not_converged!, `A human granted more rounds for ${last.loopId ?? step.id}.`);
    case 'raise_budget':
      // Only a budget escalation takes this answer, and its answer restores what came before.
      return null;
  }
}

// ── Building decisions ──────────────────────────────────────────────────────────────────────
function goTo(def: WorkflowDefinition, state: WorkflowState, target: string, why: string): Decision {
  if (target === COMPLETE) {
    return { action_type: 'complete_workflow', rationale: `${why} The workflow is complete.`, context_to_provide: {}, decision_source: 'core' };
  }
  return invoke(def, state, target, why);
}

function invoke(
  def: WorkflowDefinition,
  state: WorkflowState,
  stepId: string,
  why: string,
  options: { changeRequests?: readonly string[] } = {},
): Decision {
  const step = stepById(def, stepId);
  const changeRequests = options.changeRequests ?? [];
  const phaseChanges = step.phase !== state.phase;
  return {
    action_type: phaseChanges ? 'transition_phase' : 'invoke_agent',
    target_agent: step.role,
    template_to_use: step.templates[0]!,
    step_number: step.number,
    rationale: phaseChanges ? `${why} Moving from ${state.phase} to ${step.phase}.` : why,
    context_to_provide: contextFor(def, state, step, changeRequests),
    step_id: step.id,
    templates: [...step.templates],
    attempt: 1,
    timeout_ms: (step.timeout_s ?? def.timeouts.step_s) * 1000,
    ...(phaseChanges ? { next_phase: step.phase } : {}),
    ...(changeRequests.length > 0 ? { change_requests: [...changeRequests] } : {}),
    decision_source: 'core',
  };
}

function askHuman(step: Step, gateId: string, why: string): Decision {
  return {
    action_type: 'request_human_approval',
    target_agent: 'human',
    step_number: step.number,
    rationale: why,
    context_to_provide: { gate: gateId, step_id: step.id },
    step_id: step.id,
    gate_id: gateId,
    decision_source: 'core',
  };
}

function escalate(step: Step, reason: EscalationReason, loopId: string | undefined, message: string): Decision {
  return {
    action_type: 'escalate_to_human',
    target_agent: 'human',
    step_number: step.number,
    rationale: message,
    context_to_provide: { reason, step_id: step.id, ...(loopId !== undefined ? { loop: loopId } : {}) },
    step_id: step.id,
    escalation: { reason, ...(loopId !== undefined ? { loop_id: loopId } : {}), message },
    decision_source: 'core',
  };
}

// ── Reading the record ──────────────────────────────────────────────────────────────────────
export function convergenceOf(def: WorkflowDefinition, state: WorkflowState, step: Step): ConvergenceResult {
  const latest = state.validations.findLast((v) => v.stepId === step.id);
  const rubric = def.rubrics.find((r) => r.id === step.rubric)!;
  if (latest === undefined) return { converged: false, unmet: ['no validation recorded'], met: [], missing: [] };
  return evaluateConvergence(rubric, latest.report);
}

function weightedHistory(def: WorkflowDefinition, state: WorkflowState, loopId: string): Array<number | undefined> {
  const from = state.loops[loopId]?.stallFrom ?? 0;
  return state.validations
    .filter((v) => v.loopId === loopId)
    .slice(from)
    .map((v) => {
      const rubric = def.rubrics.find((r) => r.id === stepById(def, v.stepId).rubric)!;
      return weightedScore(rubric, v.report.scoreCard);
    });
}

function summarise(result: ConvergenceResult): string {
  return result.converged ? `converged: ${result.met.join(', ')}` : `not converged: ${result.unmet.join(', ')}`;
}

function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}
