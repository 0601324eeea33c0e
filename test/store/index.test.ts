import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStorePath, openStore, type Store } from '../../src/store/index.js';

const root = mkdtempSync(join(tmpdir(), 'converge-open-store-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const code = (c: string) => ({ name: 'ConvergeError', code: c });

async function locationOf(url: string, cwd = root): Promise<string> {
  const store: Store = await openStore(url, { cwd });
  await store.close();
  return store.location;
}

describe('defaultStorePath', () => {
  it('puts the store in .converge/converge.db under the working directory', () => {
    expect(defaultStorePath('/work/project')).toBe(join('/work/project', '.converge', 'converge.db'));
  });
});

describe('openStore', () => {
  describe('SQLite locations', () => {
    it.each([
      ['a plain relative path', 'plain/converge.db', join(root, 'plain', 'converge.db')],
      ['a plain absolute path', join(root, 'absolute.db'), join(root, 'absolute.db')],
      ['sqlite:<path>', 'sqlite:prefixed/converge.db', join(root, 'prefixed', 'converge.db')],
      ['sqlite://<absolute path>', `sqlite://${join(root, 'slashes.db')}`, join(root, 'slashes.db')],
      ['file:<path>', 'file:file-prefixed.db', join(root, 'file-prefixed.db')],
      ['a file:// URL', pathToFileURL(join(root, 'url.db')).href, join(root, 'url.db')],
    ])('opens %s as a SQLite file', async (_label, url, expected) => {
      expect(await locationOf(url)).toBe(expected);
    });

    it('opens sqlite::memory: as a private SQLite database', async () => {
      const store = await openStore('sqlite::memory:');
      expect(store.capabilities.multiProcessWriters).toBe(true);
      await store.close();
    });
  });

  describe('memory locations', () => {
    it.each([':memory:', 'memory:'])('opens %s as a memory store', async (url) => {
      const store = await openStore(url);
      expect(store.location).toBe('memory:');
      expect(store.capabilities.multiProcessWriters).toBe(false);
      await store.close();
    });
  });

  describe('unreachable or unsupported locations', () => {
    it('reports an unreachable postgres:// server as STORE_UNAVAILABLE without repeating the password', async () => {
      const error: unknown = await openStore('postgres://converge:s3cret@127.0.0.1:1/converge').catch((e: unknown) => e);
      expect(error).toMatchObject(code('STORE_UNAVAILABLE'));
      expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).not.toContain('s3cret');
    });

    it.each(['mysql://localhost/converge', '   '])('refuses %j with STORE_UNAVAILABLE', async (url) => {
      await expect(openStore(url)).rejects.toMatchObject(code('STORE_UNAVAILABLE'));
    });
  });
});
