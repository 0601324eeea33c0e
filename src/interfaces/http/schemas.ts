/**
 * Request shapes of the HTTP API, one zod schema each. Routes parse with them and
 * /openapi.json is generated from them, so the document cannot drift from what is accepted.
 */
import { z } from 'zod';
import { ROLES } from '../../ops/auth/roles.js';
import { BudgetSchema } from '../../core/definition-schema.js';

const comment = z.string().max(10_000).describe('A comment recorded with the answer.');
const changeRequests = z.array(z.string().trim().min(1).max(10_000)).max(50).describe('What to change, one item per request.');

export const WORKFLOW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$/;
export const ARTIFACT_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
export const STATUSES = ['running', 'waiting_for_human', 'completed', 'rejected', 'failed', 'cancelled'] as const;

export const StartWorkflowSchema = z.strictObject({
  // No length here: converge.yaml's limits.requirements_kb applies in the access layer, as for the CLI and MCP.
  requirements: z.string().trim().min(1, 'must not be empty').describe('What to build, in plain words or markdown (up to limits.requirements_kb, 256 KiB by default).'),
  name: z.string().trim().max(200).optional().describe('A short name shown in lists.'),
  workspace: z.string().max(4096).optional().describe("The project folder, relative to the server's workspace root (default: the root itself)."),
  auto_approve: z.boolean().default(false).describe('Approve every gate automatically; recorded as such.'),
  workflow_id: z.string().regex(WORKFLOW_ID_PATTERN, 'letters, digits, ".", "_" or "-", 3 to 64 characters').optional(),
  documentation_locations: z.array(z.string().min(1).max(500)).max(50).optional().describe('Documentation globs, relative to the workspace.'),
  budget: BudgetSchema.optional().describe("Replaces the definition's budget limit by limit: max_cost_usd, max_tokens, max_duration (seconds or 90m, 2h)."),
});

export const ApprovalSchema = z.strictObject({
  decision: z.enum(['approve', 'reject', 'request_changes']),
  comment: comment.optional(),
  change_requests: changeRequests.optional().describe('Required for request_changes.'),
});

export const EscalationAnswerSchema = z.strictObject({
  answer: z.enum(['grant_rounds', 'accept', 'send_back', 'retry', 'cancel', 'raise_budget']),
  budget: BudgetSchema.optional().describe('For raise_budget: the new limits; none doubles the reached ones.'),
  rounds: z.number().int().min(1).max(20).optional().describe('For grant_rounds: how many more rounds.'),
  change_requests: changeRequests.optional().describe('For send_back.'),
  comment: comment.optional(),
});

export const CancelSchema = z.strictObject({ reason: z.string().max(2_000).optional() });

export const ForkSchema = z.strictObject({
  from_step: z.number().int().positive().describe('The step number to run again in the fork (1 re-plans, 4 re-implements).'),
});

export const SubmitResultSchema = z.strictObject({
  step: z.number().int().positive().optional().describe('The step the result is for; refused if the workflow waits for another.'),
  texts: z.array(z.string().min(1)).min(1).max(4).describe('The result: a plan, a report per template, or the code as "# File:" blocks.'),
});

export const RunChecksSchema = z.strictObject({
  check_ids: z.array(z.string().min(1).max(100)).max(50).optional().describe('Only these checks (ids from the definition).'),
});

export const CreateTokenSchema = z.strictObject({
  role: z.enum(ROLES),
  name: z.string().trim().min(1).max(100),
  expires_in_s: z.number().int().min(60).max(366 * 86_400).optional().describe('Lifetime in seconds; default: until revoked.'),
});

const listNumber = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const ListQuerySchema = z.object({
  status: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(',').every((s) => (STATUSES as readonly string[]).includes(s.trim())), {
      message: `a comma-separated list of ${STATUSES.join(', ')}`,
    }),
  limit: listNumber(1, 200, 50),
  offset: listNumber(0, 1_000_000, 0),
});

export const EventsQuerySchema = z.object({ after: listNumber(0, Number.MAX_SAFE_INTEGER, 0), limit: listNumber(1, 1000, 500) });

export const DiffQuerySchema = z.object({
  from: z.coerce.number().int().min(0),
  to: z.coerce.number().int().min(0),
  context: listNumber(0, 50, 3),
});

export const KnowledgeQuerySchema = z.object({
  q: z.string().trim().min(1, 'must not be empty').max(2_000),
  workflow_id: z.string().regex(WORKFLOW_ID_PATTERN).optional(),
  role: z.enum(['planner', 'validator', 'programmer']).default('programmer'),
  budget: z.coerce.number().int().min(100).max(200_000).optional(),
});

export const AuditQuerySchema = z.object({ after: listNumber(0, Number.MAX_SAFE_INTEGER, 0), limit: listNumber(1, 1000, 100) });

/** Actions without parameters accept an empty body or `{}`. */
export const EmptySchema = z.strictObject({});

export const FileQuerySchema = z.object({ path: z.string().min(1).max(4096) });
