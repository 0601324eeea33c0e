/**
 * The markdown reports the seed's validators write, read line by line: score lines, issue lines,
 * false-positive claims and the overall verdict. Text inside code fences is ignored, because
 * reports quote code and examples that look like findings.
 */
import type { Issue, Severity, ValidationReport } from '../../core/records.js';
import { withoutFencedBlocks } from './markdown-fences.js';
import { SEVERITY_MARKERS, isKnownDimensionLabel, overallFromText, readLabel, severityFromWord } from './report-labels.js';
import type { LabelTable } from './report-labels.js';
import { isCountSection, readCountLine } from './report-counts.js';
import type { StatedCounts } from './report-counts.js';
import type { ScoreReading } from './report-scores.js';

export interface FalsePositiveClaim {
  /** The check id as the reviewer wrote it (a tool id, optionally followed by a finding). */
  checkId: string;
  reason: string;
}

export interface MarkdownReportParts {
  /** Every score line read, in order; `resolveScores` picks the ones that count. */
  scores: ScoreReading[];
  issues: Issue[];
  /** Parallel to `issues`: the heading each was written under, for the restatement notes. */
  issueSections: string[];
  /** The counts the report states about itself in its Summary. */
  statedCounts: StatedCounts;
  falsePositives: FalsePositiveClaim[];
  overall?: NonNullable<ValidationReport['overall']>;
  summary: string;
  /** Things seen but ignored, e.g. a score out of range. */
  warnings: string[];
}

const MAX_SUMMARY_CHARS = 2000;

const SCORE_LINE =
  /^([A-Za-z][A-Za-z0-9 &/()'’.-]{0,60}?)\s+scores?\b\s*(?:\([^)]*\))?\s*[:=–—-]?\s*(\d+(?:\.\d+)?)\s*(?:(?:\/|out of)\s*(\d+(?:\.\d+)?))?\s*(%)?/i;
/** Without the word "Score", only known dimension labels with an explicit "/10" count. */
const BARE_SCORE_LINE = /^([A-Za-z][A-Za-z &/'’-]{0,40}?)\s*(?:\([^)]*\))?\s*(?:[:=–—-]|\s)\s*(\d+(?:\.\d+)?)\s*\/\s*(10(?:\.0+)?)\b/i;
const OVERALL_LINE = /^overall\s+(?:assessment|status|result|verdict)\b[^:]*[:=–—-]\s*(.+)$/i;
const BRACKET_ISSUE = /^\[\s*([A-Za-z]+)\s*\]\s*[:–—-]?\s*(.+)$/;
const UPPER_ISSUE = /^(ERROR|WARNING|INFO)\s*[:–—-]\s*(.+)$/;
const FALSE_POSITIVE = /^\[\s*false[\s_-]?positive\s*\]\s*[:–—-]?\s*`?([^\s:`]+)`?\s*:\s*(.+)$/i;
/** What is left after a marker when the line is a section title or a count, not a finding. */
const LABEL_ONLY =
  /^(?:critical|major|minor|info|high|medium|low|errors?|warnings?|pattern improvements?|best practices?|recommendations?)?\s*(?:issues?|findings?|priority|items?)?\s*(?:\([^)]*\))?\s*[:–—-]?\s*\d*\s*$/i;
const NOTHING = /^(?:none|n\/a|nothing|no issues?(?: found)?)\.?$/i;
const CODE_PREFIX = /^`?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`?\s*(?:[:–—-]\s*|\s+)/;
const LEADING_LOCATION = /^`?[\w./@-]+\.[A-Za-z]\w*(?::\d+)?`?\s*[:–—-]?\s*/;
const LOCATION =
  /(?:^|[\s(`'"])((?:[\w.@-]+\/)*[\w@-][\w.@-]*\.([A-Za-z][A-Za-z0-9]{0,9}))(?::(\d+))?(?=$|[\s)`'",;:])/g;
const CODE_EXTENSIONS = new Set(
  'ts tsx js jsx mjs cjs mts cts py go rs java kt kts rb php cs cpp cc c h hpp swift scala sh bash sql json yaml yml toml md css scss html vue svelte xml gradle tf'.split(
    ' ',
  ),
);

/** Removes list markers, emphasis, table pipes and heading hashes, keeping the words. */
function normalize(line: string): string {
  return line
    .replace(/^\s*(?:#{1,6}\s+|>\s*)?/, '')
    .replace(/^\s*(?:[-*+•]|\d+[.)])\s+/, '')
    .replace(/\*\*|__/g, '')
    .replace(/^\|\s*|\s*\|\s*$/g, '')
    .replace(/\s*\|\s*/g, ' ')
    .trim();
}

const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

export function parseMarkdownReport(text: string, labels: LabelTable = {}): MarkdownReportParts {
  const parts: MarkdownReportParts = { scores: [], issues: [], issueSections: [], statedCounts: {}, falsePositives: [], summary: '', warnings: [] };
  const lines = withoutFencedBlocks(text);
  let section = '';
  for (const raw of lines) {
    const heading = HEADING.exec(raw);
    if (heading !== null) section = normalize(heading[1] ?? '');
    const line = normalize(raw);
    if (line === '') continue;
    if (readFalsePositive(line, parts)) continue;
    const issue = readIssue(line);
    if (issue !== undefined) {
      parts.issues.push(issue);
      parts.issueSections.push(section);
      continue;
    }
    if (readScore(line, section, labels, parts)) continue;
    const count = isCountSection(section) ? readCountLine(line) : undefined;
    if (count !== undefined) {
      parts.statedCounts[count[0]] ??= count[1];
      continue;
    }
    const verdict = OVERALL_LINE.exec(line);
    if (verdict !== null && parts.overall === undefined) {
      const overall = overallFromText(verdict[1] ?? '');
      if (overall !== undefined) parts.overall = overall;
    }
  }
  parts.summary = summarySection(lines);
  return parts;
}

function readFalsePositive(line: string, parts: MarkdownReportParts): boolean {
  const match = FALSE_POSITIVE.exec(line);
  if (match === null) return false;
  parts.falsePositives.push({ checkId: match[1] ?? '', reason: (match[2] ?? '').trim() });
  return true;
}

/** Records every score line; which one counts per dimension is decided once all are read. */
function readScore(line: string, section: string, labels: LabelTable, parts: MarkdownReportParts): boolean {
  const worded = SCORE_LINE.exec(line);
  const match = worded ?? bareScore(line);
  if (match === null) return false;
  const label = (match[1] ?? '').replace(/^[^A-Za-z]+/, '').trim();
  const value = Number(match[2]);
  const denominator = match[3] === undefined ? undefined : Number(match[3]);
  const reading = readLabel(label, worded !== null, labels);
  if (reading === undefined) return false;
  if (match[4] === '%' || (denominator !== undefined && denominator !== 10) || !(value >= 0 && value <= 10)) {
    parts.warnings.push(`"${line}" is not a score out of 10 and was ignored.`);
    return true;
  }
  parts.scores.push({
    label: worded !== null ? (/^[^A-Za-z]*(.*?\bscores?)\b/i.exec(line)?.[1] ?? label) : label,
    value,
    section,
    summary: /summary/i.test(section),
    ...(reading.target !== undefined ? { target: reading.target } : {}),
    match: reading.match,
    used: false,
  });
  return true;
}

function bareScore(line: string): RegExpExecArray | null {
  const match = BARE_SCORE_LINE.exec(line);
  return match !== null && isKnownDimensionLabel(match[1] ?? '') ? match : null;
}

function readIssue(line: string): Issue | undefined {
  let severity: Severity | undefined;
  let rest = '';
  const bracket = BRACKET_ISSUE.exec(line);
  const upper = UPPER_ISSUE.exec(line);
  const marker = [...line][0] ?? '';
  if (bracket !== null && severityFromWord(bracket[1] ?? '') !== undefined) {
    severity = severityFromWord(bracket[1] ?? '');
    rest = bracket[2] ?? '';
  } else if (upper !== null) {
    severity = severityFromWord(upper[1] ?? '');
    rest = upper[2] ?? '';
  } else if (SEVERITY_MARKERS[marker] !== undefined) {
    rest = line.slice(marker.length).replace(/^[\uFE0F\s]+/, '');
    // An explicit word after the marker ("🟡 Minor: …") is more precise than the colour.
    const word = /^([A-Za-z]+)\s*(?:[:–—-]\s*|$)/.exec(rest);
    const worded = word === null ? undefined : severityFromWord(word[1] ?? '');
    if (word !== null && worded !== undefined) rest = rest.slice(word[0].length);
    severity = worded ?? SEVERITY_MARKERS[marker];
    if (LABEL_ONLY.test(rest.trim()) || LABEL_ONLY.test(line.slice(marker.length).replace(/^[\uFE0F\s]+/, ''))) return undefined;
  }
  const message = rest.trim();
  if (severity === undefined || message === '' || NOTHING.test(message) || LABEL_ONLY.test(message)) return undefined;
  // "[Note]: https://…" is a markdown link definition, not a finding.
  if (/^<?https?:\/\//i.test(message)) return undefined;
  const issue: Issue = { severity, source: 'llm', level: 1, message };
  // The code may follow a leading location: "src/a.ts:31 MISSING_ESCAPE: …".
  const code = CODE_PREFIX.exec(message) ?? CODE_PREFIX.exec(message.replace(LEADING_LOCATION, ''));
  if (code !== null) issue.code = code[1];
  const location = findLocation(message);
  if (location !== undefined) issue.location = location;
  return issue;
}

/** The first `path/to/file.ext[:line]` in the message. */
export function findLocation(message: string): { file: string; line?: number } | undefined {
  for (const match of message.matchAll(LOCATION)) {
    const file = match[1] ?? '';
    const ext = (match[2] ?? '').toLowerCase();
    const line = match[3] === undefined ? undefined : Number(match[3]);
    // A bare `name.ext` is too often prose ("Node.js"): it needs a code extension and a line or backticks.
    const backticked = match[0].trimStart().startsWith('`');
    if (!file.includes('/') && !(CODE_EXTENSIONS.has(ext) && (line !== undefined || backticked))) continue;
    return line === undefined ? { file } : { file, line };
  }
  return undefined;
}

/** The body of the first heading that mentions "summary" (Summary, Executive Summary). */
function summarySection(lines: readonly string[]): string {
  const start = lines.findIndex((l) => /^\s*#{1,6}\s+.*summary/i.test(l));
  if (start === -1) return '';
  const level = /^\s*(#+)/.exec(lines[start] ?? '')?.[1]?.length ?? 1;
  const body: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const heading = /^\s*(#+)\s/.exec(lines[i] ?? '');
    if (heading !== null && (heading[1]?.length ?? 0) <= level) break;
    body.push(lines[i] ?? '');
  }
  const summary = body.join('\n').trim();
  return summary.length <= MAX_SUMMARY_CHARS ? summary : `${summary.slice(0, MAX_SUMMARY_CHARS)}…`;
}
