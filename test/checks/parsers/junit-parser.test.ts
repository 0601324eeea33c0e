import { describe, expect, it } from 'vitest';
import { parseCheckReport, ReportParseError } from '../../../src/checks/index.js';
import { fixture } from '../fixture-path.js';

describe('parseCheckReport junit', () => {
  describe('vitest report', () => {
    const report = parseCheckReport('junit', fixture('junit/vitest.xml'), { source: 'tool:test', level: 2 });

    it('counts passed, failed and skipped testcases', () => {
      expect(report.counts).toEqual({ passed: 1, failed: 2, skipped: 1 });
      expect(report.failed).toBe(true);
      expect(report.summary).toBe('4 tests: 1 passed, 2 failed, 1 skipped');
    });

    it('reports each failing testcase as a critical issue with the first line of its message', () => {
      expect(report.issues).toEqual([
        {
          source: 'tool:test',
          level: 2,
          severity: 'critical',
          message: 'math > multiplies: expected 6 to be 7 // Object.is equality',
          location: { file: 'src/math.test.ts', line: 6 },
        },
        {
          source: 'tool:test',
          level: 2,
          severity: 'critical',
          message: 'math > nested > throws <bad> & "quotes": boom',
          location: { file: 'src/math.test.ts', line: 10 },
        },
      ]);
    });
  });

  describe('pytest report', () => {
    it('takes file from the attribute and the failing line from the traceback (xunit1)', () => {
      const report = parseCheckReport('junit', fixture('junit/pytest-xunit1.xml'));
      expect(report.counts).toEqual({ passed: 2, failed: 3, skipped: 1 });
      expect(report.issues.map((i) => [i.message, i.component, i.location])).toEqual([
        ['test_add_negative: assert -3 == -4', 'tests.test_calc', { file: 'tests/test_calc.py', line: 10 }],
        ['test_divide_by_zero: ZeroDivisionError: division by zero', 'tests.test_calc.TestDivide', { file: 'tests/test_calc.py', line: 21 }],
        ['test_uses_broken: failed on setup with "RuntimeError: database unavailable"', 'tests.test_calc', { file: 'tests/test_calc.py', line: 25 }],
      ]);
    });

    it('turns the 0-based line attribute into a 1-based line when the traceback has none', () => {
      const xml = `<testsuites name="pytest tests"><testsuite name="pytest" tests="1" failures="1">
        <testcase classname="tests.test_io" name="test_read" file="tests/test_io.py" line="0"><failure message="boom">E boom</failure></testcase>
      </testsuite></testsuites>`;
      expect(parseCheckReport('junit', xml).issues[0]?.location).toEqual({ file: 'tests/test_io.py', line: 1 });
    });

    it('reports failures without a location when the xunit2 flavour gives no file', () => {
      const report = parseCheckReport('junit', fixture('junit/pytest-xunit2.xml'));
      expect(report.counts).toEqual({ passed: 2, failed: 3, skipped: 1 });
      expect(report.issues[0]).toMatchObject({ message: 'test_add_negative: assert -3 == -4', component: 'tests.test_calc' });
    });
  });

  describe('jest-junit report', () => {
    const report = parseCheckReport('junit', fixture('junit/jest-junit.xml'));

    it('counts an error element as a failure', () => {
      expect(report.counts).toEqual({ passed: 3, failed: 2, skipped: 1 });
    });

    it('uses the first non-blank line of a failure body that has no message attribute', () => {
      expect(report.issues[0]?.message).toBe('Cart applies a discount code: Error: expect(received).toBe(expected) // Object.is equality');
    });

    it('locates a failure by the first stack frame outside node_modules', () => {
      expect(report.issues[0]?.location).toEqual({ file: '/home/ci/app/src/cart.test.js', line: 18 });
      expect(report.issues[0]?.component).toBeUndefined();
    });

    it('reports a suite that failed to run', () => {
      expect(report.issues[1]?.message).toBe('src/checkout.test.js: ● Test suite failed to run');
      expect(report.issues[1]?.component).toBe('Test suite failed to run');
    });
  });

  describe('node --test-reporter=junit report', () => {
    const report = parseCheckReport('junit', fixture('junit/node-test.xml'));

    it('finds testcases directly under <testsuites> and in nested suites', () => {
      expect(report.counts).toEqual({ passed: 2, failed: 2, skipped: 2 });
    });

    it('locates failures through the file:// stack frame', () => {
      expect(report.issues.map((i) => i.location)).toEqual([
        { file: '/home/ci/app/test/math.test.mjs', line: 9 },
        { file: '/home/ci/app/test/math.test.mjs', line: 20 },
      ]);
      expect(report.issues[0]?.message).toBe('subtracts two numbers: Expected values to be strictly equal:2 !== 3');
    });
  });

  describe('edge cases', () => {
    it('accepts a single <testsuite> root with no failures', () => {
      const report = parseCheckReport('junit', '<testsuite name="x" tests="1"><testcase name="a" classname="A"/></testsuite>');
      expect(report).toMatchObject({ failed: false, issues: [], counts: { passed: 1, failed: 0, skipped: 0 } });
    });

    it('reports an empty suite as no tests', () => {
      expect(parseCheckReport('junit', '<testsuites/>').summary).toBe('no tests in report');
    });
  });

  describe('malformed input', () => {
    it.each([
      ['truncated XML', fixture('junit/malformed.xml'), /could not parse junit report: invalid XML/],
      ['an empty file', '', /could not parse junit report: the report is empty/],
      ['another XML document', '<coverage line-rate="0.5"/>', /no <testsuites> or <testsuite> root element/],
      ['plain text', 'Error: vitest crashed', /could not parse junit report/],
    ])('throws a ReportParseError for %s', (_name, text, message) => {
      expect(() => parseCheckReport('junit', text)).toThrow(ReportParseError);
      expect(() => parseCheckReport('junit', text)).toThrow(message);
    });
  });
});
