/**
 * converge.yaml: which definition and profile a project uses, its agents, checks and templates.
 */
import { z } from 'zod';
import { ApprovalPolicySchema, BudgetSchema } from '../core/definition-schema.js';
import { CheckSchema, SandboxModeSchema } from '../core/profile-schema.js';
import { AgentsConfigSchema } from '../agents/agent-config.js';
import { NotifyTargetSchema } from '../ops/notify/notify-config.js';
import { DEFAULT_INPUT_LIMITS } from '../core/text-input.js';

export const GateOverrideSchema = z.strictObject({
  enabled: z.boolean().optional(),
  timeout_s: z.number().positive().optional(),
  on_timeout: z.enum(['pause', 'reject', 'approve']).optional(),
  /** Replaces the definition's approval policy of this gate. */
  approvals: ApprovalPolicySchema.optional(),
});

export const ProjectConfigSchema = z.strictObject({
  /** A built-in definition name (`seven-step`) or a path to a YAML/JSON definition. */
  definition: z.string().default('seven-step'),
  /** A built-in profile name (`typescript`, `cursus`) or a path to a profile file. */
  profile: z.string().default('typescript'),
  workspace: z
    .strictObject({ type: z.enum(['shared', 'isolated']).default('shared') })
    .default({ type: 'shared' }),
  /** A folder of prompt templates used before the built-in ones (seed-style markers are filled). */
  templates_dir: z.string().optional(),
  /** The seed's documentation_locations: globs of knowledge documents. */
  documentation: z.array(z.string()).default([]),
  /** Replaces the profile's checks when given. */
  checks: z.array(CheckSchema).optional(),
  gates: z.record(z.string(), GateOverrideSchema).default({}),
  /** Named lists of people (token names or CLI user names) for approval policies; added to the definition's. */
  groups: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, "_" or "-"'), z.array(z.string().min(1)).min(1)).optional(),
  /** Replaces the definition's budget limit by limit; a start may override it again. */
  budget: BudgetSchema.optional(),
  /** Where people are told that something waits for them or ended (webhook, slack, command). */
  notify: z.array(NotifyTargetSchema).default([]),
  /** The dashboard's address as people reach it, for the links in notifications (default: serve's own URL). */
  public_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Replaces the definition's and profile's protected paths when given (`[]` protects nothing). */
  protected_paths: z.array(z.string().min(1)).optional(),
  /**
   * How checks and command agents are confined; a check or agent may override it. `auto`: bwrap
   * when it works here, else unsandboxed with one warning per run.
   */
  sandbox: SandboxModeSchema.default('auto'),
  /** How many checks of a validate step run at once (a check with `serial: true` runs alone); one per core when absent. */
  check_concurrency: z.number().int().min(1).max(256).optional(),
  agents: AgentsConfigSchema.default({}),
  /**
   * How long a workflow's lease lasts without a heartbeat (renewed every third of it): how long the
   * workflows of a worker that died on another machine wait before another worker takes them over.
   */
  lease_ttl_s: z.number().min(1).max(3600).default(30),
  /** The largest requirements and step result taken, in KiB (CLI, HTTP and MCP alike). */
  limits: z
    .strictObject({
      requirements_kb: z.number().int().positive().default(DEFAULT_INPUT_LIMITS.requirements_kb),
      submission_kb: z.number().int().positive().default(DEFAULT_INPUT_LIMITS.submission_kb),
    })
    .default({ ...DEFAULT_INPUT_LIMITS }),
  /** Finished workflows older than this are pruned by `converge prune` (0 keeps them forever). */
  retention_days: z.number().int().min(0).default(0),
});
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;
