import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens, createKnowledgeProvider, DEFAULT_KNOWLEDGE_BUDGETS, KnowledgeIndex, naiveKnowledge, selectKnowledge } from '../../src/knowledge/index.js';
import type { ScoredChunk } from '../../src/knowledge/index.js';
import { formatSection, withoutPaths } from '../../src/knowledge/context-selection.js';
import { FIXTURE_GLOBS, fixtureWorkspace } from './knowledge-fixture.js';

let root: string;
let cleanup: () => void;
let index: KnowledgeIndex;

beforeAll(async () => {
  ({ root, cleanup } = fixtureWorkspace());
  index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
});
afterAll(() => cleanup());

const QUERY = 'Add single sign-on: access tokens, refresh tokens and revocation for service accounts';

describe('selectKnowledge', () => {
  describe('within a token budget', () => {
    it.each([40, 80, 150, 300, 1000, 4000])('never exceeds a budget of %i tokens', (budget) => {
      const selection = selectKnowledge(index, QUERY, { tokenBudget: budget });
      expect(selection.tokens).toBeLessThanOrEqual(budget);
      expect(countTokens(selection.text)).toBe(selection.tokens);
      expect(selection.budget).toBe(budget);
    });

    it('takes more chunks as the budget grows', () => {
      const small = selectKnowledge(index, QUERY, { tokenBudget: 80 });
      const large = selectKnowledge(index, QUERY, { tokenBudget: 4000 });
      expect(large.chunks.length).toBeGreaterThan(small.chunks.length);
    });

    it('returns nothing for a budget of 0', () => {
      expect(selectKnowledge(index, QUERY, { tokenBudget: 0 })).toMatchObject({ text: '', chunks: [], tokens: 0 });
    });

    it('rejects a budget that is not a whole number with USAGE', () => {
      expect(() => selectKnowledge(index, QUERY, { tokenBudget: 12.5 })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    });
  });

  describe('ranking and format', () => {
    it('puts the most relevant chunk first as a markdown section', () => {
      const selection = selectKnowledge(index, QUERY, { tokenBudget: 4000 });
      expect(selection.chunks[0]?.path).toBe('docs/authentication.md');
      expect(selection.text.startsWith(`### docs/authentication.md — ${selection.chunks[0]!.title}\n`)).toBe(true);
    });

    it('leaves out chunks unrelated to the query', () => {
      const paths = selectKnowledge(index, QUERY, { tokenBudget: 4000 }).chunks.map((c) => c.path);
      expect(paths).not.toContain('docs/guides/testing.md');
    });

    it('takes a passage repeated in several chunks once', () => {
      const passage = { title: 'Copy', text: 'Refresh tokens rotate on every use.', startLine: 1, endLine: 1, tokens: 8 };
      const hits: ScoredChunk[] = [
        { ...passage, id: 'a.md#0', path: 'a.md', score: 3 },
        { ...passage, id: 'b.md#0', path: 'b.md', score: 2, text: '  Refresh tokens rotate\non every use. ' },
      ];
      const selection = selectKnowledge({ search: () => hits }, 'refresh', { tokenBudget: 500 });
      expect(selection.chunks.map((c) => c.path)).toEqual(['a.md']);
    });
  });

  describe('role budgets', () => {
    it('uses 4000 for the planner, 2000 for the validator and 3000 for the programmer', () => {
      expect(DEFAULT_KNOWLEDGE_BUDGETS).toEqual({ planner: 4000, validator: 2000, programmer: 3000 });
      expect(selectKnowledge(index, QUERY, { role: 'validator' }).budget).toBe(2000);
    });

    it('lets an explicit budget win over the role default', () => {
      expect(selectKnowledge(index, QUERY, { role: 'planner', tokenBudget: 100 }).budget).toBe(100);
    });
  });
});

describe('withoutPaths', () => {
  const section = (path: string, title: string, text: string) => formatSection({ path, title, text });
  const guide = section('docs/guide.md', 'Commands', 'Commands live in src/cli.\n\n### A heading — inside the guide\nMore guide text.');
  const first = section('src/export.ts', 'lines 1–20', 'export function a() {}\n\nexport function b() {}');
  const second = section('src/export.ts', 'lines 21–40', 'export function c() {}');
  const other = section('src/other.ts', 'lines 1–5', 'export const x = 1;');

  it('drops every section of the given files and keeps the rest in order', () => {
    const text = [guide, first, other, second].join('\n\n');
    expect(withoutPaths(text, ['src/export.ts'])).toBe([guide, other].join('\n\n'));
  });

  it('returns the text unchanged when no section is about the given files', () => {
    const text = [guide, other].join('\n\n');
    expect(withoutPaths(text, ['src/export.ts'])).toBe(text);
    expect(withoutPaths(text, [])).toBe(text);
    expect(withoutPaths('', ['src/export.ts'])).toBe('');
  });

  it('can drop everything', () => {
    expect(withoutPaths([first, second].join('\n\n'), ['src/export.ts'])).toBe('');
  });

  it('works on a real selection', () => {
    const selection = selectKnowledge(index, 'rate limiter token bucket', { tokenBudget: 4000 });
    const paths = new Set(selection.chunks.map((c) => c.path));
    expect(paths.has('src/rate-limiter.ts')).toBe(true);
    const kept = withoutPaths(selection.text, ['src/rate-limiter.ts']);
    expect(kept).not.toContain('### src/rate-limiter.ts — ');
    for (const chunk of selection.chunks.filter((c) => c.path !== 'src/rate-limiter.ts')) expect(kept).toContain(formatSection(chunk));
  });
});

describe('naiveKnowledge', () => {
  it('includes every document in full', () => {
    const naive = naiveKnowledge(index);
    expect(naive.chunks.map((c) => c.path)).toEqual(['README.md', 'docs/authentication.md', 'docs/deployment.md', 'docs/guides/testing.md', 'src/rate-limiter.ts']);
    expect(naive.text).toContain('rolling update with a maximum surge');
    expect(naive.tokens).toBe(countTokens(naive.text));
    expect(naive.budget).toBeNull();
  });

  it('costs more tokens than a selection for one subject', () => {
    expect(naiveKnowledge(index).tokens).toBeGreaterThan(selectKnowledge(index, QUERY, { tokenBudget: 4000 }).tokens);
  });
});

describe('createKnowledgeProvider', () => {
  it('selects with the role budget and sees edits on the next call', async () => {
    const provider = createKnowledgeProvider({ budgets: { validator: 300 } });
    const first = await provider.select({ root, globs: FIXTURE_GLOBS, role: 'validator', query: 'warehouse pallets barcode' });
    expect(first.budget).toBe(300);
    expect(first.chunks.map((c) => c.path)).not.toContain('docs/pallets.md');
    writeFileSync(join(root, 'docs', 'pallets.md'), '# Pallets\n\nEvery pallet carries a barcode scanned at the warehouse door.\n');
    const second = await provider.select({ root, globs: FIXTURE_GLOBS, role: 'validator', query: 'warehouse pallets barcode' });
    expect(second.chunks[0]?.path).toBe('docs/pallets.md');
  });

  it('returns an empty selection when there are no documentation locations', async () => {
    const selection = await createKnowledgeProvider().select({ root, globs: [], role: 'planner', query: 'anything' });
    expect(selection).toMatchObject({ text: '', chunks: [], tokens: 0 });
  });
});
