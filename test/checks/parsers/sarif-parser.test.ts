import { describe, expect, it } from 'vitest';
import { parseCheckReport, ReportParseError } from '../../../src/checks/index.js';
import { fixture } from '../fixture-path.js';

describe('parseCheckReport sarif', () => {
  describe('@microsoft/eslint-formatter-sarif output', () => {
    const report = parseCheckReport('sarif', fixture('sarif/eslint.sarif'), { source: 'tool:lint', level: 2 });

    it('maps levels to severities and rule ids to codes, dropping suppressed results', () => {
      expect(report.issues).toEqual([
        {
          source: 'tool:lint',
          level: 2,
          severity: 'major',
          code: 'no-unused-vars',
          message: "'total' is assigned a value but never used.",
          location: { file: '/home/ci/app/src/cart.js', line: 12 },
        },
        {
          source: 'tool:lint',
          level: 2,
          severity: 'minor',
          code: 'eqeqeq',
          message: "Expected '===' and instead saw '=='.",
          location: { file: '/home/ci/app/src/api/routes.js', line: 31 },
        },
        {
          source: 'tool:lint',
          level: 2,
          severity: 'major',
          message: 'Parsing error: Unexpected token )',
          location: { file: '/home/ci/app/src/legacy.js', line: 7 },
        },
      ]);
    });

    it('fails when any result is an error', () => {
      expect(report.failed).toBe(true);
      expect(report.summary).toBe('3 findings: 2 errors, 1 warning');
    });
  });

  it('passes a clean run', () => {
    expect(parseCheckReport('sarif', fixture('sarif/clean.sarif'))).toMatchObject({ failed: false, issues: [], summary: 'no findings' });
  });

  it('passes a run with only warnings and notes', () => {
    const sarif = JSON.stringify({
      version: '2.1.0',
      runs: [{ results: [{ level: 'note', message: { text: 'consider const' } }, { message: { text: 'default level is warning' } }] }],
    });
    const report = parseCheckReport('sarif', sarif);
    expect(report.failed).toBe(false);
    expect(report.issues.map((i) => i.severity)).toEqual(['info', 'minor']);
  });

  it('resolves relative URIs against originalUriBaseIds and artifact indexes', () => {
    const sarif = JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          originalUriBaseIds: { SRCROOT: { uri: 'file:///repo/' } },
          artifacts: [{ location: { uri: 'lib/a%20b.ts' } }],
          results: [
            { level: 'error', message: { text: 'x' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'src/x.ts', uriBaseId: 'SRCROOT' } } }] },
            { level: 'error', message: { text: 'y' }, locations: [{ physicalLocation: { artifactLocation: { index: 0 } } }] },
          ],
        },
      ],
    });
    expect(parseCheckReport('sarif', sarif).issues.map((i) => i.location)).toEqual([{ file: '/repo/src/x.ts' }, { file: 'lib/a b.ts' }]);
  });

  describe('malformed input', () => {
    it.each([
      ['truncated JSON', fixture('sarif/malformed.sarif'), /invalid JSON/],
      ['JSON without runs', '{"version":"2.1.0"}', /not a SARIF log at runs/],
      ['an unknown level', '{"runs":[{"results":[{"level":"fatal"}]}]}', /not a SARIF log/],
      ['an empty file', '  ', /the report is empty/],
    ])('throws a ReportParseError for %s', (_name, text, message) => {
      expect(() => parseCheckReport('sarif', text)).toThrow(ReportParseError);
      expect(() => parseCheckReport('sarif', text)).toThrow(message);
    });
  });
});
