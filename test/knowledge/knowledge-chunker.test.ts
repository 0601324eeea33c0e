import { describe, expect, it } from 'vitest';
import { CHUNK_MAX_CHARS, CODE_WINDOW_LINES, chunkDocument } from '../../src/knowledge/knowledge-chunker.js';

describe('chunkDocument', () => {
  describe('a markdown document', () => {
    const doc = ['Intro line.', '', '# Guide', 'Guide text.', '## Setup', '### Install', 'Run npm ci.', '## Usage', 'Use it.'].join('\n');

    it('splits at headings and titles each chunk with its heading path', () => {
      expect(chunkDocument('docs/guide.md', doc).map((c) => c.title)).toEqual(['guide.md', 'Guide', 'Guide › Setup › Install', 'Guide › Usage']);
    });

    it('joins a heading with no text of its own to the section below it', () => {
      const install = chunkDocument('docs/guide.md', doc).find((c) => c.title.endsWith('Install'))!;
      expect(install.text).toBe('## Setup\n### Install\nRun npm ci.');
      expect([install.startLine, install.endLine]).toEqual([5, 7]);
    });

    it('keeps every line of the document in order', () => {
      expect(chunkDocument('docs/guide.md', doc).map((c) => c.text).join('\n')).toBe(doc);
    });

    it('ignores heading-like lines inside fenced code', () => {
      const fenced = ['# Shell', '```sh', '# not a heading', 'echo hi', '```'].join('\n');
      expect(chunkDocument('a.md', fenced)).toHaveLength(1);
    });

    it('splits a section longer than the window into numbered parts', () => {
      const long = ['# Long', ...Array.from({ length: 200 }, (_, i) => `Line ${i} of a long section.`)].join('\n');
      const titles = chunkDocument('a.md', long).map((c) => c.title);
      expect(titles.length).toBeGreaterThan(1);
      expect(titles[0]).toBe('Long (part 1)');
    });
  });

  describe('a code file', () => {
    const code = Array.from({ length: 130 }, (_, i) => `const v${i} = ${i};`).join('\n');

    it(`cuts windows of at most ${CODE_WINDOW_LINES} lines titled by line range`, () => {
      const chunks = chunkDocument('src/a.ts', code);
      expect(chunks.map((c) => c.title)).toEqual(['lines 1–60', 'lines 61–120', 'lines 121–130']);
    });

    it('cuts a single line longer than the character limit', () => {
      const chunks = chunkDocument('data.json', 'x'.repeat(CHUNK_MAX_CHARS * 2 + 10));
      expect(chunks).toHaveLength(3);
      expect(chunks.every((c) => c.text.length <= CHUNK_MAX_CHARS)).toBe(true);
    });
  });

  it('returns nothing for a blank file', () => {
    expect(chunkDocument('empty.md', '\n  \n')).toEqual([]);
  });
});
