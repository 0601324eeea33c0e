/**
 * State → the seed's state document (`converge export --format seed-state`).
 * See seed-state.ts for the status mapping.
 */
import { evaluateConvergence, weightedScore } from './convergence.js';
import type { Rubric, Step, WorkflowDefinition } from './definition-schema.js';
import { ConvergeError } from './errors.js';
import type { EscalationAnswer } from './events.js';
import { countIssues } from './records.js';
import type { ValidationReport } from './records.js';
import { lastCompletedRun } from './state.js';
import type { ApprovalRecord, StepRun, ValidationRecord, WorkflowState } from './state.js';
import { SUMMARY_CHARS } from './seed-state-shape.js';
import type { ApprovalStatus, ApprovalType, SeedApprovalSummary, SeedEscalation, SeedScores, SeedState, SeedStatus, SeedStepEntry } from './seed-state-shape.js';

// ── State → seed ────────────────────────────────────────────────────────────────────────────
export function toSeedState(state: WorkflowState): SeedState {
  const def = state.definition;
  const lastRun = state.runs[state.runs.length - 1];
  const planStep = planValidateStep(def);
  const latestPlan = planStep === undefined ? undefined : state.validations.findLast((v) => v.stepId === planStep.id);
  const latestPlanText = state.outputs.findLast((o) => o.output.artifact === 'plan')?.output.content ?? null;

  return {
    schema_version: '1.0.0',
    workflow_id: state.workflowId,
    workflow_name: state.name ?? def.name,
    definition_id: def.id,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    status: seedStatus(state),
    converge_status: state.status,
    paused: state.paused,
    current_phase: state.phase,
    current_step: lastRun?.stepNumber ?? 0,
    last_completed_step: lastCompletedRun(state)?.stepNumber ?? 0,
    total_execution_time: seconds(state.createdAt, state.completedAt ?? state.updatedAt) ?? 0,
    step_history: state.runs.map((run) => stepEntry(state, run)),
    ...(latestPlan !== undefined ? { validation_scores: dimensionScores(latestPlan.report) } : {}),
    convergence_status: convergenceStatus(state),
    human_approvals: humanApprovals(state),
    pending_approval:
      state.gate === null
        ? null
        : {
            approval_type: approvalTypeOf(def, state.gate.gateId),
            gate_id: state.gate.gateId,
            step_number: stepOf(def, state.gate.stepId).number,
            requested_at: state.gate.requestedAt,
            timeout_at: state.gate.timeoutAt ?? null,
            timed_out: state.gate.timedOut,
          },
    escalations: state.escalations.map((e) => ({
      escalation_id: e.escalationId,
      reason: e.reason,
      step_number: stepOf(def, e.stepId).number,
      loop: e.loopId ?? null,
      message: e.message,
      raised_at: e.raisedAt,
      answer: e.answer === undefined ? null : seedAnswer(e.answer),
      answered_at: e.answeredAt ?? null,
      approver: e.actor?.id ?? null,
    })),
    workspace_context: {
      developer_type: state.workspace.type,
      workspace_type: state.workspace.type,
      workspace_path: state.workspace.path,
      ...(state.workspace.branch !== undefined ? { branch: state.workspace.branch } : {}),
      project_context: { project_type: state.profile ?? null },
    },
    requirements: {
      initial_requirements: state.requirements,
      step_type: state.taskType ?? null,
      documentation_locations: [...state.documentationLocations],
    },
    artifacts: {
      implementation_plan: latestPlanText,
      generated_code: generatedCode(state),
      validation_reports: state.validations.map((v) => ({
        step_number: stepOf(def, v.stepId).number,
        round: v.round,
        kind: v.report.kind,
        summary: summarise(v.report.summary),
        converged: convergenceFor(def, v).converged,
        timestamp: v.at,
      })),
      revision_history: state.outputs.map((o) => ({
        artifact: o.output.artifact,
        version: o.version,
        step_number: stepOf(def, o.stepId).number,
        summary: summarise(o.output.content),
        timestamp: o.at,
      })),
    },
    metrics: metrics(state),
    phase_transitions: phaseTransitions(state),
  };
}

function seedStatus(state: WorkflowState): SeedStatus {
  if (state.paused && state.status === 'running') return 'paused';
  switch (state.status) {
    case 'running':
      return state.runs.length === 0 ? 'initialized' : 'running';
    case 'waiting_for_human':
      return 'paused';
    case 'rejected':
      return 'cancelled';
    default:
      return state.status;
  }
}

function stepEntry(state: WorkflowState, run: StepRun): SeedStepEntry {
  const def = state.definition;
  const step = stepOf(def, run.stepId);
  const output = state.outputs.find((o) => o.actionId === run.actionId);
  const validation = state.validations.find((v) => v.actionId === run.actionId);
  const startedAt = run.startedAt ?? run.scheduledAt;
  const entry: SeedStepEntry = {
    step_number: run.stepNumber,
    step_id: run.stepId,
    action_id: run.actionId,
    agent: run.role,
    template: step.templates[0]!,
    templates: [...step.templates],
    status: run.status === 'completed' ? 'completed' : run.status === 'failed' ? 'failed' : 'in_progress',
    scheduled_at: run.scheduledAt,
    started_at: startedAt,
    completed_at: run.completedAt ?? null,
    execution_time: run.completedAt === undefined ? null : seconds(startedAt, run.completedAt),
    input_context: {
      attempt: run.attempt,
      timeout_ms: run.timeoutMs,
      ...(run.recoveryStrategy !== undefined ? { recovery_strategy: run.recoveryStrategy } : {}),
      ...(run.changeRequests.length > 0 ? { change_requests: [...run.changeRequests] } : {}),
    },
    output: null,
  };
  if (output !== undefined) {
    entry.output = {
      artifact: output.output.artifact,
      version: output.version,
      summary: summarise(output.output.content),
      files: output.output.files.map((f) => f.path),
    };
  }
  if (validation !== undefined) {
    const report = validation.report;
    const result = convergenceFor(def, validation);
    entry.output = {
      report_kind: report.kind,
      summary: summarise(report.summary),
      overall: report.overall ?? null,
      critical_issues: countIssues(report.issues, 'critical'),
      major_issues: countIssues(report.issues, 'major'),
      minor_issues: countIssues(report.issues, 'minor'),
      checks: report.toolResults.map((t) => ({
        id: t.toolId,
        status: t.status,
        required: t.required,
        ...(t.coverage !== undefined ? { coverage: t.coverage } : {}),
      })),
      converged: result.converged,
      unmet: result.unmet,
    };
    entry.validation_scores = scoresOf(def, validation);
  }
  if (run.status === 'failed' && run.failure !== undefined) {
    const index = state.runs.indexOf(run);
    const retry = state.runs[index + 1];
    const recovered = retry !== undefined && retry.stepId === run.stepId && retry.recoveryStrategy !== undefined;
    entry.error_info = {
      type: run.failure.class,
      message: run.failure.message,
      details: {
        agent: run.role,
        step: run.stepNumber,
        template: step.templates[0]!,
        timeout_ms: run.timeoutMs,
        ...(run.failure.retryAfterMs !== undefined ? { retry_after_ms: run.failure.retryAfterMs } : {}),
      },
      recovery_attempts: run.attempt - 1,
      recovery_strategies: recovered
        ? [
            {
              strategy: retry.recoveryStrategy!,
              attempted_at: retry.scheduledAt,
              result: retry.status === 'completed' ? 'succeeded' : retry.status === 'failed' ? 'failed' : 'in_progress',
            },
          ]
        : [],
    };
  }
  return entry;
}

function convergenceStatus(state: WorkflowState): SeedState['convergence_status'] {
  const def = state.definition;
  const flags: Record<string, boolean> = {};
  for (const phase of def.phases) {
    const latest = state.validations.findLast((v) => stepOf(def, v.stepId).phase === phase.id);
    const movedOn = state.phaseTransitions.some((t) => t.from === phase.id);
    const finished = state.status === 'completed' && state.phase === phase.id;
    flags[`${phase.id}_converged`] = movedOn || finished || (latest !== undefined && convergenceFor(def, latest).converged);
  }
  return {
    ...flags,
    criteria: criteria(def),
    convergence_history: state.validations.map((v) => {
      const step = stepOf(def, v.stepId);
      const result = convergenceFor(def, v);
      return {
        phase: step.phase,
        step_number: step.number,
        attempt: v.round,
        scores: scoresOf(def, v),
        converged: result.converged,
        unmet: result.unmet,
        timestamp: v.at,
      };
    }),
  } as SeedState['convergence_status'];
}

/** The seed's criteria are the plan thresholds (alignment_threshold 9.0 …), read from the definition. */
function criteria(def: WorkflowDefinition): Record<string, number> {
  const out: Record<string, number> = {};
  const step = planValidateStep(def) ?? def.steps.find((s) => s.kind === 'validate');
  const rubric = step === undefined ? undefined : def.rubrics.find((r) => r.id === step.rubric);
  if (rubric === undefined) return out;
  for (const [name, dim] of Object.entries(rubric.dimensions)) {
    if (dim.min !== undefined) out[`${name}_threshold`] = dim.min;
  }
  out.max_critical_issues = rubric.max_critical_issues;
  return out;
}

function humanApprovals(state: WorkflowState): SeedState['human_approvals'] {
  const def = state.definition;
  const summary = (type: ApprovalType): SeedApprovalSummary => {
    const latest = state.approvals.findLast((a) => approvalTypeOf(def, a.gateId) === type);
    return latest === undefined
      ? { approved: false, timestamp: null, approver: null }
      : { approved: latest.decision === 'approve', timestamp: latest.at, approver: latest.actor.id };
  };
  return {
    plan_approval: summary('plan'),
    code_approval: summary('code'),
    final_approval: summary('final'),
    approval_history: state.approvals.map((a) => ({
      approval_type: approvalTypeOf(def, a.gateId),
      gate_id: a.gateId,
      status: approvalStatus(a),
      approver: a.actor.id,
      timestamp: a.at,
      comments: a.comment ?? null,
      change_requests: [...a.changeRequests],
      ...(a.automatic !== undefined ? { automatic: a.automatic } : {}),
    })),
  };
}

function metrics(state: WorkflowState): SeedState['metrics'] {
  const def = state.definition;
  const perPhase: Record<string, number> = {};
  for (const phase of def.phases) {
    perPhase[`${phase.id}_iterations`] = state.validations.filter((v) => stepOf(def, v.stepId).phase === phase.id).length;
  }
  return {
    ...perPhase,
    total_iterations: state.validations.length,
    validation_failures: state.validations.filter((v) => !convergenceFor(def, v).converged).length,
    recovery_actions: state.runs.filter((r) => r.recoveryStrategy !== undefined).length,
    human_interventions:
      state.approvals.filter((a) => a.automatic === undefined).length + state.escalations.filter((e) => e.answer !== undefined).length,
  } as SeedState['metrics'];
}

function phaseTransitions(state: WorkflowState): SeedState['phase_transitions'] {
  const def = state.definition;
  const time = (iso: string) => Date.parse(iso);
  return state.phaseTransitions.map((t) => {
    const validation = state.validations.findLast((v) => time(v.at) <= time(t.at));
    const approval = state.approvals.findLast(
      (a) => time(a.at) <= time(t.at) && (validation === undefined || time(a.at) >= time(validation.at)),
    );
    return {
      from_phase: t.from,
      to_phase: t.to,
      trigger: t.trigger,
      timestamp: t.at,
      validation_scores: validation === undefined ? null : scoresOf(def, validation),
      human_approval_required: approval !== undefined,
      human_approval_status: approval === undefined ? null : approvalStatus(approval),
    };
  });
}

function generatedCode(state: WorkflowState): string[] {
  const paths = new Set<string>();
  for (const o of state.outputs) {
    if (o.output.artifact === 'plan') continue;
    for (const f of o.output.files) {
      if (f.action === 'delete') paths.delete(f.path);
      else paths.add(f.path);
    }
  }
  return [...paths];
}

function scoresOf(def: WorkflowDefinition, v: ValidationRecord): SeedScores {
  const rubric = rubricOf(def, stepOf(def, v.stepId));
  return { ...dimensionScores(v.report), overall_score: weightedScore(rubric, v.report.scoreCard) ?? v.report.scoreCard.weighted ?? null };
}

function dimensionScores(report: ValidationReport): SeedScores {
  return Object.fromEntries(Object.entries(report.scoreCard.dimensions).map(([name, value]) => [`${name}_score`, value]));
}

function convergenceFor(def: WorkflowDefinition, v: ValidationRecord) {
  return evaluateConvergence(rubricOf(def, stepOf(def, v.stepId)), v.report);
}

function seedAnswer(answer: EscalationAnswer): NonNullable<SeedEscalation['answer']> {
  if (answer.kind === 'grant_rounds') return { kind: answer.kind, rounds: answer.rounds };
  if (answer.kind === 'send_back') return { kind: answer.kind, change_requests: [...answer.changeRequests] };
  return { kind: answer.kind };
}

function approvalStatus(a: ApprovalRecord): ApprovalStatus {
  return a.decision === 'approve' ? 'approved' : a.decision === 'reject' ? 'rejected' : 'changes_requested';
}

function summarise(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}

function seconds(from: string, to: string): number | null {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? null : Math.max(0, ms) / 1000;
}

// ── Definition lookups shared by both directions ────────────────────────────────────────────
export function stepOf(def: WorkflowDefinition, stepId: string): Step {
  const step = def.steps.find((s) => s.id === stepId);
  if (step === undefined) throw new ConvergeError('ILLEGAL_ACTION', `Workflow definition "${def.id}" has no step "${stepId}".`);
  return step;
}

export function rubricOf(def: WorkflowDefinition, step: Step): Rubric {
  return def.rubrics.find((r) => r.id === step.rubric) ?? { id: 'none', dimensions: {}, max_critical_issues: 0, required_checks: 'all' };
}

export function planValidateStep(def: WorkflowDefinition): Step | undefined {
  return def.steps.find((s) => s.kind === 'validate' && s.artifact === 'plan');
}

/** The seed knows three approvals: the plan gate, the code review after step 5, and the final one. */
export function approvalTypeOf(def: WorkflowDefinition, gateId: string): ApprovalType {
  if (def.steps.some((s) => s.review_gate === gateId)) return 'code';
  if (def.steps.some((s) => s.gate === gateId && s.artifact === 'plan')) return 'plan';
  return 'final';
}

