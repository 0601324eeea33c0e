/**
 * The seed state documents `converge decide` accepts, as zod schemas: workflow_id and status are
 * required, everything else is optional.
 */
import { z } from 'zod';
import { RecoveryStrategySchema } from './definition-schema.js';
import { SEED_STATUSES } from './seed-state-shape.js';

// ── Seed → state: the accepted input ────────────────────────────────────────────────────────
// Python's isoformat() writes no time zone; such a time is read as UTC, never as the local time
// of whichever machine runs `decide`, so one state gives one decision everywhere.
const ZONELESS_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const timestamp = z
  .string()
  .transform((s) => (ZONELESS_TIME.test(s.trim()) ? `${s.trim().replace(' ', 'T')}Z` : s))
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 timestamp');
const optionalTimestamp = timestamp.nullable().optional();
export const ScoresInput = z.record(z.string(), z.number().min(0).max(10).nullable());

/** The schema types a plan as "object"; an object plan is read as its JSON text. */
const PlanInput = z.union([z.string(), z.record(z.string(), z.unknown()).transform((plan) => JSON.stringify(plan, null, 2))]);

const StepOutputInput = z.union([
  z.string(),
  z.looseObject({
    content: z.string().optional(),
    implementation_plan: PlanInput.optional(),
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

const TimeoutDetails = {
  /** Seconds, as in the schema. */
  timeout_duration: z.number().positive().nullable().optional(),
  timeout_ms: z.number().positive().nullable().optional(),
  retry_after_ms: z.number().min(0).nullable().optional(),
};

/**
 * The schema's error record (error_type, error_message, error_details, recovery_attempts,
 * recovery_strategies), read into one shape. Exports before Converge used the schema's names wrote
 * type / message / details.timeout_ms; those are still read.
 */
const ErrorInfoInput = z
  .looseObject({
    error_type: z.string().min(1).optional(),
    error_message: z.string().nullable().optional(),
    error_details: z
      .looseObject({
        agent: z.string().nullable().optional(),
        step: z.number().int().positive().nullable().optional(),
        template: z.string().nullable().optional(),
        partial_output: z.unknown().optional(),
        ...TimeoutDetails,
      })
      .nullable()
      .optional(),
    recovery_attempts: z.number().int().min(0).optional(),
    recovery_strategies: z
      .array(z.looseObject({ strategy: z.string().min(1), attempted_at: optionalTimestamp, result: z.string().nullable().optional() }))
      .optional(),
    type: z.string().min(1).optional(),
    message: z.string().optional(),
    details: z.looseObject(TimeoutDetails).nullable().optional(),
  })
  .refine((e) => e.error_type !== undefined || e.type !== undefined, {
    message: 'needs error_type, the kind of failure (e.g. "agent_timeout", "rate_limited", "validation_error")',
    path: ['error_type'],
  })
  .transform((e) => {
    const details = e.error_details ?? e.details ?? {};
    const timeoutMs = details.timeout_ms ?? (details.timeout_duration != null ? details.timeout_duration * 1000 : null);
    const message = e.error_message ?? e.message;
    return {
      type: (e.error_type ?? e.type)!,
      ...(message != null ? { message } : {}),
      ...(timeoutMs != null ? { timeoutMs } : {}),
      ...(details.retry_after_ms != null ? { retryAfterMs: details.retry_after_ms } : {}),
      ...(e.recovery_attempts !== undefined ? { recoveryAttempts: e.recovery_attempts } : {}),
      ...(e.recovery_strategies !== undefined ? { recoveryStrategies: e.recovery_strategies.length } : {}),
    };
  });
export type SeedErrorRecord = z.output<typeof ErrorInfoInput>;

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
    error_info: ErrorInfoInput.nullable().optional(),
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

/** Exports before Converge used the schema's names nested the per-gate fields: `plan_approval: { approved, timestamp, approver }`. */
const ApprovalSummaryInput = z
  .looseObject({ approved: z.boolean().nullable().optional(), timestamp: optionalTimestamp, approver: z.string().nullable().optional() })
  .nullable()
  .optional();

const APPROVAL_TYPES = ['plan', 'code', 'final'] as const;

/** human_approvals, with the schema's per-gate fields (plan_approved, plan_approval_timestamp, plan_approver, …) read into one summary per gate. */
const approved = z.boolean().nullable().optional();
const approver = z.string().nullable().optional();
const HumanApprovalsInput = z
  .looseObject({
    plan_approved: approved,
    plan_approval_timestamp: optionalTimestamp,
    plan_approver: approver,
    code_approved: approved,
    code_approval_timestamp: optionalTimestamp,
    code_approver: approver,
    final_approved: approved,
    final_approval_timestamp: optionalTimestamp,
    final_approver: approver,
    plan_approval: ApprovalSummaryInput,
    code_approval: ApprovalSummaryInput,
    final_approval: ApprovalSummaryInput,
    approval_history: z.array(ApprovalEntryInput).optional(),
  })
  .transform((input) => {
    const summaries: Partial<Record<(typeof APPROVAL_TYPES)[number], ApprovalSummary>> = {};
    for (const type of APPROVAL_TYPES) {
      const nested = input[`${type}_approval`] ?? {};
      const isApproved = input[`${type}_approved`] ?? nested.approved;
      if (isApproved == null) continue;
      summaries[type] = {
        approved: isApproved,
        timestamp: input[`${type}_approval_timestamp`] ?? nested.timestamp ?? null,
        approver: input[`${type}_approver`] ?? nested.approver ?? null,
      };
    }
    return { summaries, approval_history: input.approval_history ?? [] };
  });
interface ApprovalSummary {
  approved: boolean;
  timestamp: string | null;
  approver: string | null;
}

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
  human_approvals: HumanApprovalsInput.nullable().optional(),
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
      implementation_plan: PlanInput.nullable().optional(),
      generated_code: z
        .union([
          z.array(z.string()),
          // The schema's { builder, config, spec, contract, script }; Converge adds every path under `files`.
          z.object({ files: z.array(z.string()).optional() }).catchall(z.string().nullable()),
        ])
        .transform((code) => (Array.isArray(code) ? code : (code.files ?? Object.values(code).filter((p): p is string => typeof p === 'string'))))
        .optional(),
    })
    .nullable()
    .optional(),
});
export type SeedStateInput = z.output<typeof SeedStateInputSchema>;
export type StepEntry = z.output<typeof StepEntryInput>;
export type ApprovalEntry = z.output<typeof ApprovalEntryInput>;
export type EscalationEntry = z.output<typeof EscalationInput>;

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

