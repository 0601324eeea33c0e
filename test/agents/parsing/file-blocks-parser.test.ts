import { describe, expect, it } from 'vitest';
import { parseFileBlocks } from '../../../src/agents/parsing/index.js';
import type { ConvergeError } from '../../../src/core/errors.js';

const FENCE = '```';

function parseError(text: string): ConvergeError {
  try {
    parseFileBlocks(text);
  } catch (error) {
    return error as ConvergeError;
  }
  throw new Error('expected the parse to fail');
}

describe('parseFileBlocks', () => {
  describe('markdown file blocks', () => {
    it('reads a summary followed by two files with their full content', () => {
      const text = [
        '## Summary',
        '- Added the CSV writer and its test.',
        '- Deviations: none',
        '',
        '# File: src/export/csv-writer.ts',
        `${FENCE}ts`,
        'export function toCsv(rows: string[][]): string {',
        "  return rows.map((r) => r.join(',')).join('\\n');",
        '}',
        FENCE,
        '',
        '## File: test/export/csv-writer.test.ts',
        `${FENCE}typescript`,
        "import { toCsv } from '../../src/export/csv-writer.js';",
        FENCE,
      ].join('\n');
      expect(parseFileBlocks(text)).toEqual([
        {
          path: 'src/export/csv-writer.ts',
          action: 'update',
          content: "export function toCsv(rows: string[][]): string {\n  return rows.map((r) => r.join(',')).join('\\n');\n}\n",
        },
        { path: 'test/export/csv-writer.test.ts', action: 'update', content: "import { toCsv } from '../../src/export/csv-writer.js';\n" },
      ]);
    });

    it.each([
      ['File: `src/a.ts`', 'src/a.ts'],
      ['**File:** `src/a.ts`', 'src/a.ts'],
      ['### File: "src/a.ts"', 'src/a.ts'],
      ["# File: 'src/dir with space/a.ts'", 'src/dir with space/a.ts'],
      ['# File: ./src/a.ts', './src/a.ts'],
      ['# file: ../outside.ts', '../outside.ts'],
    ])('reads the path from %s as written', (header, path) => {
      const [file] = parseFileBlocks(`${header}\n${FENCE}\nx\n${FENCE}`);
      expect(file?.path).toBe(path);
    });

    it('marks a header annotated "(new file)" as a create', () => {
      const [file] = parseFileBlocks(`# File: src/a.ts (new file)\n${FENCE}ts\nx\n${FENCE}`);
      expect(file).toEqual({ path: 'src/a.ts', action: 'create', content: 'x\n' });
    });

    it('keeps a three-backtick fence inside a four-backtick block', () => {
      const text = ['# File: README.md', '````markdown', '# Usage', `${FENCE}sh`, 'converge run', FENCE, '````'].join('\n');
      expect(parseFileBlocks(text)[0]?.content).toBe(`# Usage\n${FENCE}sh\nconverge run\n${FENCE}\n`);
    });

    it('keeps a nested fence with a language inside a three-backtick block', () => {
      const text = ['# File: docs/usage.md', `${FENCE}md`, 'Run:', `${FENCE}sh`, 'converge run', FENCE, 'Done.', FENCE].join('\n');
      expect(parseFileBlocks(text)[0]?.content).toBe(`Run:\n${FENCE}sh\nconverge run\n${FENCE}\nDone.\n`);
    });

    it('falls back to the first closing fence when an inner fence is never closed', () => {
      const text = ['# File: src/a.ts', `${FENCE}ts`, 'const s = `', `${FENCE}js`, '`;', FENCE, '# File: src/b.ts', FENCE, 'b', FENCE].join('\n');
      const files = parseFileBlocks(text);
      expect(files.map((f) => f.path)).toEqual(['src/a.ts', 'src/b.ts']);
      expect(files[0]?.content).toBe(`const s = \`\n${FENCE}js\n\`;\n`);
    });

    it('allows a short description between the header and its block', () => {
      const text = `# File: src/a.ts\n\nThe entry point.\n\n${FENCE}ts\nmain();\n${FENCE}`;
      expect(parseFileBlocks(text)[0]?.content).toBe('main();\n');
    });

    it('ignores headers quoted inside an example block', () => {
      const text = [
        'The format is:',
        '````',
        '# File: example/path.ts',
        FENCE,
        'x',
        FENCE,
        '````',
        '# File: src/real.ts',
        FENCE,
        'real',
        FENCE,
      ].join('\n');
      expect(parseFileBlocks(text).map((f) => f.path)).toEqual(['src/real.ts']);
    });

    it('reads CRLF line endings', () => {
      const text = `# File: src/a.ts\r\n${FENCE}ts\r\nconst a = 1;\r\n${FENCE}\r\n`;
      expect(parseFileBlocks(text)).toEqual([{ path: 'src/a.ts', action: 'update', content: 'const a = 1;\n' }]);
    });

    it('returns an empty file as empty content', () => {
      expect(parseFileBlocks(`# File: src/empty.ts\n${FENCE}\n${FENCE}`)[0]?.content).toBe('');
    });

    it('keeps the last content of a file written twice', () => {
      const text = `# File: a.ts\n${FENCE}\nold\n${FENCE}\n# File: b.ts\n${FENCE}\nb\n${FENCE}\n# File: a.ts\n${FENCE}\nnew\n${FENCE}`;
      expect(parseFileBlocks(text)).toEqual([
        { path: 'b.ts', action: 'update', content: 'b\n' },
        { path: 'a.ts', action: 'update', content: 'new\n' },
      ]);
    });

    it('reads a delete heading without a block', () => {
      const text = `# Delete: src/legacy.ts\n# File: src/a.ts\n${FENCE}\na\n${FENCE}\nDelete: this prose is not a deletion`;
      expect(parseFileBlocks(text)).toEqual([
        { path: 'src/legacy.ts', action: 'delete' },
        { path: 'src/a.ts', action: 'update', content: 'a\n' },
      ]);
    });
  });

  describe('JSON manifest', () => {
    it('reads files from a fenced manifest', () => {
      const manifest = {
        files: [
          { path: 'src/a.ts', action: 'create', content: 'export const a = 1;\n' },
          { path: 'src/old.ts', action: 'delete' },
          { path: '`src/b.ts`', content: 'b' },
        ],
      };
      const text = `Here you go:\n${FENCE}json\n${JSON.stringify(manifest, null, 2)}\n${FENCE}`;
      expect(parseFileBlocks(text)).toEqual([
        { path: 'src/a.ts', action: 'create', content: 'export const a = 1;\n' },
        { path: 'src/old.ts', action: 'delete' },
        { path: 'src/b.ts', action: 'update', content: 'b' },
      ]);
    });

    it('prefers markdown blocks over a manifest quoted inside a file', () => {
      const text = `# File: test/fixture.json\n${FENCE}json\n{"files": [{"path": "x.ts", "content": "x"}]}\n${FENCE}`;
      expect(parseFileBlocks(text).map((f) => f.path)).toEqual(['test/fixture.json']);
    });
  });

  describe('unusable output', () => {
    it('throws AGENT_FAILED invalid_output when no file is found', () => {
      const error = parseError('I have implemented the plan. Let me know if you want changes.');
      expect(error.code).toBe('AGENT_FAILED');
      expect(error.details.failureClass).toBe('invalid_output');
      expect(error.message).toContain('# File: <path>');
      expect(error.hint).toContain('# File: src/example.ts');
    });

    it('names a header whose block is missing', () => {
      const error = parseError('# File: src/a.ts\nexport const a = 1;');
      expect(error.details.errors).toEqual(expect.arrayContaining([expect.stringContaining('"src/a.ts" has no fenced code block')]));
    });

    it('rejects the whole reply when a block is cut off', () => {
      const text = `# File: src/a.ts\n${FENCE}ts\na\n${FENCE}\n# File: src/b.ts\n${FENCE}ts\nexport function b(`;
      const error = parseError(text);
      expect(error.code).toBe('AGENT_FAILED');
      expect(error.details.failureClass).toBe('invalid_output');
      expect(error.message).toContain('src/b.ts');
    });

    it('explains why a manifest was rejected', () => {
      const error = parseError('{"files": [{"path": "a.ts"}]}');
      expect((error.details.errors as string[])[0]).toContain('content is required unless action is delete');
    });
  });
});
