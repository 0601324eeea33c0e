/**
 * The seed's workflow state document (`workflow_state_schema.md`, digest §1.B.1), both ways.
 *
 * - `toSeedState(state)` projects our state onto the seed's shape (`converge export --format seed-state`).
 * - `fromSeedState(json, definition)` reads a seed state — possibly partial, possibly one of the seed's
 *   three example inputs — and rebuilds a WorkflowState for `converge decide`. It never builds the
 *   state directly: it synthesises the equivalent event list and folds it with `reduce`, so the
 *   reducer stays the only authority.
 *
 * Status mapping (the seed has initialized|running|paused|completed|failed|cancelled; our exact
 * status is always kept in `converge_status`):
 * - running → `initialized` before the first step is scheduled, else `running`;
 * - waiting_for_human → `paused` (the seed pauses while a human approves), and so does a paused run;
 * - rejected → `cancelled`: a human stopped the workflow at a gate, nothing failed (our `failed`
 *   means an unrecoverable error only);
 * - completed, failed, cancelled → the same word.
 *
 * Fields the seed does not have are added with plain names (`converge_status`, `paused`,
 * `pending_approval`, `escalations`, `step_id`, …) so that an export can be read back exactly.
 */
import { z } from 'zod';
import { reduce } from './apply.js';
import { evaluateConvergence, weightedScore } from './convergence.js';
import { COMPLETE, FailureClassSchema, RecoveryStrategySchema } from './definition-schema.js';
import type { FailureClass, RecoveryStrategy, Role, Rubric, Step, WorkflowDefinition } from './definition-schema.js';
import { ConvergeError, formatPath } from './errors.js';
import type { EscalationAnswer, EscalationReason, NewEvent, WorkflowEvent } from './events.js';
import { classifyErrorType, recoveryRule } from './recovery.js';
import { countIssues } from './records.js';
import type { Issue, ToolResult, ValidationReport } from './records.js';
import { lastCompletedRun } from './state.js';
import type { ApprovalRecord, StepRun, ValidationRecord, WorkflowState, WorkflowStatus } from './state.js';

export const SEED_STATUSES = ['initialized', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type SeedStatus = (typeof SEED_STATUSES)[number];
export type ApprovalType = 'plan' | 'code' | 'final';
type ApprovalStatus = 'approved' | 'rejected' | 'changes_requested';

/** Used for `at` when the seed state gives no timestamp at all; the core has no clock. */
export const SEED_EPOCH = '1970-01-01T00:00:00.000Z';
const SUMMARY_CHARS = 200;

// ── The exported shape ──────────────────────────────────────────────────────────────────────
/** `<dimension>_score` for every scored dimension (alignment_score …), plus `overall_score`. */
export type SeedScores = Record<string, number | null>;

export interface SeedCheck {
  id: string;
  status: ToolResult['status'];
  required: boolean;
  coverage?: number;
}

export type SeedStepOutput =
  | { artifact: string; version: number; summary: string; files: string[] }
  | {
      report_kind: ValidationReport['kind'];
      summary: string;
      overall: ValidationReport['overall'] | null;
      critical_issues: number;
      major_issues: number;
      minor_issues: number;
      checks: SeedCheck[];
      converged: boolean;
      unmet: string[];
    };

export interface SeedErrorInfo {
  type: string;
  message: string;
  details: { agent: Role; step: number; template: string; timeout_ms: number; retry_after_ms?: number };
  /** Retries of this step made before this failure. */
  recovery_attempts: number;
  /** The recovery applied after this failure, if it was retried. */
  recovery_strategies: Array<{ strategy: RecoveryStrategy; attempted_at: string; result: 'succeeded' | 'failed' | 'in_progress' }>;
}

export interface SeedStepEntry {
  step_number: number;
  step_id: string;
  action_id: string;
  agent: Role;
  template: string;
  templates: string[];
  status: 'completed' | 'failed' | 'in_progress';
  scheduled_at: string;
  started_at: string;
  completed_at: string | null;
  /** Seconds. */
  execution_time: number | null;
  input_context: {
    attempt: number;
    timeout_ms: number;
    recovery_strategy?: RecoveryStrategy;
    change_requests?: string[];
  };
  output: SeedStepOutput | null;
  validation_scores?: SeedScores;
  error_info?: SeedErrorInfo;
}

export interface SeedApprovalEntry {
  approval_type: ApprovalType;
  gate_id: string;
  status: ApprovalStatus;
  approver: string;
  timestamp: string;
  comments: string | null;
  change_requests: string[];
  automatic?: 'auto_approve' | 'timeout_policy';
}

export interface SeedApprovalSummary {
  approved: boolean;
  timestamp: string | null;
  approver: string | null;
}

export interface SeedEscalation {
  escalation_id: string;
  reason: EscalationReason;
  step_number: number;
  loop: string | null;
  message: string;
  raised_at: string;
  answer: { kind: EscalationAnswer['kind']; rounds?: number; change_requests?: string[] } | null;
  answered_at: string | null;
  approver: string | null;
}

export interface SeedState {
  schema_version: '1.0.0';
  workflow_id: string;
  workflow_name: string;
  definition_id: string;
  created_at: string;
  updated_at: string;
  status: SeedStatus;
  converge_status: WorkflowStatus;
  paused: boolean;
  current_phase: string;
  /** The step of the current or last run; 0 before the first step is scheduled. */
  current_step: number;
  last_completed_step: number;
  /** Seconds from creation to completion (or to the last event). */
  total_execution_time: number;
  step_history: SeedStepEntry[];
  /** The latest plan validation's scores, as in the seed's Example 2 input. */
  validation_scores?: SeedScores;
  convergence_status: {
    criteria: Record<string, number>;
    convergence_history: Array<{
      phase: string;
      step_number: number;
      attempt: number;
      scores: SeedScores;
      converged: boolean;
      unmet: string[];
      timestamp: string;
    }>;
  } & Record<`${string}_converged`, boolean>;
  human_approvals: {
    plan_approval: SeedApprovalSummary;
    code_approval: SeedApprovalSummary;
    final_approval: SeedApprovalSummary;
    approval_history: SeedApprovalEntry[];
  };
  pending_approval: {
    approval_type: ApprovalType;
    gate_id: string;
    step_number: number;
    requested_at: string;
    timeout_at: string | null;
    timed_out: boolean;
  } | null;
  escalations: SeedEscalation[];
  workspace_context: {
    developer_type: 'shared' | 'isolated';
    workspace_type: 'shared' | 'isolated';
    workspace_path: string;
    branch?: string;
    project_context: { project_type: string | null };
  };
  requirements: { initial_requirements: string; step_type: string | null; documentation_locations: string[] };
  artifacts: {
    implementation_plan: string | null;
    generated_code: string[];
    validation_reports: Array<{ step_number: number; round: number; kind: string; summary: string; converged: boolean; timestamp: string }>;
    revision_history: Array<{ artifact: string; version: number; step_number: number; summary: string; timestamp: string }>;
  };
  metrics: {
    total_iterations: number;
    validation_failures: number;
    recovery_actions: number;
    human_interventions: number;
  } & Record<`${string}_iterations`, number>;
  phase_transitions: Array<{
    from_phase: string;
    to_phase: string;
    trigger: string;
    timestamp: string;
    validation_scores: SeedScores | null;
    human_approval_required: boolean;
    human_approval_status: ApprovalStatus | null;
  }>;
}

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
function stepOf(def: WorkflowDefinition, stepId: string): Step {
  const step = def.steps.find((s) => s.id === stepId);
  if (step === undefined) throw new ConvergeError('ILLEGAL_ACTION', `Workflow definition "${def.id}" has no step "${stepId}".`);
  return step;
}

function rubricOf(def: WorkflowDefinition, step: Step): Rubric {
  return def.rubrics.find((r) => r.id === step.rubric) ?? { id: 'none', dimensions: {}, max_critical_issues: 0, required_checks: 'all' };
}

function planValidateStep(def: WorkflowDefinition): Step | undefined {
  return def.steps.find((s) => s.kind === 'validate' && s.artifact === 'plan');
}

/** The seed knows three approvals: the plan gate, the code review after step 5, and the final one. */
export function approvalTypeOf(def: WorkflowDefinition, gateId: string): ApprovalType {
  if (def.steps.some((s) => s.review_gate === gateId)) return 'code';
  if (def.steps.some((s) => s.gate === gateId && s.artifact === 'plan')) return 'plan';
  return 'final';
}

// ── Seed → state: the accepted input ────────────────────────────────────────────────────────
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 timestamp');
const optionalTimestamp = timestamp.nullable().optional();
const ScoresInput = z.record(z.string(), z.number().min(0).max(10).nullable());

const StepOutputInput = z.union([
  z.string(),
  z.looseObject({
    content: z.string().optional(),
    summary: z.string().optional(),
    files: z.array(z.string()).optional(),
    report_kind: z.enum(['plan', 'code']).optional(),
    overall: z.enum(['pass', 'fail', 'needs_improvement', 'conditional']).nullable().optional(),
    critical_issues: z.number().int().min(0).optional(),
    major_issues: z.number().int().min(0).optional(),
    minor_issues: z.number().int().min(0).optional(),
    checks: z
      .array(
        z.looseObject({
          id: z.string().min(1),
          status: z.enum(['passed', 'failed', 'error', 'skipped']),
          required: z.boolean().default(true),
          coverage: z.number().min(0).max(100).optional(),
        }),
      )
      .optional(),
  }),
]);

const StepEntryInput = z
  .looseObject({
    step_number: z.number().int().positive().optional(),
    step_id: z.string().optional(),
    action_id: z.string().optional(),
    agent: z.string().optional(),
    template: z.string().optional(),
    status: z.enum(['completed', 'failed', 'in_progress', 'skipped']),
    scheduled_at: optionalTimestamp,
    started_at: optionalTimestamp,
    completed_at: optionalTimestamp,
    input_context: z
      .looseObject({
        attempt: z.number().int().positive().optional(),
        timeout_ms: z.number().positive().optional(),
        recovery_strategy: RecoveryStrategySchema.optional(),
        change_requests: z.array(z.string()).optional(),
        not_before: timestamp.optional(),
      })
      .nullable()
      .optional(),
    output: StepOutputInput.nullable().optional(),
    validation_scores: ScoresInput.nullable().optional(),
    error_info: z
      .looseObject({
        type: z.string().min(1),
        message: z.string().optional(),
        details: z
          .looseObject({ timeout_ms: z.number().positive().optional(), retry_after_ms: z.number().min(0).optional() })
          .nullable()
          .optional(),
      })
      .nullable()
      .optional(),
  })
  .refine((e) => e.step_number !== undefined || e.step_id !== undefined, {
    message: 'needs step_number (1–7 in the seven-step workflow) or step_id',
    path: ['step_number'],
  });

const ApprovalEntryInput = z.looseObject({
  approval_type: z.enum(['plan', 'code', 'final']),
  gate_id: z.string().optional(),
  status: z.enum(['approved', 'rejected', 'changes_requested']),
  approver: z.string().nullable().optional(),
  timestamp: optionalTimestamp,
  comments: z.string().nullable().optional(),
  change_requests: z.array(z.string()).optional(),
  automatic: z.enum(['auto_approve', 'timeout_policy']).optional(),
});

const ApprovalSummaryInput = z
  .looseObject({ approved: z.boolean().nullable().optional(), timestamp: optionalTimestamp, approver: z.string().nullable().optional() })
  .nullable()
  .optional();

const EscalationInput = z.looseObject({
  escalation_id: z.string().optional(),
  reason: z.enum(['cap_reached', 'stall', 'failure']),
  step_number: z.number().int().positive(),
  loop: z.string().nullable().optional(),
  message: z.string().optional(),
  raised_at: optionalTimestamp,
  answer: z
    .looseObject({
      kind: z.enum(['grant_rounds', 'accept', 'send_back', 'retry', 'cancel']),
      rounds: z.number().int().positive().optional(),
      change_requests: z.array(z.string()).optional(),
    })
    .nullable()
    .optional(),
  answered_at: optionalTimestamp,
  approver: z.string().nullable().optional(),
});

/** A seed state as `converge decide` accepts it: workflow_id and status are required, the rest is optional. */
export const SeedStateInputSchema = z.looseObject({
  workflow_id: z.string().min(1),
  workflow_name: z.string().nullable().optional(),
  created_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  status: z.enum(SEED_STATUSES),
  converge_status: z.enum(['running', 'waiting_for_human', 'completed', 'rejected', 'failed', 'cancelled']).optional(),
  paused: z.boolean().optional(),
  current_phase: z.string().nullable().optional(),
  current_step: z.number().int().min(0).nullable().optional(),
  last_completed_step: z.number().int().min(0).nullable().optional(),
  step_history: z.array(StepEntryInput).optional(),
  validation_scores: ScoresInput.nullable().optional(),
  human_approvals: z
    .looseObject({
      plan_approval: ApprovalSummaryInput,
      code_approval: ApprovalSummaryInput,
      final_approval: ApprovalSummaryInput,
      approval_history: z.array(ApprovalEntryInput).optional(),
    })
    .nullable()
    .optional(),
  pending_approval: z
    .looseObject({
      approval_type: z.enum(['plan', 'code', 'final']),
      gate_id: z.string().optional(),
      step_number: z.number().int().positive().optional(),
      requested_at: optionalTimestamp,
      timeout_at: optionalTimestamp,
      timed_out: z.boolean().optional(),
    })
    .nullable()
    .optional(),
  escalations: z.array(EscalationInput).optional(),
  phase_transitions: z
    .array(
      z.looseObject({ from_phase: z.string().optional(), to_phase: z.string().optional(), trigger: z.string().optional(), timestamp: optionalTimestamp }),
    )
    .optional(),
  workspace_context: z
    .looseObject({
      developer_type: z.string().nullable().optional(),
      workspace_type: z.enum(['shared', 'isolated']).optional(),
      workspace_path: z.string().optional(),
      branch: z.string().optional(),
    })
    .nullable()
    .optional(),
  requirements: z
    .looseObject({
      initial_requirements: z.string().optional(),
      step_type: z.string().nullable().optional(),
      documentation_locations: z.array(z.string()).optional(),
    })
    .nullable()
    .optional(),
  artifacts: z
    .looseObject({
      implementation_plan: z.string().nullable().optional(),
      generated_code: z.union([z.array(z.string()), z.record(z.string(), z.string().nullable())]).optional(),
    })
    .nullable()
    .optional(),
});
export type SeedStateInput = z.output<typeof SeedStateInputSchema>;
type StepEntry = z.output<typeof StepEntryInput>;
type ApprovalEntry = z.output<typeof ApprovalEntryInput>;
type EscalationEntry = z.output<typeof EscalationInput>;

/** The `input` of the seed's three usage examples (a fresh workflow, plan scores, an agent error). */
export const SeedExampleInputSchema = z.looseObject({
  input: z.looseObject({
    workflow_id: z.string().min(1).optional(),
    requirements: z.string().optional(),
    workspace_type: z.enum(['shared', 'isolated']).optional(),
    workspace_path: z.string().optional(),
    step_type: z.string().optional(),
    documentation_locations: z.array(z.string()).optional(),
    validation_scores: ScoresInput.optional(),
    agent_error: z
      .looseObject({
        agent: z.string().min(1),
        step: z.number().int().positive(),
        error_type: z.string().min(1),
        message: z.string().optional(),
      })
      .optional(),
  }),
});

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
