/**
 * State → the seed's state document (`converge export --format seed-state`).
 * See seed-state.ts for the status mapping.
 */
import type { WorkflowDefinition } from './definition-schema.js';
import type { EscalationAnswer } from './events.js';
import { lastCompletedRun } from './state.js';
import type { ApprovalRecord, WorkflowState } from './state.js';
import { SEED_COMPONENTS } from './seed-state-shape.js';
import type { ApprovalStatus, SeedApprovalFields, SeedEscalation, SeedGeneratedCode, SeedState, SeedStatus } from './seed-state-shape.js';
import { convergenceFor, dimensionScores, scoresOf, seconds, stepEntry, summarise } from './seed-state-export-steps.js';
import { approvalTypeOf, planValidateStep, stepOf } from './seed-state-lookups.js';

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
      project_context: { project_name: null, project_type: state.profile ?? null, target_environment: null },
      file_locations: { builders_path: null, configs_path: null, specs_path: null, contracts_path: null, scripts_path: null },
    },
    requirements: {
      initial_requirements: state.requirements,
      step_type: state.taskType ?? null,
      documentation_locations: [...state.documentationLocations],
      special_requirements: [],
      constraints: [],
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
    convergence_criteria: criteria(def),
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
  const fields: Record<string, boolean | string | null> = {};
  for (const type of ['plan', 'code', 'final'] as const) {
    const latest = state.approvals.findLast((a) => approvalTypeOf(def, a.gateId) === type);
    fields[`${type}_approved`] = latest?.decision === 'approve';
    fields[`${type}_approval_timestamp`] = latest?.at ?? null;
    fields[`${type}_approver`] = latest?.actor.id ?? null;
  }
  return {
    ...(fields as SeedApprovalFields),
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

/** Where the cursus layout keeps each component (`steps/builders/builder_x.py`, `steps/specs/x_spec.py`, …). */
const COMPONENT_PATHS: Record<(typeof SEED_COMPONENTS)[number], RegExp> = {
  builder: /(^|\/)builders?\/|(^|\/)builder_[^/]*$/,
  config: /(^|\/)configs?\/|(^|\/)config_[^/]*$/,
  spec: /(^|\/)specs?\/|_spec\.[^/.]+$/,
  contract: /(^|\/)contracts?\/|_contract\.[^/.]+$/,
  script: /(^|\/)scripts?\//,
};

function generatedCode(state: WorkflowState): SeedGeneratedCode {
  const paths = new Set<string>();
  for (const o of state.outputs) {
    if (o.output.artifact === 'plan') continue;
    for (const f of o.output.files) {
      if (f.action === 'delete') paths.delete(f.path);
      else paths.add(f.path);
    }
  }
  const files = [...paths];
  const components = Object.fromEntries(
    SEED_COMPONENTS.map((kind) => [kind, files.findLast((path) => COMPONENT_PATHS[kind].test(path)) ?? null]),
  ) as Record<(typeof SEED_COMPONENTS)[number], string | null>;
  return { ...components, files };
}

function seedAnswer(answer: EscalationAnswer): NonNullable<SeedEscalation['answer']> {
  if (answer.kind === 'grant_rounds') return { kind: answer.kind, rounds: answer.rounds };
  if (answer.kind === 'send_back') return { kind: answer.kind, change_requests: [...answer.changeRequests] };
  return { kind: answer.kind };
}

function approvalStatus(a: ApprovalRecord): ApprovalStatus {
  return a.decision === 'approve' ? 'approved' : a.decision === 'reject' ? 'rejected' : 'changes_requested';
}
