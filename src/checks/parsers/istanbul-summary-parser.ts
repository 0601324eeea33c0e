/**
 * Istanbul's json-summary (`coverage/coverage-summary.json`, from nyc, c8, jest and vitest with
 * the `json-summary` reporter). Only `total.lines` matters: coverage is line coverage.
 */
import { z } from 'zod';
import { ReportParseError, type ParsedReport } from './parsed-report.js';
import { roundPercent } from './report-text.js';

const MetricSchema = z.looseObject({
  total: z.number().nonnegative(),
  covered: z.number().nonnegative(),
  // Istanbul writes "Unknown" when there is nothing to measure.
  pct: z.union([z.number(), z.string()]),
});
const SummarySchema = z.looseObject({ total: z.looseObject({ lines: MetricSchema }) });

export function parseIstanbulSummary(text: string): ParsedReport {
  if (text.trim() === '') throw new ReportParseError('coverage_istanbul', 'the report is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = `invalid JSON: ${error instanceof Error ? error.message : String(error)}`;
    throw new ReportParseError('coverage_istanbul', reason, error);
  }
  const parsed = SummarySchema.safeParse(json);
  if (!parsed.success) {
    throw new ReportParseError('coverage_istanbul', 'expected a json-summary object with total.lines { total, covered, pct }');
  }
  const lines = parsed.data.total.lines;
  if (lines.total === 0) return { issues: [], summary: 'no instrumented lines', failed: false };
  const pct = typeof lines.pct === 'number' ? lines.pct : (lines.covered / lines.total) * 100;
  const coverage = roundPercent(pct);
  return { issues: [], coverage, summary: `line coverage ${coverage}% (${lines.covered}/${lines.total} lines)`, failed: false };
}
