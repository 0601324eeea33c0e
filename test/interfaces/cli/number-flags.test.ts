/**
 * Numeric options are parsed strictly (issue 18, part 6): a value that is not the number the flag
 * takes is a usage error naming the flag and what it takes, never NaN or a truncated number.
 */
import { describe, expect, it } from 'vitest';
import { durationMs, portNumber, positiveNumber, wholeNumber, wholeNumbers } from '../../../src/interfaces/cli/number-flags.js';

describe('wholeNumber', () => {
  const grant = wholeNumber('--grant', { min: 1, example: 2 });

  it('reads digits', () => {
    expect(grant('3')).toBe(3);
    expect(grant(' 12 ')).toBe(12);
  });

  it.each(['abc', '-1', '0', '1.5', '12abc', '1e3', '', 'NaN', '99999999999999999999'])('refuses %j, naming the flag and what it takes', (value) => {
    expect(() => grant(value)).toThrow(expect.objectContaining({ code: 'USAGE', message: `--grant takes a whole number ≥ 1, not ${JSON.stringify(value)}.`, hint: 'For example --grant 2.' }));
  });
});

describe('the other parsers', () => {
  it('portNumber takes 0 to 65535', () => {
    expect(portNumber()('0')).toBe(0);
    expect(() => portNumber()('65536')).toThrow(/--port takes a whole number from 0 to 65535/);
  });

  it('positiveNumber takes a decimal above 0', () => {
    expect(positiveNumber('--budget-usd')('2.5')).toBe(2.5);
    expect(() => positiveNumber('--budget-usd')('0')).toThrow(/--budget-usd takes a number > 0, not "0"/);
    expect(() => positiveNumber('--budget-usd')('abc')).toThrow(/not "abc"/);
  });

  it('durationMs reads units and plain seconds', () => {
    const d = durationMs('--expires-in');
    expect([d('90'), d('45s'), d('15m'), d('12h'), d('30d'), d('500ms')]).toEqual([90_000, 45_000, 900_000, 43_200_000, 2_592_000_000, 500]);
    expect(() => d('1w')).toThrow(/--expires-in takes a duration such as 30d, 12h, 90m or 3600s, not "1w"/);
    expect(() => d('0s')).toThrow(/--expires-in/);
  });

  it('wholeNumbers adds a comma list to the values so far, each strictly', () => {
    const parse = wholeNumbers('--accept-reset', { min: 1 });
    expect(parse('12', parse('4,9'))).toEqual([4, 9, 12]);
    expect(() => parse('4,x')).toThrow(/--accept-reset takes a whole number ≥ 1, not "x"/);
  });
});
