/**
 * What Converge takes as text (issue 18, part 5): UTF-8 judged on the bytes, no NUL, no lone
 * surrogate, not mostly control characters, and a size limit that names the key to raise.
 */
import { describe, expect, it } from 'vitest';
import { checkText, textFromBytes, textProblem } from '../../src/core/text-input.js';

const input = { what: 'The requirements', plural: true, maxBytes: 1024, limitKey: 'requirements_kb' as const };

function refusal(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string; hint?: string };
  }
  throw new Error('expected a refusal');
}

describe('textFromBytes', () => {
  it('decodes UTF-8, accents and emoji included', () => {
    expect(textFromBytes(new TextEncoder().encode('Crème brûlée 🍮\n\tdone'), input)).toBe('Crème brûlée 🍮\n\tdone');
  });

  it('refuses a byte that is not UTF-8 and names its position, where a lenient decoder would give U+FFFD', () => {
    const bytes = new Uint8Array([0x41, 0x42, 0xc3, 0x28, 0x43]);
    const error = refusal(() => textFromBytes(bytes, input));
    expect(error).toMatchObject({ code: 'USAGE', message: 'The requirements are not text: byte 3 is not valid UTF-8.' });
    expect(error.hint).toBeDefined();
  });

  it('refuses random bytes', () => {
    const bytes = new Uint8Array(1000).map((_, i) => (i * 2654435761) >>> 24);
    expect(refusal(() => textFromBytes(bytes, input)).code).toBe('USAGE');
  });

  it('refuses bytes over the limit before decoding them, naming the key that raises it', () => {
    const error = refusal(() => textFromBytes(new Uint8Array(2048).fill(0x61), input));
    expect(error).toMatchObject({ code: 'INPUT_TOO_LARGE', message: 'The requirements are 2 KiB, over the limit of 1 KiB.' });
    expect(error.hint).toContain('limits.requirements_kb');
  });
});

describe('checkText', () => {
  it('counts the limit in UTF-8 bytes, not characters', () => {
    expect(checkText('é'.repeat(512), input)).toHaveLength(512);
    expect(refusal(() => checkText('é'.repeat(513), input)).code).toBe('INPUT_TOO_LARGE');
  });

  it('uses the code it is given for text that is not text', () => {
    expect(refusal(() => checkText('plan\u0000', { what: 'The step result', code: 'RESULT_INVALID' }))).toMatchObject({
      code: 'RESULT_INVALID',
      message: 'The step result is not text: it holds a NUL character (at character 5).',
    });
  });
});

describe('textProblem', () => {
  it.each([
    ['a NUL', 'Build it\u0000'],
    ['a lone surrogate', 'Build \ud800 it'],
    ['mostly control characters', '\u0001\u0002\u0003\u0004 ab \u0005\u0006'],
    ['mostly undecodable bytes', 'x\ufffd\ufffd\ufffd\ufffdy\ufffd\ufffd'],
  ])('refuses text with %s', (_what, text) => {
    expect(textProblem(text)).toBeDefined();
  });

  it.each([
    ['markdown', '# Plan\n\n- step one\r\n- step two\t(done)'],
    ['a few colour codes pasted from a terminal', 'Make the \u001b[31merror\u001b[0m line red and ring the bell \u0007 once'],
    ['a surrogate pair', 'ship it 🚀'],
    ['a short control-only string (too short to judge)', '\u0007\u0007'],
  ])('accepts %s', (_what, text) => {
    expect(textProblem(text)).toBeUndefined();
  });
});
