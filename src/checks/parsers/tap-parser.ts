/**
 * TAP 13/14 as written by `node --test --test-reporter=tap` (and node-tap, tape): test points,
 * YAML diagnostic blocks, `# TODO` / `# SKIP` directives, subtests indented by 4 spaces with a
 * `# Subtest: name` header, and Node's trailing `# pass N` / `# fail N` comments.
 * A parent whose `not ok` only repeats its children's failures is not reported again.
 */
import type { Issue } from '../../core/records.js';
import {
  issueStamp,
  ReportParseError,
  type ParsedReport,
  type ParseReportOptions,
  type ReportCounts,
} from './parsed-report.js';
import { firstLine, stripFileUrl, testSummary, toLine } from './report-text.js';
import { parseTapDiagnostics, type TapDiagnostics } from './tap-yaml.js';

const TEST_POINT = /^(not ok|ok)\b(?:\s+(\d+))?(?:\s*-)?\s?(.*)$/;
const DIRECTIVE = /(?<!\\)#\s*(todo|skip)\S*\s*(.*)$/i;
const PLAN = /^1\.\.(\d+)/;
const SUBTEST = /^# Subtest: (.*)$/;
const BAIL_OUT = /^Bail out!\s*(.*)$/;
const SUMMARY_COMMENT = /^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$/;
const LOCATION = /^(.*?):(\d+)(?::\d+)?$/;

interface Level {
  points: number;
  failures: number;
}

export function parseTap(text: string, options: ParseReportOptions = {}): ParsedReport {
  if (text.trim() === '') throw new ReportParseError('tap', 'the report is empty');
  const lines = text.split(/\r?\n/);
  const issues: Issue[] = [];
  const leafCounts: ReportCounts = { passed: 0, failed: 0, skipped: 0 };
  const summaryComments = new Map<string, number>();
  const levels = new Map<number, Level>();
  const subtestNames = new Map<number, string>();
  let sawTap = false;
  let plan: number | undefined;
  let topLevelPoints = 0;
  let bailOut: string | undefined;

  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i] ?? '';
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (/^TAP version \d+/.test(line)) sawTap = true;

    const subtest = SUBTEST.exec(line);
    if (subtest !== null) subtestNames.set(indent, subtest[1] ?? '');
    const planMatch = PLAN.exec(line);
    if (planMatch !== null) {
      sawTap = true;
      if (indent === 0 && plan === undefined) plan = Number(planMatch[1]);
    }
    const bail = BAIL_OUT.exec(line);
    if (bail !== null) bailOut = bail[1] || 'no reason given';
    const comment = SUMMARY_COMMENT.exec(line);
    if (comment !== null && indent === 0) summaryComments.set(comment[1] ?? '', Number(comment[2]));

    const point = TEST_POINT.exec(line);
    if (point === null) continue;
    sawTap = true;
    if (indent === 0) topLevelPoints += 1;
    const diagnostics = readDiagnostics(lines, i + 1, indent);
    i = diagnostics.nextIndex - 1;

    const { description, directive } = splitDirective(point[3] ?? '');
    const name = [...namesAbove(subtestNames, indent), description].join(' > ');
    const children = collectChildren(levels, indent);
    const level = levels.get(indent) ?? { points: 0, failures: 0 };
    levels.set(indent, level);
    level.points += 1;
    for (const key of [...subtestNames.keys()]) if (key >= indent) subtestNames.delete(key);

    const failed = point[1] === 'not ok' && directive !== 'todo';
    if (failed) level.failures += 1;
    // A parent mostly summarises its children, so count and report the leaves; but a parent
    // whose children all passed failed on its own (a hook, an uncaught error) and is reported.
    const onlyRepeatsChildren =
      diagnostics.values['failureType'] === 'subtestsFailed' || (children.points > 0 && (!failed || children.failures > 0));
    if (onlyRepeatsChildren) continue;
    if (failed) {
      leafCounts.failed += 1;
      issues.push(toIssue(name, diagnostics.values, options));
    } else if (directive !== undefined) {
      leafCounts.skipped += 1;
    } else {
      leafCounts.passed += 1;
    }
  }

  if (!sawTap) throw new ReportParseError('tap', 'no TAP version line, plan or test points found');
  if (bailOut !== undefined) {
    issues.push({ ...issueStamp(options), severity: 'critical', message: `test run bailed out: ${bailOut}` });
  } else if (plan !== undefined && topLevelPoints < plan) {
    issues.push({
      ...issueStamp(options),
      severity: 'critical',
      message: `the plan announced ${plan} tests but only ${topLevelPoints} reported: the test run may have crashed`,
    });
  }
  const counts = countsFromComments(summaryComments) ?? leafCounts;
  const failed = counts.failed > 0 || issues.length > 0;
  return { issues, summary: bailOut === undefined ? testSummary(counts) : `bailed out: ${bailOut}`, failed, counts };
}

function readDiagnostics(lines: readonly string[], start: number, indent: number): { values: TapDiagnostics; nextIndex: number } {
  const opener = lines[start];
  if (opener === undefined || opener.trim() !== '---' || opener.length - opener.trimStart().length <= indent) {
    return { values: {}, nextIndex: start };
  }
  const block: string[] = [];
  let i = start + 1;
  while (i < lines.length && (lines[i] ?? '').trim() !== '...') {
    block.push(lines[i] ?? '');
    i += 1;
  }
  return { values: block.length === 0 ? {} : parseTapDiagnostics(block), nextIndex: i + 1 };
}

function splitDirective(rest: string): { description: string; directive?: 'todo' | 'skip' } {
  const match = DIRECTIVE.exec(rest);
  const description = unescape((match === null ? rest : rest.slice(0, match.index)).trim());
  if (match === null) return { description };
  return { description, directive: (match[1] ?? '').toLowerCase() === 'todo' ? 'todo' : 'skip' };
}

function unescape(text: string): string {
  return text.replace(/\\([#\\])/g, '$1');
}

function namesAbove(names: ReadonlyMap<number, string>, indent: number): string[] {
  return [...names.entries()].filter(([key]) => key < indent).sort(([a], [b]) => a - b).map(([, name]) => name);
}

/** Sums and forgets the test points seen deeper than `indent`: they were this point's subtests. */
function collectChildren(levels: Map<number, Level>, indent: number): Level {
  const total = { points: 0, failures: 0 };
  for (const [key, level] of [...levels.entries()]) {
    if (key <= indent) continue;
    total.points += level.points;
    total.failures += level.failures;
    levels.delete(key);
  }
  return total;
}

function toIssue(name: string, diagnostics: TapDiagnostics, options: ParseReportOptions): Issue {
  let detail = firstLine(diagnostics['error'] ?? diagnostics['message']);
  const { expected, actual } = diagnostics;
  if (expected !== undefined && actual !== undefined && `${expected}${actual}`.length < 120) {
    detail = `${detail} (expected ${expected}, got ${actual})`.trim();
  }
  const issue: Issue = {
    ...issueStamp(options),
    severity: 'critical',
    message: detail === '' ? `${name} failed` : `${name}: ${detail}`,
  };
  const location = locate(diagnostics);
  if (location !== undefined) issue.location = location;
  return issue;
}

function locate(diagnostics: TapDiagnostics): Issue['location'] {
  const location = diagnostics['location'];
  if (location !== undefined) {
    const match = LOCATION.exec(location);
    if (match !== null) {
      const line = toLine(match[2]);
      const file = stripFileUrl(match[1] ?? '');
      return line === undefined ? { file } : { file, line };
    }
    return { file: stripFileUrl(location) };
  }
  // node-tap and tape put the position under `at:`.
  const file = diagnostics['at.file'] ?? diagnostics['file'];
  if (file === undefined) return undefined;
  const line = toLine(diagnostics['at.line'] ?? diagnostics['line']);
  return line === undefined ? { file: stripFileUrl(file) } : { file: stripFileUrl(file), line };
}

function countsFromComments(comments: ReadonlyMap<string, number>): ReportCounts | undefined {
  const pass = comments.get('pass');
  const fail = comments.get('fail');
  if (pass === undefined || fail === undefined) return undefined;
  return {
    passed: pass,
    // Node counts a cancelled test (e.g. timed out) apart from failures; it did not pass either.
    failed: fail + (comments.get('cancelled') ?? 0),
    skipped: (comments.get('skipped') ?? 0) + (comments.get('todo') ?? 0),
  };
}
