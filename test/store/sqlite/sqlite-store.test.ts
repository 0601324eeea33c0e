import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { note, runStoreConformance, summary } from '../store-conformance.case.js';

const root = mkdtempSync(join(tmpdir(), 'converge-sqlite-store-'));
let counter = 0;
/** A fresh directory per use, so no test sees another's file. */
const freshDir = (): string => {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir);
  return dir;
};

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A second connection to the store's file, as a person with the sqlite3 shell would have. */
const behindTheBack = (store: { location: string }, sql: string, ...params: unknown[]): void => {
  const db = new Database(store.location);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
};

runStoreConformance({
  name: 'sqlite',
  newStore: () => openSqliteStore(join(freshDir(), 'converge.db')),
  damage: {
    deleteEvent: async (store, id, seq) => behindTheBack(store, 'DELETE FROM events WHERE workflow_id = ? AND seq = ?', id, seq),
    garbleEvent: async (store, id, seq) => behindTheBack(store, "UPDATE events SET body = randomblob(40) WHERE workflow_id = ? AND seq = ?", id, seq),
    garbleUnchecked: async (store, id, seq) => behindTheBack(store, "UPDATE events SET body = '{\"not json', checksum = NULL WHERE workflow_id = ? AND seq = ?", id, seq),
  },
});

const code = (c: string) => ({ name: 'ConvergeError', code: c });

describe('SqliteStore', () => {
  let path: string;
  let store: SqliteStore | undefined;
  const raws: Database.Database[] = [];
  /** A second connection to the same file, as another process would have. */
  const raw = (): Database.Database => {
    const db = new Database(path);
    raws.push(db);
    return db;
  };

  beforeEach(() => {
    path = join(freshDir(), '.converge', 'converge.db');
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    for (const db of raws.splice(0)) db.close();
  });

  describe('opening a new file', () => {
    it('creates the missing .converge directory', async () => {
      store = await openSqliteStore(path);
      expect(readFileSync(path).subarray(0, 15).toString()).toBe('SQLite format 3');
      expect(store.location).toBe(path);
    });

    it('turns on WAL mode for every connection to the file', async () => {
      store = await openSqliteStore(path);
      expect(raw().pragma('journal_mode', { simple: true })).toBe('wal');
    });

    it('records schema version 5 and reports the migrations as applied', async () => {
      store = await openSqliteStore(path);
      expect(await store.getSetting('schema_version')).toBe('5');
      expect(await store.migrate()).toEqual([
        { version: 1, name: 'initial', status: 'already_applied' },
        { version: 2, name: 'shared-definitions', status: 'already_applied' },
        { version: 3, name: 'integrity', status: 'already_applied' },
        { version: 4, name: 'step-traces', status: 'already_applied' },
        { version: 5, name: 'snapshot-definition', status: 'already_applied' },
      ]);
    });

    it('reports a multi-process store', async () => {
      store = await openSqliteStore(path);
      expect(store.capabilities).toEqual({ multiProcessWriters: true, distributedQueue: false });
    });
  });

  describe('reopening a file', () => {
    it('keeps every workflow, event and setting', async () => {
      const first = await openSqliteStore(path);
      await first.createWorkflow(summary('wf_1'), note(1));
      await first.append('wf_1', 1, [note(2)], summary('wf_1', { status: 'completed' }));
      await first.setSetting('retention_days', '30');
      await first.close();

      store = await openSqliteStore(path);
      expect((await store.readEvents('wf_1')).map((event) => event.seq)).toEqual([1, 2]);
      expect((await store.getWorkflow('wf_1'))?.status).toBe('completed');
      expect(await store.getSetting('retention_days')).toBe('30');
    });

    it('refuses a store written by a newer schema with STORE_TOO_NEW', async () => {
      await (await openSqliteStore(path)).close();
      raw().prepare("UPDATE settings SET value = '7' WHERE key = 'schema_version'").run();

      const opening = openSqliteStore(path);
      await expect(opening).rejects.toMatchObject({ ...code('STORE_TOO_NEW'), details: { schemaVersion: 7, knownVersion: 5 } });
      await expect(opening).rejects.toThrow(/schema 7, this one knows 5/);
    });

    it('refuses a foreign database with an events table with MIGRATION_FAILED and leaves it unchanged', async () => {
      mkdirSync(join(path, '..'), { recursive: true });
      raw().exec("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO events (what) VALUES ('theirs')");

      await expect(openSqliteStore(path)).rejects.toMatchObject(code('MIGRATION_FAILED'));
      const tables = raw().prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(['events']);
    });
  });

  describe('opening something that is not a store', () => {
    it('refuses a file that is not a SQLite database (or whose header is damaged) with STORE_DAMAGED', async () => {
      const garbage = join(freshDir(), 'notes.db');
      writeFileSync(garbage, 'These are my notes, not a database.\n'.repeat(200));
      const error: unknown = await openSqliteStore(garbage).catch((e: unknown) => e);
      expect(error).toMatchObject(code('STORE_DAMAGED'));
      expect((error as Error).message).toContain(garbage);
      expect((error as Error).cause).toBeDefined();
      expect(readFileSync(garbage, 'utf8')).toMatch(/^These are my notes/);
    });

    it('refuses a path whose parent is a regular file with STORE_UNAVAILABLE', async () => {
      const blocker = join(freshDir(), 'blocker');
      writeFileSync(blocker, 'a file, not a directory');
      await expect(openSqliteStore(join(blocker, 'converge.db'))).rejects.toMatchObject(code('STORE_UNAVAILABLE'));
    });

    it('refuses a path that is a directory with STORE_UNAVAILABLE', async () => {
      const directory = join(freshDir(), 'converge.db');
      mkdirSync(directory);
      await expect(openSqliteStore(directory)).rejects.toMatchObject(code('STORE_UNAVAILABLE'));
    });
  });

  describe('a damaged file (#18)', () => {
    /** XORs bytes in every page after the first, as a failing disk would; returns the file's hash. */
    const flipPages = (file: string): string => {
      const bytes = readFileSync(file);
      const pageSize = bytes.readUInt16BE(16);
      for (let page = pageSize; page < bytes.length; page += pageSize) {
        for (const offset of [0, 1, 7, 900, 2500]) if (page + offset < bytes.length) bytes[page + offset]! ^= 0xa5;
      }
      writeFileSync(file, bytes);
      return createHash('sha256').update(bytes).digest('hex');
    };
    const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

    it('refuses a file with flipped bytes on open, before anything is written to it', async () => {
      const first = await openSqliteStore(path);
      for (let i = 1; i <= 20; i++) await first.createWorkflow(summary(`wf_${i}`), note(1));
      await first.close();
      const before = flipPages(path);

      const error: unknown = await openSqliteStore(path).catch((e: unknown) => e);
      expect(error).toMatchObject(code('STORE_DAMAGED'));
      expect((error as Error).message).toContain('nothing was written');
      expect(hashOf(path)).toBe(before);
    });

    it('backs up a live store into a file that opens as the same store', async () => {
      store = await openSqliteStore(path);
      await store.createWorkflow(summary('wf_1'), note(1));
      await store.append('wf_1', 1, [note(2), note(3)], summary('wf_1'));
      const copy = join(freshDir(), 'backup.db');
      await store.backupTo(copy);
      await store.append('wf_1', 3, [note(4)], summary('wf_1'));

      const restored = await openSqliteStore(copy);
      try {
        expect((await restored.readEvents('wf_1')).map((e) => e.seq)).toEqual([1, 2, 3]);
        expect(await restored.checkDatabase()).toEqual([]);
      } finally {
        await restored.close();
      }
    });
  });

  describe('a file locked by another connection', () => {
    it('opens and reads while the other connection holds the write lock', async () => {
      await (await openSqliteStore(path)).close();
      const other = raw();
      other.exec('BEGIN EXCLUSIVE');
      store = await openSqliteStore(path, { busyTimeoutMs: 50 });
      expect(await store.listWorkflows()).toEqual([]);
      other.exec('ROLLBACK');
    });

    it('fails a write with retryable STORE_BUSY after the busy timeout', async () => {
      store = await openSqliteStore(path, { busyTimeoutMs: 50 });
      await store.createWorkflow(summary('wf_1'), note(1));
      const other = raw();
      other.exec('BEGIN EXCLUSIVE');

      await expect(store.append('wf_1', 1, [note(2)], summary('wf_1'))).rejects.toMatchObject({
        ...code('STORE_BUSY'),
        retryable: true,
      });
      await expect(store.setSetting('k', 'v')).rejects.toMatchObject(code('STORE_BUSY'));

      other.exec('ROLLBACK');
      expect(await store.append('wf_1', 1, [note(2)], summary('wf_1'))).toHaveLength(1);
    });
  });
});
