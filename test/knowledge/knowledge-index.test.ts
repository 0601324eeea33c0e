import { appendFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_PATH, KnowledgeIndex } from '../../src/knowledge/index.js';
import { FIXTURE_GLOBS, fixtureWorkspace } from './knowledge-fixture.js';

let root: string;
let cleanup: () => void;

beforeEach(() => {
  ({ root, cleanup } = fixtureWorkspace());
});
afterEach(() => cleanup());

describe('KnowledgeIndex', () => {
  describe('search over the fixture docs', () => {
    it('ranks the document on the subject first', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      const [top] = index.search('how are refresh tokens rotated and revoked');
      expect(top?.path).toBe('docs/authentication.md');
      expect(top?.title).toBe('Authentication › Refresh tokens');
    });

    it('finds code through the parts of an identifier', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      expect(index.search('rate limiter acquire')[0]?.path).toBe('src/rate-limiter.ts');
    });

    it('returns path, title, text, score and tokens for each hit, best first', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      const hits = index.search('kubernetes rollout readiness', { limit: 3 });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.length).toBeLessThanOrEqual(3);
      expect(hits[0]).toMatchObject({ path: 'docs/deployment.md', title: 'Deployment › Rollout' });
      expect(hits[0]!.tokens).toBeGreaterThan(0);
      const scores = hits.map((h) => h.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });

    it('returns nothing for a blank query', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      expect(index.search('   ')).toEqual([]);
    });
  });

  describe('locations', () => {
    it('reads a plain folder as everything below it', async () => {
      const index = await KnowledgeIndex.open({ root, globs: ['docs/'], indexPath: false });
      expect(index.documents().map((d) => d.path)).toEqual(['docs/authentication.md', 'docs/deployment.md', 'docs/guides/testing.md']);
    });

    it('never indexes node_modules, .git, .converge or dist', async () => {
      for (const dir of ['node_modules/pkg', '.git', '.converge', 'dist']) {
        mkdirSync(join(root, 'docs', dir), { recursive: true });
        writeFileSync(join(root, 'docs', dir, 'notes.md'), '# Hidden\nShould not be indexed.\n');
      }
      const index = await KnowledgeIndex.open({ root, globs: ['docs/**/*'], indexPath: false });
      expect(index.documents().every((d) => !d.path.includes('notes.md'))).toBe(true);
    });

    it('skips non-text, binary and oversized files and says why', async () => {
      writeFileSync(join(root, 'docs', 'diagram.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
      writeFileSync(join(root, 'docs', 'dump.json'), Buffer.from([0x7b, 0, 0, 0x7d]));
      writeFileSync(join(root, 'docs', 'huge.md'), `# Huge\n${'word '.repeat(4000)}`);
      const index = new KnowledgeIndex({ root, globs: ['docs'], maxFileBytes: 8 * 1024, indexPath: false });
      const result = await index.refresh();
      expect(result.skipped).toEqual(
        expect.arrayContaining([
          { path: 'docs/diagram.png', reason: 'unsupported-type' },
          { path: 'docs/dump.json', reason: 'binary' },
          { path: 'docs/huge.md', reason: 'too-large' },
        ]),
      );
      expect(result.added).toBe(3);
      expect(index.documents().map((d) => d.path)).not.toContain('docs/huge.md');
    });
  });

  describe('incremental refresh', () => {
    it('indexes every file on the first refresh', async () => {
      const result = await new KnowledgeIndex({ root, globs: FIXTURE_GLOBS }).refresh();
      expect(result).toMatchObject({ added: 5, updated: 0, removed: 0, unchanged: 0, read: 5, files: 5 });
    });

    it('re-reads only the changed file', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      appendFileSync(join(root, 'docs', 'deployment.md'), '\n## Canary releases\n\nA canary pod takes 5% of traffic for ten minutes.\n');
      const result = await index.refresh();
      expect(result).toMatchObject({ added: 0, updated: 1, removed: 0, unchanged: 4, read: 1 });
      expect(result.changes.updated).toEqual(['docs/deployment.md']);
      expect(index.search('canary traffic')[0]?.title).toBe('Deployment › Canary releases');
    });

    it('keeps the chunks of a file touched but not edited', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(root, 'README.md'), later, later);
      expect(await index.refresh()).toMatchObject({ updated: 0, unchanged: 5, read: 1 });
    });

    it('drops a deleted file and its chunks', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      rmSync(join(root, 'docs', 'deployment.md'));
      const result = await index.refresh();
      expect(result).toMatchObject({ added: 0, updated: 0, removed: 1, unchanged: 4, read: 0 });
      expect(index.search('kubernetes rollout').every((hit) => hit.path !== 'docs/deployment.md')).toBe(true);
    });

    it('adds a new file', async () => {
      const index = await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      writeFileSync(join(root, 'docs', 'billing.md'), '# Billing\n\nInvoices are issued monthly.\n');
      expect(await index.refresh()).toMatchObject({ added: 1, unchanged: 5, read: 1 });
    });
  });

  describe('persistence', () => {
    it('survives a new instance without re-reading any document', async () => {
      await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      const reopened = new KnowledgeIndex({ root, globs: FIXTURE_GLOBS });
      expect(await reopened.refresh()).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 5, read: 0 });
      expect(reopened.search('refresh token rotation')[0]?.path).toBe('docs/authentication.md');
    });

    it('answers searches straight after load()', async () => {
      await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      const loaded = new KnowledgeIndex({ root, globs: FIXTURE_GLOBS });
      expect(await loaded.load()).toBeUndefined();
      expect(loaded.chunkCount).toBeGreaterThan(5);
      expect(loaded.search('docker image')[0]?.path).toBe('docs/deployment.md');
    });

    it('keeps changes made between instances', async () => {
      await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      rmSync(join(root, 'README.md'));
      writeFileSync(join(root, 'docs', 'guides', 'testing.md'), '# Testing guide\n\nAll tests run with vitest in forks.\n');
      const result = await new KnowledgeIndex({ root, globs: FIXTURE_GLOBS }).refresh();
      expect(result).toMatchObject({ removed: 1, updated: 1, unchanged: 3, read: 1 });
    });

    it('rebuilds from the documents when the saved index is corrupt', async () => {
      await KnowledgeIndex.open({ root, globs: FIXTURE_GLOBS });
      writeFileSync(join(root, DEFAULT_INDEX_PATH), '{ not json');
      const result = await new KnowledgeIndex({ root, globs: FIXTURE_GLOBS }).refresh();
      expect(result).toMatchObject({ added: 5, read: 5 });
      expect(result.warnings[0]).toMatch(/Rebuilding the knowledge index/);
    });
  });
});
