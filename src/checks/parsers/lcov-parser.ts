/**
 * lcov tracefiles (`lcov.info`): one record per source file, `LF:` lines found and `LH:` lines
 * hit, summed over all records. Records without LF/LH fall back to counting their `DA:` lines.
 */
import { ReportParseError, type ParsedReport } from './parsed-report.js';
import { roundPercent } from './report-text.js';

const LCOV_LINE = /^(TN|SF|FN|FNDA|FNF|FNH|DA|BRDA|BRF|BRH|LF|LH|VER|FNL|FNA):|^end_of_record$/;

export function parseLcov(text: string): ParsedReport {
  if (text.trim() === '') throw new ReportParseError('lcov', 'the report is empty');
  let found = 0;
  let hit = 0;
  let records = 0;
  let record = { lf: undefined as number | undefined, lh: undefined as number | undefined, da: 0, daHit: 0 };
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (!LCOV_LINE.test(line)) {
      throw new ReportParseError('lcov', `unexpected line ${index + 1}: ${JSON.stringify(line.slice(0, 80))}`);
    }
    const [key, value = ''] = splitOnce(line);
    if (key === 'LF') record.lf = toCount(value, index);
    else if (key === 'LH') record.lh = toCount(value, index);
    else if (key === 'DA') {
      record.da += 1;
      if (toCount(value.split(',')[1] ?? '', index) > 0) record.daHit += 1;
    } else if (key === 'end_of_record') {
      found += record.lf ?? record.da;
      hit += record.lh ?? record.daHit;
      records += 1;
      record = { lf: undefined, lh: undefined, da: 0, daHit: 0 };
    }
  }
  if (records === 0) throw new ReportParseError('lcov', 'no end_of_record found: the tracefile holds no records');
  if (found === 0) return { issues: [], summary: 'no instrumented lines', failed: false };
  const coverage = roundPercent((hit / found) * 100);
  return { issues: [], coverage, summary: `line coverage ${coverage}% (${hit}/${found} lines)`, failed: false };
}

function splitOnce(line: string): [string, string?] {
  const colon = line.indexOf(':');
  return colon === -1 ? [line] : [line.slice(0, colon), line.slice(colon + 1)];
}

function toCount(value: string, index: number): number {
  const n = Number(value.trim());
  if (!Number.isFinite(n) || n < 0) {
    throw new ReportParseError('lcov', `line ${index + 1}: expected a count, found ${JSON.stringify(value)}`);
  }
  return n;
}
