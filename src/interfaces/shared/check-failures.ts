/**
 * The failures of one check as a reviewer reads them: file, line and message. A check with a
 * report format already has them as parsed issues; an exit-code check (tsc, a compiler, a linter
 * in its default format) has them only in its output, in the two shapes compilers print:
 * `file(line,col): message` (tsc, MSBuild) and `file:line[:col]: message` (gcc, eslint unix, go vet).
 */
import type { ToolResult } from '../../core/records.js';

export interface CheckFailure {
  file: string | null;
  line: number | null;
  message: string;
}

const PAREN_FORM = /^\s*([^\s(][^(]*?)\((\d+)(?:,\d+)?\):\s*(.+)$/;
const COLON_FORM = /^\s*([^\s:][^:]*?\.[A-Za-z0-9]+):(\d+)(?::\d+)?:\s*(.+)$/;
/** How many lines of output a review shows, from the end. */
export const OUTPUT_TAIL_LINES = 40;
const MAX_FAILURES = 50;

export function checkFailures(result: ToolResult): CheckFailure[] {
  if (result.status === 'passed' || result.status === 'skipped') return [];
  const parsed = result.issues.map((issue) => ({ file: issue.location?.file ?? null, line: issue.location?.line ?? null, message: issue.message }));
  if (parsed.length > 0) return parsed.slice(0, MAX_FAILURES);
  return failuresInOutput(result.output ?? '');
}

export function failuresInOutput(output: string): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
    const match = PAREN_FORM.exec(line) ?? COLON_FORM.exec(line);
    if (match === null || /^https?$/i.test(match[1]!)) continue;
    failures.push({ file: match[1]!.trim(), line: Number(match[2]), message: match[3]!.trim() });
    if (failures.length >= MAX_FAILURES) break;
  }
  return failures;
}

export function outputTail(output: string | undefined, lines = OUTPUT_TAIL_LINES): string {
  if (output === undefined || output === '') return '';
  const all = output.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}
