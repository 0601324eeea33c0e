/**
 * How the words validators use map onto Converge's records: score labels onto dimension names,
 * severity words and markers onto the four severities, verdicts onto `overall`.
 */
import type { Severity, ValidationReport } from '../../core/records.js';

/** The label of a weighted or overall score; it fills `scoreCard.weighted`, not a dimension. */
export const WEIGHTED = 'weighted';

/** The key of the weighted overall in a label table (`report_labels` of a profile or definition). */
export const OVERALL_LABEL_KEY = 'overall';

/** Dimension name (or `overall`) → labels, as profiles and definitions write them. */
export type LabelTable = Readonly<Record<string, readonly string[]>>;

/** How a score line's label was read. */
export interface LabelReading {
  /** A dimension name, WEIGHTED, or undefined for a sub-score that fills nothing. */
  target?: string;
  /**
   * `table`: the label table names this label exactly; `word`: the label only contains a
   * dimension word ("Interface Standardization"), so it may be a sub-score of that dimension;
   * `sub-score`: an "overall …" label that is not the overall ("Overall compliance").
   */
  match: 'table' | 'word' | 'sub-score';
}

/** Lower-case words without markdown, punctuation or the word "score": `**Alignment Rules Score**` → `alignment rules`. */
export function labelKey(label: string): string {
  return label
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\bscores?\b/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Reads a score label. A label the table lists wins; otherwise the words decide, as in
 * `dimensionForLabel`; undefined when the label names nothing. `saidScore` is whether the line
 * had the word "Score" after the label: "Overall Score: 8/10" is the overall, a bare
 * "Overall: 8/10" or "Overall compliance: 8/10" is not.
 */
export function readLabel(label: string, saidScore: boolean, table: LabelTable = {}): LabelReading | undefined {
  const key = labelKey(label);
  for (const [name, labels] of Object.entries(table)) {
    if (!labels.some((l) => labelKey(l) === key)) continue;
    if (name === OVERALL_LABEL_KEY && !isOverallLabel(key, saidScore)) continue;
    return { target: name === OVERALL_LABEL_KEY ? WEIGHTED : name, match: 'table' };
  }
  const name = dimensionForLabel(label, saidScore);
  if (name === '') return /\boverall\b/.test(key) ? { match: 'sub-score' } : undefined;
  return { target: name, match: 'word' };
}

/** Only "weighted …" and "overall score" name the overall; "overall compliance" is a sub-score. */
function isOverallLabel(key: string, saidScore: boolean): boolean {
  return /\bweighted\b/.test(key) || (key === 'overall' && saidScore);
}

/**
 * `Alignment Rules` → alignment, `Standard Compliance` → standardization,
 * `Cross-Component Compatibility` → compatibility, `Script Testability` → testability,
 * `Weighted Overall` → weighted; anything else → snake_case without "score".
 * "weighted" wins over a dimension word, a dimension word wins over "overall", so
 * `Standard Compliance Overall` stays standardization. Any other "overall …" label, and a bare
 * "Overall" without the word "Score", is a sub-score: '' (no dimension, not the overall).
 */
export function dimensionForLabel(label: string, saidScore = true): string {
  const l = label.toLowerCase();
  if (l.includes('weighted')) return WEIGHTED;
  if (l.includes('alignment')) return 'alignment';
  if (l.includes('standard')) return 'standardization';
  if (l.includes('compatib')) return 'compatibility';
  if (l.includes('testab')) return 'testability';
  if (/\boverall\b/.test(l)) return isOverallLabel(labelKey(l), saidScore) ? WEIGHTED : '';
  return l
    .replace(/\bscores?\b/g, ' ')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** True when a label names one of the known dimensions, so "Alignment: 9/10" without "Score" counts. */
export function isKnownDimensionLabel(label: string): boolean {
  return /weighted|overall|alignment|standard|compatib|testab/i.test(label);
}

/**
 * Severity words from every scale the seed's reports use. Step 5b's ERROR/WARNING/INFO map to
 * critical/minor/info: an ERROR fails the standardization review outright, while WARNINGs only
 * have to be "addressed or acknowledged", which is what the minor-issue allowance expresses.
 */
const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  blocker: 'critical',
  error: 'critical',
  high: 'critical',
  severe: 'critical',
  major: 'major',
  medium: 'major',
  moderate: 'major',
  important: 'major',
  minor: 'minor',
  low: 'minor',
  warning: 'minor',
  warn: 'minor',
  info: 'info',
  informational: 'info',
  note: 'info',
  suggestion: 'info',
};

export function severityFromWord(word: string): Severity | undefined {
  return SEVERITY_WORDS[word.trim().toLowerCase()];
}

/** Priority markers of the two-level report: 🔴 critical, 🟠/🟡 major, 🟢 minor, 🔵/⚪ info. */
export const SEVERITY_MARKERS: Readonly<Record<string, Severity>> = {
  '🔴': 'critical',
  '🟠': 'major',
  '🟡': 'major',
  '🟢': 'minor',
  '🔵': 'info',
  '⚪': 'info',
};

type Overall = NonNullable<ValidationReport['overall']>;

/**
 * `PASS`, `✅ PASS`, `PASS WITH MINOR ISSUES` → pass; `CONDITIONAL PASS` → conditional;
 * `NEEDS IMPROVEMENT` → needs_improvement; `FAIL`/`FAILED` → fail. Undefined when unrecognised.
 */
export function overallFromText(text: string): Overall | undefined {
  const t = text
    .replace(/[^A-Za-z_ ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  if (/^conditional(ly)?( pass)?\b/.test(t)) return 'conditional';
  if (/^needs?[ _](improvement|work|revision|changes)\b/.test(t)) return 'needs_improvement';
  if (/^pass(ed)?\b/.test(t)) return 'pass';
  if (/^fail(ed|ure)?\b/.test(t)) return 'fail';
  return undefined;
}
