/**
 * The issue counts a report states about itself ("- Critical Issues: 3" in its Summary) and how
 * they compare with the issues it lists. Reviewers restate an issue in several sections; their
 * own count says how many they found.
 */
import type { Issue, Severity } from '../../core/records.js';
import { severityFromWord } from './report-labels.js';

/** The severities a convergence rule limits; `info` is never counted. */
export const COUNTED_SEVERITIES = ['critical', 'major', 'minor'] as const satisfies readonly Severity[];
export type CountedSeverity = (typeof COUNTED_SEVERITIES)[number];
export type StatedCounts = Partial<Record<CountedSeverity, number>>;

/** `Critical Issues: 3`, `- Critical: 3`, `Number of minor issues: 2`, `Errors: none` (the standardization scale). */
const COUNT_LINE =
  /^(?:total\s+|number\s+of\s+)?(critical|major|minor|errors?|warnings?)(?:\s+(?:issues?|findings?|errors?|problems?))?\s*(?:\([^)]*\))?\s*[:=–—-]\s*(\d+|none|no)\b(?!\s*\/)/i;

/** Where a report states its own counts: its Summary, or the closing Overall Assessment. */
export function isCountSection(heading: string): boolean {
  return /summary|overall assessment/i.test(heading);
}

/** Reads one (normalised) line as a stated count, e.g. ['critical', 3]. */
export function readCountLine(line: string): [CountedSeverity, number] | undefined {
  const match = COUNT_LINE.exec(line);
  if (match === null) return undefined;
  const severity = severityFromWord((match[1] ?? '').toLowerCase().replace(/s$/, ''));
  if (severity === undefined || severity === 'info') return undefined;
  const raw = (match[2] ?? '').toLowerCase();
  return [severity, raw === 'none' || raw === 'no' ? 0 : Number(raw)];
}

export interface CountComparison {
  /** Only the severities where the stated count differs from the list; these count for convergence. */
  statedCounts: StatedCounts;
  notes: string[];
}

/** The stated counts that disagree with `issues` (already merged), with a note for each. */
export function compareCounts(stated: StatedCounts, issues: readonly Issue[]): CountComparison {
  const result: CountComparison = { statedCounts: {}, notes: [] };
  for (const severity of COUNTED_SEVERITIES) {
    const count = stated[severity];
    if (count === undefined) continue;
    const listed = issues.filter((i) => i.severity === severity && i.falsePositive === undefined).length;
    if (listed === count) continue;
    result.statedCounts[severity] = count;
    result.notes.push(
      `The report states ${count} ${severity} issue${count === 1 ? '' : 's'} but lists ${listed}${listed > count ? ' (after merging restated ones)' : ''}; ${count} count${count === 1 ? 's' : ''} for convergence.`,
    );
  }
  return result;
}
