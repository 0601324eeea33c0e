import { describe, expect, it } from 'vitest';
import { parseCheckReport, ReportParseError } from '../../../src/checks/index.js';
import { fixture } from '../fixture-path.js';

describe('parseCheckReport coverage formats', () => {
  describe('coverage_istanbul', () => {
    it('reads total.lines.pct from coverage-summary.json', () => {
      expect(parseCheckReport('coverage_istanbul', fixture('coverage/coverage-summary.json'))).toEqual({
        issues: [],
        coverage: 86.81,
        summary: 'line coverage 86.81% (191/220 lines)',
        failed: false,
      });
    });

    it('computes the percentage when istanbul wrote "Unknown"', () => {
      const json = '{"total":{"lines":{"total":8,"covered":6,"skipped":0,"pct":"Unknown"}}}';
      expect(parseCheckReport('coverage_istanbul', json).coverage).toBe(75);
    });

    it('reports no coverage when nothing was instrumented', () => {
      const json = '{"total":{"lines":{"total":0,"covered":0,"skipped":0,"pct":100}}}';
      expect(parseCheckReport('coverage_istanbul', json)).toMatchObject({ summary: 'no instrumented lines' });
      expect(parseCheckReport('coverage_istanbul', json).coverage).toBeUndefined();
    });
  });

  describe('lcov', () => {
    it('sums LF and LH over all records (node --test-reporter=lcov output)', () => {
      expect(parseCheckReport('lcov', fixture('coverage/lcov.info'))).toMatchObject({
        coverage: 80,
        summary: 'line coverage 80% (16/20 lines)',
        failed: false,
      });
    });

    it('counts DA lines for records without LF/LH', () => {
      const lcov = 'SF:a.js\nDA:1,3\nDA:2,0\nDA:3,1\nend_of_record\n';
      expect(parseCheckReport('lcov', lcov).coverage).toBe(66.67);
    });
  });

  describe('cobertura', () => {
    it('uses lines-covered / lines-valid from coverage.py output', () => {
      expect(parseCheckReport('cobertura', fixture('coverage/cobertura.xml'))).toMatchObject({
        coverage: 86.67,
        summary: 'line coverage 86.67% (104/120 lines)',
      });
    });

    it('falls back to line-rate (istanbul cobertura reporter, with a DOCTYPE)', () => {
      expect(parseCheckReport('cobertura', fixture('coverage/cobertura-istanbul.xml')).coverage).toBe(71.42);
    });

    it('turns <coverage line-rate="0.87"> into 87', () => {
      expect(parseCheckReport('cobertura', '<coverage line-rate="0.87"/>').coverage).toBe(87);
    });
  });

  describe('malformed input', () => {
    it.each([
      ['coverage_istanbul', fixture('coverage/coverage-summary.malformed.json'), /expected a json-summary object/],
      ['coverage_istanbul', '{"total":', /invalid JSON/],
      ['lcov', fixture('coverage/lcov.malformed.info'), /unexpected line 1/],
      ['lcov', 'SF:a.js\nDA:1,1\n', /no end_of_record/],
      ['lcov', 'SF:a.js\nLF:abc\nend_of_record\n', /expected a count/],
      ['cobertura', fixture('coverage/jacoco-not-cobertura.xml'), /no <coverage> root element/],
      ['cobertura', '<coverage line-rate="high"/>', /no valid line-rate/],
      ['cobertura', '<coverage line-rate="0.5">', /invalid XML/],
    ] as const)('%s throws a ReportParseError (%#)', (format, text, message) => {
      expect(() => parseCheckReport(format, text)).toThrow(ReportParseError);
      expect(() => parseCheckReport(format, text)).toThrow(message);
    });
  });
});
