/**
 * The JSON form of a validation report, the one the built-in templates offer as an alternative:
 * `{ "scores": {...}, "issues": [...], "false_positives": [...], "overall": ..., "summary": ... }`.
 */
import { z } from 'zod';
import type { Issue } from '../../core/records.js';
import type { FalsePositiveClaim, MarkdownReportParts } from './report-markdown.js';
import { WEIGHTED, overallFromText, readLabel, severityFromWord } from './report-labels.js';
import type { LabelTable } from './report-labels.js';

const ScoreValueSchema = z.union([z.number(), z.string()]);

const JsonIssueSchema = z.object({
  severity: z.string(),
  message: z.string().min(1),
  code: z.string().optional(),
  file: z.string().optional(),
  line: z.number().int().nonnegative().optional(),
  recommendation: z.string().optional(),
});

const JsonFalsePositiveSchema = z
  .object({
    check_id: z.string().optional(),
    checkId: z.string().optional(),
    check: z.string().optional(),
    reason: z.string().min(1),
  })
  .refine((fp) => (fp.check_id ?? fp.checkId ?? fp.check) !== undefined, { message: 'needs check_id' });

export const JsonReportSchema = z.object({
  scores: z.record(z.string(), ScoreValueSchema),
  issues: z.array(JsonIssueSchema).optional(),
  false_positives: z.array(JsonFalsePositiveSchema).optional(),
  /** A verdict ("pass", "NEEDS IMPROVEMENT") or a weighted score (9.1, "9.1/10"). */
  overall: z.union([z.string(), z.number()]).optional(),
  summary: z.string().optional(),
});
export type JsonReport = z.infer<typeof JsonReportSchema>;

/** "8/10", "8", 8 → 8; anything not on a 0–10 scale → undefined. */
function scoreValue(value: number | string): number | undefined {
  if (typeof value === 'number') return value >= 0 && value <= 10 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*$/.exec(value);
  if (match === null) return undefined;
  if (match[2] !== undefined && Number(match[2]) !== 10) return undefined;
  const n = Number(match[1]);
  return n >= 0 && n <= 10 ? n : undefined;
}

export function fromJsonReport(json: JsonReport, labels: LabelTable = {}): MarkdownReportParts {
  const parts: MarkdownReportParts = {
    scores: [],
    issues: [],
    issueSections: [],
    statedCounts: {},
    falsePositives: [],
    summary: json.summary ?? '',
    warnings: [],
  };
  for (const [label, raw] of Object.entries(json.scores)) {
    const value = scoreValue(raw);
    const reading = readLabel(label, true, labels);
    if (value === undefined) {
      parts.warnings.push(`scores.${label} = ${JSON.stringify(raw)} is not a score out of 10 and was ignored.`);
    } else if (reading !== undefined) {
      parts.scores.push({ label, value, section: 'scores', summary: false, ...(reading.target !== undefined ? { target: reading.target } : {}), match: reading.match, used: false });
    }
  }
  if (json.overall !== undefined) readOverall(json.overall, parts);
  for (const item of json.issues ?? []) parts.issues.push(toIssue(item, parts.warnings));
  parts.falsePositives = (json.false_positives ?? []).map(
    (fp): FalsePositiveClaim => ({ checkId: fp.check_id ?? fp.checkId ?? fp.check ?? '', reason: fp.reason }),
  );
  return parts;
}

function readOverall(overall: string | number, parts: MarkdownReportParts): void {
  const verdict = typeof overall === 'string' ? overallFromText(overall) : undefined;
  if (verdict !== undefined) {
    parts.overall = verdict;
    return;
  }
  const score = scoreValue(overall);
  // Below a `scores` entry for the overall: the table's own key is the more specific answer.
  if (score !== undefined) parts.scores.push({ label: 'overall', value: score, section: 'overall', summary: false, target: WEIGHTED, match: 'word', used: false });
  else parts.warnings.push(`overall = ${JSON.stringify(overall)} is neither a verdict nor a score out of 10 and was ignored.`);
}

/** An unknown severity word counts as major: dropping the issue could let bad work converge. */
function toIssue(item: z.infer<typeof JsonIssueSchema>, warnings: string[]): Issue {
  const severity = severityFromWord(item.severity);
  if (severity === undefined) warnings.push(`Issue severity "${item.severity}" is unknown and was read as major.`);
  const issue: Issue = { severity: severity ?? 'major', source: 'llm', level: 1, message: item.message };
  if (item.code !== undefined) issue.code = item.code;
  if (item.file !== undefined) issue.location = item.line === undefined ? { file: item.file } : { file: item.file, line: item.line };
  if (item.recommendation !== undefined) issue.recommendation = item.recommendation;
  return issue;
}
