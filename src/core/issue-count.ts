/**
 * Counting a report's issues by severity. Apart from records.ts, whose zod schemas the reducer
 * and the convergence rule do not need (reading a workflow's state loads no schema library).
 */
import type { Issue, Severity, ValidationReport } from './records.js';

export function countIssues(issues: readonly Issue[], severity: Severity): number {
  return issues.filter((issue) => issue.severity === severity && issue.falsePositive === undefined).length;
}

/** The issues of a severity the convergence rule counts: the reviewers' stated count, if any, plus every other finding. */
export function issueCount(report: Pick<ValidationReport, 'issues' | 'statedCounts'>, severity: Severity): number {
  const stated = report.statedCounts?.[severity];
  if (stated === undefined) return countIssues(report.issues, severity);
  return stated + countIssues(report.issues.filter((issue) => issue.source !== 'llm'), severity);
}
