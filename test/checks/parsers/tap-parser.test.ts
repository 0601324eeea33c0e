import { describe, expect, it } from 'vitest';
import { parseCheckReport, ReportParseError } from '../../../src/checks/index.js';
import { fixture } from '../fixture-path.js';

describe('parseCheckReport tap', () => {
  describe('node --test --test-reporter=tap output (Node 20)', () => {
    const report = parseCheckReport('tap', fixture('tap/node-test.tap'), { source: 'tool:unit', level: 2 });

    it('takes the counts from the trailing # pass / # fail comments', () => {
      expect(report.counts).toEqual({ passed: 2, failed: 2, skipped: 2 });
      expect(report.failed).toBe(true);
      expect(report.summary).toBe('6 tests: 2 passed, 2 failed, 2 skipped');
    });

    it('reports failing leaves, not the suite that only repeats them', () => {
      expect(report.issues).toEqual([
        {
          source: 'tool:unit',
          level: 2,
          severity: 'critical',
          message: 'subtracts two numbers: Expected values to be strictly equal: (expected 3, got 2)',
          location: { file: '/home/ci/app/test/math.test.mjs', line: 8 },
        },
        {
          source: 'tool:unit',
          level: 2,
          severity: 'critical',
          message: 'parser > rejects garbage: expected parse to throw',
          location: { file: '/home/ci/app/test/math.test.mjs', line: 19 },
        },
      ]);
    });
  });

  describe('generic TAP', () => {
    it('passes a run whose tests all pass, counting todo and skip as skipped', () => {
      const tap = ['TAP version 14', '1..3', 'ok 1 - reads', 'not ok 2 - writes # TODO later', 'ok 3 - deletes # SKIP no disk', ''].join('\n');
      const report = parseCheckReport('tap', tap);
      expect(report).toMatchObject({ failed: false, issues: [], counts: { passed: 1, failed: 0, skipped: 2 } });
    });

    it('reads node-tap style `at:` diagnostics and a message key', () => {
      const tap = [
        'TAP version 13',
        'not ok 1 - rounds down',
        '  ---',
        '  message: "should be equal"',
        '  at:',
        '    file: test/round.js',
        '    line: 12',
        '  ...',
        '1..1',
      ].join('\n');
      expect(parseCheckReport('tap', tap).issues[0]).toMatchObject({
        message: 'rounds down: should be equal',
        location: { file: 'test/round.js', line: 12 },
      });
    });

    it('reports a parent that failed on its own although its subtests passed', () => {
      const tap = [
        'TAP version 13',
        '# Subtest: database',
        '    # Subtest: connects',
        '    ok 1 - connects',
        '    1..1',
        'not ok 1 - database',
        '  ---',
        "  error: 'after hook failed: pool not closed'",
        '  ...',
        '1..1',
      ].join('\n');
      const report = parseCheckReport('tap', tap);
      expect(report.issues.map((i) => i.message)).toEqual(['database: after hook failed: pool not closed']);
      expect(report.counts).toEqual({ passed: 1, failed: 1, skipped: 0 });
    });

    it('unescapes \\# in descriptions', () => {
      const tap = 'TAP version 13\nnot ok 1 - handles issue \\#42\n1..1\n';
      expect(parseCheckReport('tap', tap).issues[0]?.message).toBe('handles issue #42 failed');
    });

    it('fails on Bail out!', () => {
      const report = parseCheckReport('tap', 'TAP version 13\n1..3\nok 1 - a\nBail out! database down\n');
      expect(report.failed).toBe(true);
      expect(report.summary).toBe('bailed out: database down');
      expect(report.issues[0]?.message).toBe('test run bailed out: database down');
    });

    it('fails when fewer tests ran than the plan announced', () => {
      const report = parseCheckReport('tap', 'TAP version 13\n1..3\nok 1 - a\nok 2 - b\n');
      expect(report.failed).toBe(true);
      expect(report.issues[0]?.message).toMatch(/plan announced 3 tests but only 2 reported/);
    });
  });

  describe('malformed input', () => {
    it.each([
      ['a crash trace instead of TAP', fixture('tap/malformed.tap')],
      ['an empty file', ''],
      ['JSON', '{"tests": 3}'],
    ])('throws a ReportParseError for %s', (_name, text) => {
      expect(() => parseCheckReport('tap', text)).toThrow(ReportParseError);
      expect(() => parseCheckReport('tap', text)).toThrow(/could not parse tap report/);
    });
  });
});
