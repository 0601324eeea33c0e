import { describe, expect, it } from 'vitest';
import { parseCheckReport, ReportParseError } from '../../../src/checks/index.js';
import { fixture } from '../fixture-path.js';

describe('parseCheckReport coverage_istanbul', () => {
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

  describe('malformed input', () => {
    it.each([
      ['a summary without total', fixture('coverage/coverage-summary.malformed.json'), /expected a json-summary object/],
      ['truncated JSON', '{"total":', /invalid JSON/],
      ['an empty file', '', /the report is empty/],
    ])('throws a ReportParseError for %s', (_name, text, message) => {
      expect(() => parseCheckReport('coverage_istanbul', text)).toThrow(ReportParseError);
      expect(() => parseCheckReport('coverage_istanbul', text)).toThrow(message);
    });
  });
});
