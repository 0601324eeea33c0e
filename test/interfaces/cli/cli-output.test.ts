/**
 * Stored text reaches a terminal without its control characters, and JSON escapes them (issue
 * 18, part 5): requirements, names and agent output are kept as given.
 */
import { describe, expect, it } from 'vitest';
import { jsonText, terminalSafe } from '../../../src/interfaces/cli/cli-output.js';

describe('terminalSafe', () => {
  it.each([
    ['a colour (CSI)', 'make it \u001b[1;31mred\u001b[0m', 'make it red'],
    ['a window title (OSC ended by BEL)', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['an OSC 8 link ended by ST', '\u001b]8;;https://x.example\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['a cursor move and a clear', 'x\u001b[2J\u001b[Hy', 'xy'],
    ['C0 controls but tab and newline', 'a\u0000b\u0007c\bd\te\nf', 'abcd\te\nf'],
    ['a carriage return that would overwrite the line', 'safe\rEVIL', 'safeEVIL'],
    ['CRLF line ends', 'one\r\ntwo', 'one\ntwo'],
    ['C1 controls (8-bit CSI) and DEL', 'a\u009b31mb\u007fc', 'a31mbc'],
  ])('removes %s', (_what, input, output) => {
    expect(terminalSafe(input)).toBe(output);
  });

  it('keeps text, accents and emoji', () => {
    expect(terminalSafe('Crème — ✓ 🚀 [31m')).toBe('Crème — ✓ 🚀 [31m');
  });
});

describe('jsonText', () => {
  it('escapes ESC, other C0, DEL and C1, and reads back as the same string', () => {
    const value = { requirements: 'a\u001b[31mb\u0007\u007f\u009bc' };
    const text = jsonText(value);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text).toContain('\\u001b');
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(value);
  });
});
