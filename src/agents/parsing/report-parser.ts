/**
 * Turns a validator's reply into a ValidationReport. JSON is tried first (the format our templates
 * offer), then the markdown the seed's agents write. A dimension the report does not score is
 * listed in `scoreCard.missing`, never recorded as zero or as a pass.
 */
import type { ValidationReport } from '../../core/records.js';
import { invalidOutput, excerpt } from './invalid-output.js';
import { jsonCandidates } from './json-candidates.js';
import { JsonReportSchema, fromJsonReport } from './report-json.js';
import { parseMarkdownReport } from './report-markdown.js';
import type { FalsePositiveClaim, MarkdownReportParts } from './report-markdown.js';
import type { LabelTable } from './report-labels.js';
import { compareCounts } from './report-counts.js';
import { mergeRestatedIssues } from './report-dedup.js';
import { resolveScores } from './report-scores.js';
import type { ScoreReading } from './report-scores.js';

export type { FalsePositiveClaim } from './report-markdown.js';
export type { ScoreReading } from './report-scores.js';

export interface ReportParseOptions {
  kind: ValidationReport['kind'];
  /** The rubric's dimensions; those the report does not score end up in `scoreCard.missing`. */
  dimensions: readonly string[];
  /** The definition's `report_labels` (the profile's label table); word matching fills the rest. */
  labels?: LabelTable;
}

export interface ParsedValidationReport {
  /** `toolResults` is empty: the engine adds the deterministic check results it ran. */
  report: ValidationReport;
  /** `- [FalsePositive] <check id>: <reason>` claims, for the engine to merge into tool findings. */
  falsePositives: FalsePositiveClaim[];
  format: 'json' | 'markdown';
  /** Content that was recognised but ignored, e.g. a score given out of 100. */
  warnings: string[];
  /** Every score line with its label, section and whether it counts (`used`). */
  scores: ScoreReading[];
}

/** Quoted in the error and its hint, so a repair prompt can show the agent what to write. */
export const REPORT_FORMAT_EXAMPLE = [
  '- Alignment Score: 8/10',
  '- Standardization Score: 9/10',
  '- [Critical] src/file.ts:12 what is wrong',
  '- [Minor] what could be better',
].join('\n');

export function parseValidationReport(text: string, options: ReportParseOptions): ParsedValidationReport {
  const errors: string[] = [];
  let parts: MarkdownReportParts | undefined;
  let format: ParsedValidationReport['format'] = 'markdown';

  for (const candidate of jsonCandidates(text, '"scores"')) {
    const parsed = JsonReportSchema.safeParse(candidate);
    if (parsed.success) {
      parts = fromJsonReport(parsed.data, options.labels);
      format = 'json';
      break;
    }
    errors.push(`JSON report rejected: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }

  if (parts === undefined) {
    parts = parseMarkdownReport(text, options.labels);
    if (!hasContent(parts)) {
      errors.push(...parts.warnings);
      errors.push(
        'No score line (e.g. "- Alignment Score: 8/10"), issue line (e.g. "- [Major] …"), overall verdict or JSON report was found.',
      );
      throw invalidOutput(
        `The validation report could not be parsed: expected score lines such as "- Alignment Score: 8/10", issue lines such as "- [Critical] message", or a JSON object {"scores": {...}, "issues": [...]}; got ${excerpt(text)}.`,
        errors,
        `Reply with the report format the prompt asks for, for example:\n${REPORT_FORMAT_EXAMPLE}`,
      );
    }
  }

  const scores = resolveScores(parts.scores);
  const merged = mergeRestatedIssues(parts.issues, parts.issueSections);
  const counts = compareCounts(parts.statedCounts, merged.issues);
  const notes = [...merged.notes, ...counts.notes, ...scores.notes];
  const missing = options.dimensions.filter((d) => scores.dimensions[d] === undefined);
  const report: ValidationReport = {
    kind: options.kind,
    scoreCard: {
      dimensions: scores.dimensions,
      ...(scores.weighted !== undefined ? { weighted: scores.weighted } : {}),
      missing,
    },
    issues: merged.issues,
    toolResults: [],
    ...(parts.overall !== undefined ? { overall: parts.overall } : {}),
    summary: parts.summary,
    ...(Object.keys(counts.statedCounts).length > 0 ? { statedCounts: counts.statedCounts } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
  return { report, falsePositives: parts.falsePositives, format, warnings: parts.warnings, scores: parts.scores };
}

/**
 * A report says something when it scores, lists an issue or a false positive, or gives a verdict.
 * A verdict alone counts because the seed's standardization report has no score: "PASSED, no issues"
 * is a complete answer there, and the rubric still sees every dimension as missing.
 */
function hasContent(parts: MarkdownReportParts): boolean {
  return (
    parts.scores.length > 0 ||
    parts.issues.length > 0 ||
    parts.falsePositives.length > 0 ||
    parts.overall !== undefined
  );
}
