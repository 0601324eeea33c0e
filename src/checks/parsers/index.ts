/**
 * One entry point over the report parsers. Each parser throws `ReportParseError` on malformed
 * input; anything else it might throw is wrapped into one, so callers handle a single error.
 */
import { isReportParseError, ReportParseError, type ParsedReport, type ParseReportOptions, type ReportFormat } from './parsed-report.js';
import { parseCobertura } from './cobertura-parser.js';
import { parseIstanbulSummary } from './istanbul-summary-parser.js';
import { parseJunit } from './junit-parser.js';
import { parseLcov } from './lcov-parser.js';
import { parseSarif } from './sarif-parser.js';
import { parseTap } from './tap-parser.js';

export type { ParsedReport, ParseReportOptions, ReportCounts, ReportFormat } from './parsed-report.js';
export { isReportParseError, ReportParseError } from './parsed-report.js';
export { parseCobertura, parseIstanbulSummary, parseJunit, parseLcov, parseSarif, parseTap };

const PARSERS: Record<ReportFormat, (text: string, options: ParseReportOptions) => ParsedReport> = {
  junit: parseJunit,
  tap: parseTap,
  sarif: parseSarif,
  coverage_istanbul: parseIstanbulSummary,
  lcov: parseLcov,
  cobertura: parseCobertura,
};

/** Parses a check's report. Throws only `ReportParseError`. */
export function parseCheckReport(format: ReportFormat, text: string, options: ParseReportOptions = {}): ParsedReport {
  try {
    return PARSERS[format](text.replace(/^\uFEFF/, ''), options);
  } catch (error) {
    if (isReportParseError(error)) throw error;
    throw new ReportParseError(format, error instanceof Error ? error.message : String(error), error);
  }
}
