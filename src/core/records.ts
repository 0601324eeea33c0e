/**
 * The normalised records every validator output is turned into (digest §2.10).
 * The convergence rule reads only these, never an agent's prose.
 */
import { z } from 'zod';

export const SeveritySchema = z.enum(['critical', 'major', 'minor', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

export const IssueSchema = z.object({
  id: z.string().optional(),
  code: z.string().optional(),
  severity: SeveritySchema,
  /** `llm` for the reviewer, `tool:<check id>` for a deterministic check. */
  source: z.string().default('llm'),
  level: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
  component: z.string().optional(),
  location: z.object({ file: z.string(), line: z.number().int().optional() }).optional(),
  message: z.string(),
  recommendation: z.string().optional(),
  falsePositive: z.object({ reason: z.string(), confidence: z.enum(['high', 'medium', 'low']).optional() }).optional(),
});
export type Issue = z.infer<typeof IssueSchema>;

export const ToolStatusSchema = z.enum(['passed', 'failed', 'error', 'skipped']);
export type ToolStatus = z.infer<typeof ToolStatusSchema>;

/** The sandbox a process actually ran in; `none` means it could see what Converge's own user sees. */
export const SandboxKindSchema = z.enum(['bwrap', 'none']);
export type SandboxKind = z.infer<typeof SandboxKindSchema>;

export const ToolResultSchema = z.object({
  toolId: z.string(),
  status: ToolStatusSchema,
  level: z.union([z.literal(2), z.literal(3)]).default(2),
  required: z.boolean().default(true),
  score: z.number().optional(),
  /** Line coverage in percent (0–100), when the check reports it. */
  coverage: z.number().min(0).max(100).optional(),
  summary: z.string().default(''),
  issues: z.array(IssueSchema).default([]),
  durationMs: z.number().nonnegative().default(0),
  exitCode: z.number().int().nullable().optional(),
  output: z.string().optional(),
  /** Absent in logs written before checks were sandboxed. */
  sandbox: SandboxKindSchema.optional(),
});
export type ToolResult = z.infer<typeof ToolResultSchema>;

export const ScoreCardSchema = z.object({
  /** Dimension name → score on 0–10. Only the scores the report actually gave. */
  dimensions: z.record(z.string(), z.number().min(0).max(10)),
  weighted: z.number().min(0).max(10).optional(),
  /** Rubric dimensions the report did not score. A missing score never counts as met. */
  missing: z.array(z.string()).default([]),
});
export type ScoreCard = z.infer<typeof ScoreCardSchema>;

export const ValidationReportSchema = z.object({
  kind: z.enum(['plan', 'code']),
  scoreCard: ScoreCardSchema,
  issues: z.array(IssueSchema).default([]),
  toolResults: z.array(ToolResultSchema).default([]),
  overall: z.enum(['pass', 'fail', 'needs_improvement', 'conditional']).optional(),
  summary: z.string().default(''),
  /**
   * The reviewers' own issue counts ("Critical Issues: 3" in a Summary), kept only for the
   * severities where they disagree with the listed issues. A count stands in for the reviewers'
   * listed issues (source `llm`) of that severity: a report that states 3 criticals and restates
   * them in 5 bullets has 3, and one that states 3 but tags only 1 has 3 as well — the author
   * knows what they found, and a stated count above the list must not be lost just because the
   * bullets are not tagged. Check and workspace findings are always counted from the list.
   * Absent in logs written before reports were read this way.
   */
  statedCounts: z.partialRecord(SeveritySchema, z.number().int().min(0)).optional(),
  /** What the parser noticed while reading the report: merged restatements, count disagreements, conflicting scores. */
  notes: z.array(z.string()).optional(),
});
export type ValidationReport = z.infer<typeof ValidationReportSchema>;

export const FileChangeSchema = z.object({
  path: z.string().min(1),
  action: z.enum(['create', 'update', 'delete']).default('update'),
  content: z.string().optional(),
});
export type FileChange = z.infer<typeof FileChangeSchema>;

export const UsageSchema = z.object({
  inputTokens: z.number().nonnegative().default(0),
  outputTokens: z.number().nonnegative().default(0),
  cachedInputTokens: z.number().nonnegative().default(0),
  costUsd: z.number().nonnegative().default(0),
  provider: z.string().optional(),
  model: z.string().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export { countIssues, issueCount } from './issue-count.js';
