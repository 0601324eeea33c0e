import { describe, expect, it } from 'vitest';
import { parseCheckReport, ReportParseError } from '../../../src/checks/index.js';
import { fixture } from '../fixture-path.js';

describe('parseCheckReport lcov', () => {
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

  describe('malformed input', () => {
    it.each([
      ['an HTML coverage page', fixture('coverage/lcov.malformed.info'), /unexpected line 1/],
      ['a record without end_of_record', 'SF:a.js\nDA:1,1\n', /no end_of_record/],
      ['a count that is not a number', 'SF:a.js\nLF:abc\nend_of_record\n', /expected a count/],
    ])('throws a ReportParseError for %s', (_name, text, message) => {
      expect(() => parseCheckReport('lcov', text)).toThrow(ReportParseError);
      expect(() => parseCheckReport('lcov', text)).toThrow(message);
    });
  });
});
