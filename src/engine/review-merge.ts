/**
 * The LLM reviews of one validate step (5a and 5b, or a single plan review), read with the
 * definition's label table and merged into one set of scores, issues, counts and notes. The step
 * executor adds the check results and workspace findings to this.
 */
import type { Step, WorkflowDefinition } from '../core/definition-schema.js';
import type { Issue, Severity, ValidationReport } from '../core/records.js';
import type { FalsePositiveClaim, ParsedValidationReport } from '../agents/parsing/index.js';
import { mergeRestatedIssues, parseValidationReport } from '../agents/parsing/index.js';

export interface MergedReviews {
  kind: ValidationReport['kind'];
  /** Each review as parsed, in order (for `converge parse` and `submit --dry-run`). */
  parsed: ParsedValidationReport[];
  dimensions: Record<string, number>;
  weighted?: number;
  issues: Issue[];
  falsePositives: FalsePositiveClaim[];
  summaries: string[];
  overall?: ValidationReport['overall'];
  statedCounts?: ValidationReport['statedCounts'];
  notes: string[];
}

const COUNTED: readonly Severity[] = ['critical', 'major', 'minor'];

export function mergeReviews(def: WorkflowDefinition, step: Step, texts: readonly string[]): MergedReviews {
  const rubric = def.rubrics.find((r) => r.id === step.rubric)!;
  const kind = step.artifact === 'plan' ? 'plan' : 'code';
  const merged: MergedReviews = { kind, parsed: [], dimensions: {}, issues: [], falsePositives: [], summaries: [], notes: [] };
  const options = { kind, dimensions: Object.keys(rubric.dimensions), ...(def.report_labels !== undefined ? { labels: def.report_labels } : {}) } as const;
  for (const [index, text] of texts.entries()) {
    const parsed = parseValidationReport(text, options);
    merged.parsed.push(parsed);
    Object.assign(merged.dimensions, parsed.report.scoreCard.dimensions);
    if (parsed.report.scoreCard.weighted !== undefined) merged.weighted = parsed.report.scoreCard.weighted;
    merged.issues.push(...parsed.report.issues);
    merged.falsePositives.push(...parsed.falsePositives);
    if (parsed.report.summary) merged.summaries.push(parsed.report.summary);
    if (parsed.report.overall !== undefined && merged.overall !== 'fail') merged.overall = parsed.report.overall;
    const prefix = texts.length > 1 ? `Review ${index + 1}: ` : '';
    merged.notes.push(...(parsed.report.notes ?? []).map((n) => `${prefix}${n}`));
  }
  if (texts.length > 1) {
    // The alignment and the standardization review often both flag the same problem.
    const across = mergeRestatedIssues(merged.issues);
    merged.issues = across.issues;
    merged.notes.push(...across.notes.map((n) => `Across reviews: ${n}`));
  }
  const stated = statedAcross(merged.parsed);
  if (stated !== undefined) merged.statedCounts = stated;
  return merged;
}

/**
 * Per severity that any review states a count for: the sum of each review's stated count, or of
 * its listed issues when it states none. Restatements across reviews are not subtracted from a
 * stated count: the reviewers' own numbers are taken as they wrote them.
 */
function statedAcross(parsed: readonly ParsedValidationReport[]): ValidationReport['statedCounts'] {
  const out: NonNullable<ValidationReport['statedCounts']> = {};
  for (const severity of COUNTED) {
    if (!parsed.some((p) => p.report.statedCounts?.[severity] !== undefined)) continue;
    out[severity] = parsed.reduce(
      (sum, p) => sum + (p.report.statedCounts?.[severity] ?? p.report.issues.filter((i) => i.severity === severity).length),
      0,
    );
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
