import { describe, expect, it } from 'vitest';
import { assertComplete, truncationOf } from '../../../src/agents/parsing/index.js';

describe('truncationOf', () => {
  it.each([
    ['a review cut mid-issue', '- Alignment Score: 9.5/10\n\n## Issues\n- [Crit', /mid-item/],
    ['a code block never closed', '# File: src/a.ts\n```ts\nexport const a = 1;\n', /code block opened at line 2/],
    ['a tilde fence never closed', 'text\n~~~\nmore', /code block opened at line 2/],
    ['a heading with nothing under it', '# Plan\n\nSome text.\n\n## 3. Files to Update', /heading and nothing under it/],
    ['a file header with no block', 'Done.\n\n# File: src/b.ts', /heading and nothing under it/],
    ['an empty list item', '## Issues\n- first\n-', /empty list item/],
    ['emphasis left open', '- **Critical: the plan', /mid-emphasis/],
    ['a link cut in its target', 'See [the docs](https://example.com/do', /mid-link/],
    ['a table row without its closing bar', '| file | change |\n|---|---|\n| src/a.ts | add', /mid table row/],
  ])('finds %s', (_name, text, reason) => {
    expect(truncationOf(text)).toMatch(reason);
  });

  it.each([
    ['a complete review', '## Summary\n- Alignment Score: 9.2/10\n\n## Issues\n- [Minor] Name the file.\n'],
    ['a closed code block at the end', '# File: src/a.ts\n```ts\nexport const a = 1;\n```\n'],
    ['a fence with a longer closing fence', '````md\n```\ninner\n```\n````'],
    ['a finished sentence', 'The plan is complete.'],
    ['a checkbox list', '- [ ] first\n- [x] second'],
    ['a table', '| a | b |\n|---|---|\n| 1 | 2 |'],
    ['empty text', ''],
  ])('accepts %s', (_name, text) => {
    expect(truncationOf(text)).toBeUndefined();
  });
});

describe('assertComplete', () => {
  it('throws invalid_output whose message starts with "truncated:" and names what was cut', () => {
    expect(() => assertComplete('## Issues\n- [Crit', 'the review')).toThrow(/^truncated: the review ends mid-item/);
    try {
      assertComplete('## Issues\n- [Crit', 'the review');
    } catch (error) {
      expect(error).toMatchObject({ code: 'AGENT_FAILED', details: { failureClass: 'invalid_output' } });
    }
  });
});
