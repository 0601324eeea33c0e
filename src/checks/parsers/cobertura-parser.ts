/**
 * Cobertura XML (coverage.py `coverage xml`, istanbul's `cobertura` reporter, JaCoCo converters):
 * the root `<coverage line-rate="0.87">` gives line coverage; `lines-covered`/`lines-valid` win
 * when present because they are exact.
 */
import { ReportParseError, type ParsedReport } from './parsed-report.js';
import { roundPercent } from './report-text.js';
import { attr, parseXml } from './report-xml.js';

export function parseCobertura(text: string): ParsedReport {
  const doc = parseXml('cobertura', text, []);
  const root = doc['coverage'];
  if (typeof root !== 'object' || root === null) {
    throw new ReportParseError('cobertura', 'no <coverage> root element');
  }
  const covered = Number(attr(root, 'lines-covered'));
  const valid = Number(attr(root, 'lines-valid'));
  if (Number.isFinite(covered) && Number.isFinite(valid) && attr(root, 'lines-valid') !== undefined) {
    if (valid === 0) return { issues: [], summary: 'no instrumented lines', failed: false };
    const coverage = roundPercent((covered / valid) * 100);
    return { issues: [], coverage, summary: `line coverage ${coverage}% (${covered}/${valid} lines)`, failed: false };
  }
  const rate = Number(attr(root, 'line-rate'));
  if (attr(root, 'line-rate') === undefined || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new ReportParseError('cobertura', `<coverage> has no valid line-rate (found ${JSON.stringify(attr(root, 'line-rate') ?? null)})`);
  }
  const coverage = roundPercent(rate * 100);
  return { issues: [], coverage, summary: `line coverage ${coverage}%`, failed: false };
}
