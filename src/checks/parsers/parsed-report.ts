/**
 * What every report parser returns, and the one error they throw. The runner turns a
 * `ReportParseError` into a check with status `error`; a malformed report never crashes a run.
 */
import { ConvergeError } from '../../core/errors.js';
import type { CheckFormat } from '../../core/profile-schema.js';
import type { Issue } from '../../core/records.js';

/** Report formats that have a parser (everything except `exit_code`). */
export type ReportFormat = Exclude<CheckFormat, 'exit_code'>;

export interface ReportCounts {
  passed: number;
  /** Failures and errors together: both mean the test did not pass. */
  failed: number;
  /** Skipped and todo tests. */
  skipped: number;
}

export interface ParsedReport {
  issues: Issue[];
  /** Line coverage in percent (0–100), for coverage formats that report any lines. */
  coverage?: number;
  /** One line for a person, e.g. "12 tests: 10 passed, 1 failed, 1 skipped". */
  summary: string;
  /** The report itself says something failed (a test, an error-level finding, a bail-out). */
  failed: boolean;
  counts?: ReportCounts;
}

export interface ParseReportOptions {
  /** Stamped on every issue; the runner passes `tool:<check id>`. */
  source?: string;
  level?: 2 | 3;
}

/** Issue fields every parser fills the same way. */
export function issueStamp(options: ParseReportOptions): Pick<Issue, 'source' | 'level'> {
  return { source: options.source ?? 'tool', level: options.level ?? 2 };
}

export class ReportParseError extends ConvergeError {
  readonly format: ReportFormat;
  readonly reason: string;

  constructor(format: ReportFormat, reason: string, cause?: unknown) {
    super('CHECK_FAILED', `could not parse ${format} report: ${reason}`, {
      hint: 'Check that the command writes the format named in the check (and to the `report` path, if one is set).',
      details: { reportFormat: format, reason },
      cause,
    });
    this.format = format;
    this.reason = reason;
  }
}

/** Recognises a `ReportParseError` by its data, so it works across duplicate package copies. */
export function isReportParseError(value: unknown): value is ReportParseError {
  return (
    value instanceof Error &&
    (value as { code?: unknown }).code === 'CHECK_FAILED' &&
    typeof (value as { format?: unknown }).format === 'string' &&
    typeof (value as { reason?: unknown }).reason === 'string'
  );
}
