import { describe, expect, it } from 'vitest';
import { parseCheckReport, ReportParseError } from '../../../src/checks/index.js';
import { fixture } from '../fixture-path.js';

describe('parseCheckReport cobertura', () => {
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

  describe('malformed input', () => {
    it.each([
      ['a JaCoCo report', fixture('coverage/jacoco-not-cobertura.xml'), /no <coverage> root element/],
      ['a line-rate that is not a number', '<coverage line-rate="high"/>', /no valid line-rate/],
      ['unclosed XML', '<coverage line-rate="0.5">', /invalid XML/],
    ])('throws a ReportParseError for %s', (_name, text, message) => {
      expect(() => parseCheckReport('cobertura', text)).toThrow(ReportParseError);
      expect(() => parseCheckReport('cobertura', text)).toThrow(message);
    });
  });
});
