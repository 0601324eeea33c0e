/**
 * The seed's workflow state document (`workflow_state_schema.md`, digest §1.B.1): its exported shape.
 */
import type { RecoveryStrategy, Role } from './definition-schema.js';
import type { EscalationAnswer, EscalationReason } from './events.js';
import type { ToolResult, ValidationReport } from './records.js';
import type { WorkflowStatus } from './state.js';

export const SEED_STATUSES = ['initialized', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type SeedStatus = (typeof SEED_STATUSES)[number];
export type ApprovalType = 'plan' | 'code' | 'final';
export type ApprovalStatus = 'approved' | 'rejected' | 'changes_requested';

/** Used for `at` when the seed state gives no timestamp at all; the core has no clock. */
export const SEED_EPOCH = '1970-01-01T00:00:00.000Z';
export const SUMMARY_CHARS = 200;

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

/** The schema's error record, with its own key names (`error_type`, not `type`). */
export interface SeedErrorInfo {
  /** Our failure class (timeout, rate_limited, …); a seed state may give any word, it is classified on import. */
  error_type: string;
  error_message: string;
  error_details: {
    agent: Role;
    step: number;
    template: string;
    /** Seconds, as in the schema. */
    timeout_duration: number;
    /** Converge keeps no partial output of a failed call, so this is always null. */
    partial_output: null;
    retry_after_ms?: number;
  };
  /** Retries of this step made before this failure. */
  recovery_attempts: number;
  /** The recovery applied after this failure, if it was retried. */
  recovery_strategies: Array<{ strategy: RecoveryStrategy; attempted_at: string; result: 'success' | 'failed' | 'in_progress' }>;
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
  /** Null on a step that is not a validation, as the schema gives every entry the key. */
  validation_scores: SeedScores | null;
  error_info: SeedErrorInfo | null;
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

/** The schema's per-gate fields of `human_approvals`: plan_approved, plan_approval_timestamp, plan_approver, … */
export type SeedApprovalFields = Record<`${ApprovalType}_approved`, boolean> &
  Record<`${ApprovalType}_approval_timestamp` | `${ApprovalType}_approver`, string | null>;

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

/**
 * The schema's five cursus components, each the latest file recognised as one (null when none is),
 * plus every file the code steps left, which the schema has no place for.
 */
export type SeedGeneratedCode = Record<SeedComponent, string | null> & { files: string[] };
export const SEED_COMPONENTS = ['builder', 'config', 'spec', 'contract', 'script'] as const;
export type SeedComponent = (typeof SEED_COMPONENTS)[number];

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
    /** alignment_threshold … read from the definition, plus max_critical_issues. */
    convergence_criteria: Record<string, number>;
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
  human_approvals: SeedApprovalFields & { approval_history: SeedApprovalEntry[] };
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
    /** Converge knows the profile (project_type) only; the rest is null. */
    project_context: { project_name: string | null; project_type: string | null; target_environment: string | null };
    file_locations: Record<'builders_path' | 'configs_path' | 'specs_path' | 'contracts_path' | 'scripts_path', string | null>;
  };
  requirements: {
    initial_requirements: string;
    step_type: string | null;
    documentation_locations: string[];
    /** Converge keeps requirements as one text, so these are empty. */
    special_requirements: string[];
    constraints: string[];
  };
  artifacts: {
    implementation_plan: string | null;
    generated_code: SeedGeneratedCode;
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

