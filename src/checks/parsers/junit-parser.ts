/**
 * JUnit XML, as written by vitest, jest-junit, pytest (xunit1 and xunit2) and Node's
 * `--test-reporter=junit`. The flavours differ in where they put the file:
 * - pytest: `file` and a 0-based `line` attribute on the testcase (xunit1 only), dotted `classname`;
 * - vitest: `classname` is the test file path, the failure body has `❯ file:line:col`;
 * - jest-junit: `classname` is the test title, `file` only with `addFileAttribute`, absolute paths in the stack;
 * - Node: testcases directly under `<testsuites>`, `file:///…:line:col` in the stack.
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
import { attr, children, parseXml, textOf, type XmlNode } from './report-xml.js';

const ARRAY_TAGS = ['testsuite', 'testcase', 'failure', 'error', 'skipped'] as const;
/** vitest's classname is a file path; jest's is a title that may contain "/" (e.g. "GET /users"). */
const PATH_LIKE = /^[^\s]+\.(?:[cm]?[jt]sx?|py|rb|go|java|kt|rs|php|cs)$/;
/** An absolute path in a stack frame, outside node_modules and node internals. */
const STACK_FRAME = /(?:file:\/\/)?(\/[^\s():'"]+\.[A-Za-z0-9]+):(\d+)(?::\d+)?/g;

interface Flavour {
  /** pytest writes 0-based `line` attributes. */
  zeroBasedLines: boolean;
}

export function parseJunit(text: string, options: ParseReportOptions = {}): ParsedReport {
  const doc = parseXml('junit', text, ARRAY_TAGS);
  const found = 'testsuites' in doc ? doc['testsuites'] : firstOf(doc['testsuite']);
  if (found === undefined) throw new ReportParseError('junit', 'no <testsuites> or <testsuite> root element');
  // An empty element (`<testsuites/>`) comes back as an empty string.
  const root: XmlNode = typeof found === 'object' && found !== null ? (found as XmlNode) : {};
  const rootName = attr(root, 'name') ?? '';
  const flavour: Flavour = {
    zeroBasedLines: rootName.startsWith('pytest') || children(root, 'testsuite').some((s) => attr(s, 'name') === 'pytest'),
  };

  const counts: ReportCounts = { passed: 0, failed: 0, skipped: 0 };
  const issues: Issue[] = [];
  for (const testcase of collectTestcases(root)) {
    const problem = firstOf(children(testcase, 'failure')) ?? firstOf(children(testcase, 'error'));
    if (problem !== undefined) {
      counts.failed += 1;
      issues.push(toIssue(testcase, problem, flavour, options));
    } else if (children(testcase, 'skipped').length > 0) {
      counts.skipped += 1;
    } else {
      counts.passed += 1;
    }
  }
  return { issues, summary: testSummary(counts), failed: counts.failed > 0, counts };
}

/** Testcases may sit in suites, nested suites, or (Node) directly in `<testsuites>`. */
function collectTestcases(node: unknown): unknown[] {
  const found = [...children(node, 'testcase')];
  for (const suite of children(node, 'testsuite')) found.push(...collectTestcases(suite));
  return found;
}

function toIssue(testcase: unknown, problem: unknown, flavour: Flavour, options: ParseReportOptions): Issue {
  const name = attr(testcase, 'name') ?? '(unnamed test)';
  const classname = attr(testcase, 'classname');
  const body = textOf(problem);
  const detail = firstLine(attr(problem, 'message')) || firstLine(body);
  const issue: Issue = {
    ...issueStamp(options),
    severity: 'critical',
    message: detail === '' ? `${name} failed` : `${name}: ${detail}`,
  };
  if (classname !== undefined && classname !== name && !PATH_LIKE.test(classname)) issue.component = classname;
  const location = locate(testcase, body, flavour);
  if (location !== undefined) issue.location = location;
  return issue;
}

function locate(testcase: unknown, body: string, flavour: Flavour): Issue['location'] {
  const classname = attr(testcase, 'classname');
  const fileAttr = attr(testcase, 'file') ?? (classname !== undefined && PATH_LIKE.test(classname) ? classname : undefined);
  if (fileAttr !== undefined) {
    const file = stripFileUrl(fileAttr);
    // The failing line quoted in the body beats the attribute, which points at the test's definition.
    const line = lineInBody(body, file) ?? attributeLine(attr(testcase, 'line'), flavour);
    return line === undefined ? { file } : { file, line };
  }
  for (const match of body.matchAll(STACK_FRAME)) {
    const file = match[1];
    if (file === undefined || file.includes('/node_modules/')) continue;
    const line = toLine(match[2]);
    return line === undefined ? { file } : { file, line };
  }
  return undefined;
}

function lineInBody(body: string, file: string): number | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+)`).exec(body);
  return match === null ? undefined : toLine(match[1]);
}

function attributeLine(raw: string | undefined, flavour: Flavour): number | undefined {
  if (raw === undefined) return undefined;
  if (!flavour.zeroBasedLines) return toLine(raw);
  const n = Number(raw.trim());
  return Number.isInteger(n) && n >= 0 ? n + 1 : undefined;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}
