/**
 * Workflow state as the API shows it (snake_case JSON): the summary row, the timeline of steps,
 * loops, retries, gates and escalations, and the scores per round against their thresholds.
 */
import { evaluateConvergence } from '../../core/convergence.js';
import type { Step, WorkflowDefinition } from '../../core/definition-schema.js';
import { issueCount } from '../../core/records.js';
import type { Usage } from '../../core/records.js';
import type { StepRun, WorkflowState } from '../../core/state.js';
import { waitingFor } from '../../engine/workflow-log.js';
import { externalWait, shownStatus } from '../../engine/external-wait.js';
import type { WorkflowSummary } from '../../store/store.js';
import { approvalsView, artifactsView, budgetView, usageView } from './workflow-usage-views.js';
import { escalationAnswers } from '../../engine/human-answers.js';

/**
 * `workflow_id` is the name every interface uses; `id` stays beside it because the dashboard and
 * the published OpenAPI document read it (deprecated there).
 */
export function summaryView(s: WorkflowSummary, round?: RoundInfo) {
  return {
    workflow_id: s.id,
    id: s.id,
    name: s.name,
    definition_id: s.definitionId,
    status: s.status,
    phase: s.phase,
    current_step: s.currentStep,
    waiting_for: s.waitingFor,
    requirements: s.requirements,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    last_seq: s.lastSeq,
    // Quarantined: its log cannot be read as written; the rest of the store works as ever.
    ...(s.damage !== undefined ? { damage: { seq: s.damage.seq, reason: s.damage.reason } } : {}),
    ...(round ? { round: round.round, loop: round.loop, phase_name: round.phaseName } : {}),
  };
}

export interface RoundInfo {
  /** The latest validation round of the current phase (0 before the first). */
  round: number;
  loop: string | null;
  phaseName: string;
}

export function currentRound(state: WorkflowState): RoundInfo {
  const def = state.definition;
  const latest = state.validations.findLast((v) => stepOf(def, v.stepId)?.phase === state.phase);
  const phaseName = def.phases.find((p) => p.id === state.phase)?.name ?? state.phase;
  return { round: latest?.round ?? 0, loop: latest?.loopId ?? null, phaseName };
}

function stepOf(def: WorkflowDefinition, id: string): Step | undefined {
  return def.steps.find((s) => s.id === id);
}

function sumUsage(usage: readonly Usage[]) {
  return {
    input_tokens: usage.reduce((n, u) => n + u.inputTokens, 0),
    output_tokens: usage.reduce((n, u) => n + u.outputTokens, 0),
    cost_usd: usage.reduce((n, u) => n + u.costUsd, 0),
  };
}

function runView(state: WorkflowState, run: StepRun) {
  const step = stepOf(state.definition, run.stepId);
  const validation = state.validations.find((v) => v.actionId === run.actionId);
  const output = state.outputs.find((o) => o.actionId === run.actionId);
  const end = run.completedAt;
  return {
    kind: 'step' as const,
    at: run.scheduledAt,
    action_id: run.actionId,
    step_id: run.stepId,
    step_number: run.stepNumber,
    step_name: step?.name ?? run.stepId,
    step_kind: step?.kind ?? 'produce',
    phase: step?.phase ?? null,
    role: run.role,
    attempt: run.attempt,
    retry: run.attempt > 1,
    status: run.status,
    agent: run.agent ?? null,
    /** Where a command agent's process ran: `none` is shown as "not sandboxed". */
    sandbox: run.sandbox ?? null,
    started_at: run.startedAt ?? null,
    completed_at: end ?? null,
    duration_ms: run.startedAt && end ? Date.parse(end) - Date.parse(run.startedAt) : null,
    loop: step?.loop ?? null,
    round: validation?.round ?? null,
    version: output?.version ?? null,
    artifact: step?.artifact ?? null,
    recovery_strategy: run.recoveryStrategy ?? null,
    failure: run.failure ?? null,
    change_requests: run.changeRequests,
    usage: sumUsage(run.usage),
    /** False for a step answered from outside: its tokens and cost are unknown (n/a), not 0. */
    usage_known: run.agent !== 'external',
  };
}

/**
 * Steps, gates, escalations, phase changes and human revisions in the order they were recorded:
 * by the seq of the event behind each entry. Several events recorded in one write share an instant
 * (an auto-approved gate and the step it lets start), so time alone cannot order them. States
 * rebuilt from snapshots older than the seqs fall back to time.
 */
export function timelineView(state: WorkflowState) {
  const def = state.definition;
  const items: Array<{ at: string; kind: string; seq: number | null } & Record<string, unknown>> = state.runs.map((run) => ({ ...runView(state, run), seq: run.seq ?? null }));
  for (const a of state.approvals) {
    items.push({
      kind: 'gate',
      at: a.at,
      seq: a.seq ?? null,
      gate_id: a.gateId,
      gate_name: def.gates.find((g) => g.id === a.gateId)?.name ?? a.gateId,
      decision: a.decision,
      actor: a.actor,
      comment: a.comment ?? null,
      change_requests: a.changeRequests,
      automatic: a.automatic ?? null,
      approved_before: (a.earlier ?? []).map((v) => ({ actor: v.actor, at: v.at, comment: v.comment ?? null })),
    });
  }
  if (state.gate !== null) {
    items.push({ kind: 'gate', at: state.gate.requestedAt, seq: state.gate.seq ?? null, gate_id: state.gate.gateId, gate_name: def.gates.find((g) => g.id === state.gate!.gateId)?.name ?? state.gate.gateId, decision: 'pending' });
  }
  for (const e of state.escalations) {
    items.push({ kind: 'escalation', at: e.answeredAt ?? e.raisedAt, seq: e.answeredSeq ?? e.seq ?? null, raised_at: e.raisedAt, reason: e.reason, message: e.message, step_id: e.stepId, answer: e.answer ?? null, actor: e.actor ?? null });
  }
  if (state.escalation !== null && !state.escalations.some((e) => e.escalationId === state.escalation!.escalationId)) {
    const e = state.escalation;
    items.push({ kind: 'escalation', at: e.raisedAt, seq: e.seq ?? null, raised_at: e.raisedAt, reason: e.reason, message: e.message, step_id: e.stepId, answer: null, actor: null });
  }
  for (const p of state.phaseTransitions) items.push({ kind: 'phase', at: p.at, seq: p.seq ?? null, from: p.from, to: p.to, trigger: p.trigger });
  for (const o of state.outputs) {
    if (o.human === undefined) continue;
    items.push({
      kind: 'revision',
      at: o.at,
      seq: o.human.seq,
      artifact: o.output.artifact,
      path: o.human.path ?? null,
      version: o.version,
      step_id: o.stepId,
      actor: o.human.actor,
      comment: o.human.comment ?? null,
      title: `human revision by ${o.human.actor.id}: ${o.human.path ?? o.output.artifact}`,
      diff: o.human.diff,
    });
  }
  if (items.every((item) => item.seq !== null)) {
    return items.map((item, i) => ({ item, i })).sort((a, b) => a.item.seq! - b.item.seq! || a.i - b.i).map(({ item }) => item);
  }
  // Same-instant entries: a phase change first (it is recorded with the step it starts), then
  // the natural order (a run before the gate it led to).
  const rank = (kind: string) => (kind === 'phase' ? 0 : 1);
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => (a.item.at < b.item.at ? -1 : a.item.at > b.item.at ? 1 : rank(a.item.kind) - rank(b.item.kind) || a.i - b.i))
    .map(({ item }) => item);
}

/** Every validation with its scores against the rubric's thresholds, its issues and its checks. */
export function roundsView(state: WorkflowState) {
  const def = state.definition;
  return state.validations.map((v) => {
    const step = stepOf(def, v.stepId);
    const rubric = def.rubrics.find((r) => r.id === step?.rubric);
    const dims = v.report.scoreCard.dimensions;
    const names = [...new Set([...Object.keys(rubric?.dimensions ?? {}), ...Object.keys(dims)])];
    const result = rubric ? evaluateConvergence(rubric, v.report) : undefined;
    return {
      action_id: v.actionId,
      step_id: v.stepId,
      step_number: step?.number ?? null,
      artifact: v.report.kind,
      loop: v.loopId ?? null,
      round: v.round,
      at: v.at,
      converged: result?.converged ?? null,
      met: result?.met ?? [],
      unmet: result?.unmet ?? [],
      weighted: result?.weighted ?? v.report.scoreCard.weighted ?? null,
      scores: names.map((dimension) => {
        const min = rubric?.dimensions[dimension]?.min ?? null;
        const score = dims[dimension] ?? null;
        return { dimension, score, min, met: min === null ? null : score !== null && score >= min };
      }),
      issues: { critical: issueCount(v.report, 'critical'), major: issueCount(v.report, 'major'), minor: issueCount(v.report, 'minor') },
      issue_list: v.report.issues.slice(0, 50).map((i) => ({ severity: i.severity, source: i.source, message: i.message, location: i.location ?? null, false_positive: i.falsePositive ?? null })),
      checks: v.report.toolResults.map((t) => ({
        id: t.toolId,
        status: t.status,
        required: t.required,
        level: t.level,
        summary: t.summary,
        coverage: t.coverage ?? null,
        duration_ms: t.durationMs,
        sandbox: t.sandbox ?? null,
      })),
      summary: v.report.summary,
    };
  });
}

/** Thresholds per rubric: what the chart draws as lines. */
export function thresholdsView(def: WorkflowDefinition) {
  return Object.fromEntries(
    def.rubrics.map((r) => [
      r.id,
      {
        dimensions: Object.fromEntries(Object.entries(r.dimensions).map(([name, d]) => [name, { min: d.min ?? null, weight: d.weight }])),
        max_critical_issues: r.max_critical_issues,
        max_minor_issues: r.max_minor_issues ?? null,
        min_coverage: r.min_coverage ?? null,
      },
    ]),
  );
}

export function pendingView(state: WorkflowState) {
  const def = state.definition;
  const gate = state.gate && {
    gate_id: state.gate.gateId,
    gate_name: def.gates.find((g) => g.id === state.gate!.gateId)?.name ?? state.gate.gateId,
    interaction_id: state.gate.interactionId,
    step_id: state.gate.stepId,
    requested_at: state.gate.requestedAt,
    timeout_at: state.gate.timeoutAt ?? null,
    protected_paths: state.gate.protectedPaths ?? [],
    changes_to: def.gates.find((g) => g.id === state.gate!.gateId)?.changes_to ?? null,
    approvals: approvalsView(state),
  };
  const escalation = state.escalation && {
    escalation_id: state.escalation.escalationId,
    reason: state.escalation.reason,
    step_id: state.escalation.stepId,
    loop: state.escalation.loopId ?? null,
    message: state.escalation.message,
    raised_at: state.escalation.raisedAt,
    answers: escalationAnswers(state.escalation.reason),
  };
  const wait = externalWait(state);
  // A step waiting for its result from outside: the dashboard fetches its prompts from /next.
  const external = wait && {
    step_id: wait.stepId,
    step_number: wait.stepNumber,
    step_name: wait.stepName ?? wait.stepId,
    role: wait.role,
    attempt: wait.attempt,
    format: wait.format,
    texts: wait.texts,
    templates: wait.templates,
    since: wait.since,
  };
  return { gate: gate ?? null, escalation: escalation ?? null, external: external ?? null };
}

export function workflowView(state: WorkflowState) {
  const round = currentRound(state);
  return {
    workflow_id: state.workflowId,
    id: state.workflowId,
    name: state.name ?? '',
    definition: { id: state.definition.id, name: state.definition.name, steps: state.definition.steps.map((s) => ({ id: s.id, number: s.number, name: s.name ?? s.id, phase: s.phase, kind: s.kind, role: s.role })), phases: state.definition.phases },
    status: shownStatus(state),
    paused: state.paused,
    phase: state.phase,
    round: round.round,
    loop: round.loop,
    waiting_for: waitingFor(state),
    requirements: state.requirements,
    workspace: state.workspace,
    auto_approve: state.autoApprove,
    agent_mode: state.agentMode,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    completed_at: state.completedAt ?? null,
    last_seq: state.seq,
    failure_message: state.failureMessage ?? null,
    forked_from: state.forkedFrom ? { ...state.forkedFrom, workflow_id: state.forkedFrom.workflowId } : null,
    ...pendingView(state),
    timeline: timelineView(state),
    rounds: roundsView(state),
    thresholds: thresholdsView(state.definition),
    usage: usageView(state),
    budget: budgetView(state),
    artifacts: artifactsView(state),
    checks: state.definition.checks.map((c) => ({ id: c.id, required: c.required, level: c.level })),
  };
}
