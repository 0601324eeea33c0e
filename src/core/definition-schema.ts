/**
 * The workflow definition: steps, loops, gates, rubric, stall rule, recovery policy, timeouts.
 * Workflows are data; the seven-step workflow is one document of this shape.
 */
import { z } from 'zod';
import { CheckSchema, ReportLabelsSchema } from './profile-schema.js';
import { COMPLETE } from './definition-steps.js';

export const RoleSchema = z.enum(['planner', 'validator', 'programmer']);
export type Role = z.infer<typeof RoleSchema>;

export const FailureClassSchema = z.enum([
  'timeout',
  'rate_limited',
  'invalid_output',
  'provider_down',
  'auth',
  'bad_request',
  'interrupted',
  'check_error',
  'unknown',
]);
export type FailureClass = z.infer<typeof FailureClassSchema>;

export const RecoveryStrategySchema = z.enum([
  'extended_timeout',
  'wait_and_retry',
  'repair_prompt',
  'retry_with_backoff',
  'failover',
  'escalate_to_human',
]);
export type RecoveryStrategy = z.infer<typeof RecoveryStrategySchema>;

const id = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, "_" or "-", starting with a letter');

/** The end of the workflow, usable wherever a step id is expected (defined with the zod-free step lookups). */
export { COMPLETE };

export const StepSchema = z.strictObject({
  id,
  /** The seed's step number (1–7 for the seven-step workflow); shown to people and agents. */
  number: z.number().int().positive(),
  name: z.string().optional(),
  phase: id,
  role: RoleSchema,
  kind: z.enum(['produce', 'validate']),
  /** Artifact kind produced (produce) or validated (validate), e.g. `plan` or `code`. */
  artifact: z.string().min(1),
  templates: z.array(z.string().min(1)).min(1),
  /** produce: the step that follows. */
  next: z.string().optional(),
  /** validate: the rubric in `rubrics` that decides convergence. */
  rubric: z.string().optional(),
  /** validate: run the deterministic checks (L2/L3) before the LLM review. */
  run_checks: z.boolean().default(false),
  /** validate: the loop this validation belongs to (caps, stall). */
  loop: z.string().optional(),
  /** validate: where to go once converged (a step id or `complete`), through `gate` if set. */
  on_converged: z.string().optional(),
  /** validate: the gate asked before following `on_converged`. */
  gate: z.string().optional(),
  /** validate: the step that revises the artifact when not converged. */
  on_not_converged: z.string().optional(),
  /** validate: a gate asked once, after the first time this step completes (e.g. code review). */
  review_gate: z.string().optional(),
  timeout_s: z.number().positive().optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const LoopSchema = z.strictObject({
  id,
  /** The step whose completions are counted against `max_rounds`. */
  counts: z.string(),
  max_rounds: z.number().int().positive(),
});
export type Loop = z.infer<typeof LoopSchema>;

export const GateTimeoutPolicySchema = z.enum(['pause', 'reject', 'approve']);

/**
 * Who must approve a gate before it opens. A person qualifies when they have one of `roles` or
 * belong to one of `groups` (the definition's named lists of token names); with neither list,
 * every approver qualifies. The default, one approval from anyone who may approve, is the gate
 * as it always was.
 */
export const ApprovalPolicySchema = z.strictObject({
  required: z.number().int().min(1).max(20).default(1),
  /** Roles that qualify; viewers and operators never approve, so only these two can be named. */
  roles: z.array(z.enum(['approver', 'admin'])).min(1).optional(),
  /** Names of `groups` whose members qualify. */
  groups: z.array(z.string().min(1)).min(1).optional(),
  /** Two approvals by one person count once. */
  distinct_people: z.boolean().default(true),
  /** The person who started the workflow does not count (needs the starter recorded at start). */
  not_the_starter: z.boolean().default(false),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

export const GateSchema = z.strictObject({
  id,
  name: z.string().optional(),
  enabled: z.boolean().default(true),
  /** Seconds until the timeout policy applies; absent means the gate waits indefinitely. */
  timeout_s: z.number().positive().optional(),
  on_timeout: GateTimeoutPolicySchema.default('pause'),
  /** Where "request changes" sends the workflow (a produce step). */
  changes_to: z.string(),
  /** Absent: one approval by any approver opens the gate. */
  approvals: ApprovalPolicySchema.optional(),
});
export type Gate = z.infer<typeof GateSchema>;

/** Seconds, or a number with a unit: `90s`, `45m`, `2h`, `1d`, `1h30m`. */
export const DurationSchema = z.union([
  z.number().positive(),
  z.string().regex(/^\s*(\d+(\.\d+)?\s*[smhd]\s*)+$/, 'must be seconds or a duration such as 90m, 2h, 1d or 1h30m'),
]);
export type Duration = z.infer<typeof DurationSchema>;

/**
 * What a workflow may spend before a person is asked: cost (from the recorded usage), tokens
 * (input + output) and active time (waits for people not counted). Any subset may be set.
 */
export const BudgetSchema = z.strictObject({
  max_cost_usd: z.number().positive().optional(),
  max_tokens: z.number().int().positive().optional(),
  max_duration: DurationSchema.optional(),
});
export type Budget = z.infer<typeof BudgetSchema>;

export const DimensionSchema = z.strictObject({
  min: z.number().min(0).max(10).optional(),
  weight: z.number().min(0).default(1),
});

export const RubricSchema = z.strictObject({
  id,
  dimensions: z.record(z.string().min(1), DimensionSchema).default({}),
  max_critical_issues: z.number().int().min(0).default(0),
  max_major_issues: z.number().int().min(0).optional(),
  max_minor_issues: z.number().int().min(0).optional(),
  /** Percent; applied only when a check reports coverage. */
  min_coverage: z.number().min(0).max(100).optional(),
  /** `all` = every check marked required must pass; or a list of check ids. */
  required_checks: z.union([z.literal('all'), z.array(z.string())]).default('all'),
  /**
   * The LLM review's overall score (L1) must reach this, whatever the checks say (the seed's
   * `level1Gate`). The overall is the one the review states, else the weighted mean of the
   * dimensions it scored; a review with no score at all does not pass.
   */
  level1_gate: z.number().min(0).max(10).optional(),
});
export type Rubric = z.infer<typeof RubricSchema>;

export const StallSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The weighted score must rise by at least this much over `window` rounds. */
  min_improvement: z.number().min(0).default(0.25),
  window: z.number().int().min(1).default(2),
});
export type StallRule = z.infer<typeof StallSchema>;

export const RecoveryRuleSchema = z.strictObject({
  strategy: RecoveryStrategySchema,
  max_attempts: z.number().int().min(0).default(3),
  /** extended_timeout: each retry multiplies the step timeout by this. */
  timeout_multiplier: z.number().min(1).default(2),
  /** retry_with_backoff / wait_and_retry without retry-after: first delay, doubled per attempt. */
  backoff_ms: z.number().int().min(0).default(1000),
  max_backoff_ms: z.number().int().min(0).default(60_000),
  /** failover: failures on one provider (retried with backoff) before moving to the next in `fallback`. */
  failover_after: z.number().int().min(1).default(3),
});
export type RecoveryRule = z.infer<typeof RecoveryRuleSchema>;

export const RecoveryPolicySchema = z.partialRecord(FailureClassSchema, RecoveryRuleSchema);
export type RecoveryPolicy = z.infer<typeof RecoveryPolicySchema>;

export const AdvisorSchema = z.strictObject({
  enabled: z.boolean().default(false),
});

export const WorkflowDefinitionSchema = z.strictObject({
  id,
  version: z.number().int().positive().default(1),
  name: z.string().default(''),
  description: z.string().optional(),
  phases: z.array(z.strictObject({ id, name: z.string().optional() })).min(1),
  start: z.string(),
  steps: z.array(StepSchema).min(1),
  loops: z.array(LoopSchema).default([]),
  gates: z.array(GateSchema).default([]),
  rubrics: z.array(RubricSchema).default([]),
  stall: StallSchema.default({ enabled: true, min_improvement: 0.25, window: 2 }),
  recovery: RecoveryPolicySchema.default({}),
  timeouts: z
    .strictObject({ step_s: z.number().positive().default(300) })
    .default({ step_s: 300 }),
  advisor: AdvisorSchema.default({ enabled: false }),
  /** Deterministic checks; a profile's checks are used when the definition has none. */
  checks: z.array(CheckSchema).default([]),
  /** Knowledge globs (the seed's documentation_locations); added to the profile's. */
  knowledge: z.array(z.string()).default([]),
  /**
   * Workspace paths (globs) whose change needs a person's eyes: build and test configuration, CI,
   * lockfiles. An agent's change to one is a finding of its own and stops automatic approval.
   */
  protected_paths: z.array(z.string().min(1)).default([]),
  /**
   * How reports name scores: dimension (or `overall`) → labels, e.g. compatibility →
   * ["Cross-Component Compatibility Score"]. A label listed here outranks one that only contains
   * a dimension word; the profile's labels are added by the loader.
   */
  report_labels: ReportLabelsSchema.optional(),
  /** Named lists of people (token names, or CLI user names) that approval policies refer to. */
  groups: z.record(id, z.array(z.string().min(1)).min(1)).optional(),
  /** The default budget of a workflow; a start may override it. */
  budget: BudgetSchema.optional(),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;
