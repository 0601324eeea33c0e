/**
 * Every numeric option of the command line is parsed by one of these commander argument parsers,
 * strictly: "abc", "1.5" for a count, "-1" or "12abc" is a usage error naming the flag and what it
 * takes, never a NaN (or a silently truncated number) handed on to the engine.
 */
import { ConvergeError } from '../../core/errors.js';
import { plain } from '../shared/review-text.js';

export interface WholeNumberRule {
  min?: number;
  max?: number;
  /** A value for the hint's example; default: the least allowed (or 1). */
  example?: number;
}

function refuse(flag: string, takes: string, value: string, example: string): ConvergeError {
  return new ConvergeError('USAGE', `${flag} takes ${takes}, not ${JSON.stringify(value)}.`, { hint: `For example ${flag} ${example}.`, details: { flag, value } });
}

/** A whole number within `min`…`max` (digits only: no sign, point or exponent). */
export function wholeNumber(flag: string, rule: WholeNumberRule = {}): (value: string) => number {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = rule;
  const takes = max < Number.MAX_SAFE_INTEGER ? `a whole number from ${min} to ${max}` : `a whole number ≥ ${min}`;
  const example = String(rule.example ?? Math.max(min, 1));
  return (value) => {
    const trimmed = value.trim();
    const n = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw refuse(flag, takes, value, example);
    return n;
  };
}

/** A TCP port; 0 lets the system pick a free one. */
export function portNumber(flag = '--port'): (value: string) => number {
  return wholeNumber(flag, { min: 0, max: 65535, example: 8080 });
}

/** A decimal number > 0 (`5`, `0.5`), as for a budget in USD. */
export function positiveNumber(flag: string, example = '5'): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    const n = /^\d+(\.\d+)?$|^\.\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0) throw refuse(flag, 'a number > 0', value, example);
    return n;
  };
}

const UNIT_MS = { '': 1000, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30d`, `12h`, `90m`, `45s`, `500ms` or plain seconds, in milliseconds (> 0). */
export function durationMs(flag: string, example = '90m'): (value: string) => number {
  return (value) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|[smhd]?)$/.exec(value.trim());
    const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (!Number.isFinite(ms) || ms <= 0) throw refuse(flag, 'a duration such as 30d, 12h, 90m or 3600s', value, example);
    return Math.round(ms);
  };
}

/**
 * A variadic option's whole numbers, comma- or space-separated (`--accept-reset 4,9 12`), each
 * parsed like `wholeNumber`; commander calls it once a value, with the list so far.
 */
export function wholeNumbers(flag: string, rule: WholeNumberRule = {}): (value: string, previous?: number[]) => number[] {
  const one = wholeNumber(flag, rule);
  return (value, previous = []) => [...previous, ...value.split(',').map((v) => one(v))];
}

/** `--step`: a step number, strictly (no "4abc", no NaN), for `show` and `review`. */
export function stepFlag(value: string): number {
  if (!/^\d{1,4}$/.test(value.trim())) {
    throw new ConvergeError('USAGE', `--step: "${plain(value).slice(0, 20)}" is not a step number.`, { hint: 'Give the step\'s number, e.g. --step 4.', details: { field: 'step' } });
  }
  return Number(value);
}
