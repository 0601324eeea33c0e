/**
 * The SQLite store keeps each workflow definition once, by hash, and leaves type and at out of
 * event bodies (store/event-codec.ts). Callers must not see any of it: events and snapshots read
 * back as appended, old rows written before the change still read, and prune drops definitions
 * no workflow names any more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAscii } from 'node:buffer';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../src/core/events.js';
import { EVENT_DICTIONARY_V1 } from '../../../src/store/event-dictionary.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { bodyChecksum } from '../../../src/store/store-rules.js';
import { sevenStep } from '../../core/helpers.js';
import { at, note, startedWith, summary } from '../store-conformance.case.js';

const definition = sevenStep();

const started = (requirements: string, def = definition): NewEvent => startedWith(def, requirements);

describe('SqliteStore definitions and event bodies', () => {
  let dir: string;
  let store: SqliteStore;
  const raw = () => new Database(join(dir, 'converge.db'));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'converge-definitions-'));
    store = await openSqliteStore(join(dir, 'converge.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores one definition for many workflows and reads every event back as appended', async () => {
    for (const id of ['wf_1', 'wf_2', 'wf_3']) {
      await store.createWorkflow(summary(id), started(`requirements of ${id}`));
      await store.append(id, 1, [note(2)], summary(id));
    }
    const db = raw();
    expect(db.prepare('SELECT COUNT(*) AS n FROM definitions').get()).toEqual({ n: 1 });
    const body = (db.prepare("SELECT body FROM events WHERE workflow_id = 'wf_2' AND seq = 1").get() as { body: string }).body;
    db.close();
    expect(body).not.toContain('"steps"');
    expect(body).not.toContain('"workflow_started"');
    expect(body).not.toContain('"at":');

    const reopened = await openSqliteStore(join(dir, 'converge.db'));
    const events = await reopened.readEvents('wf_2');
    await reopened.close();
    expect(events).toEqual([{ ...started('requirements of wf_2'), seq: 1 }, { ...note(2), seq: 2 }]);
    expect(Object.keys(events[0]!)).toEqual([...Object.keys(started('x')), 'seq']);
  });

  it('shares one frozen definition between the workflows it reads', async () => {
    await store.createWorkflow(summary('wf_1'), started('one'));
    await store.createWorkflow(summary('wf_2'), started('two'));
    const [a] = await store.readEvents('wf_1');
    const [b] = await store.readEvents('wf_2');
    const defOf = (e: unknown) => (e as { definition: object }).definition;
    expect(defOf(a)).toBe(defOf(b));
    expect(Object.isFrozen(defOf(a))).toBe(true);
  });

  it('reads rows written before definitions were shared', async () => {
    await store.createWorkflow(summary('wf_old'), note(1));
    const db = raw();
    const old = { ...started('old'), seq: undefined };
    delete old.seq;
    db.prepare('INSERT INTO events (workflow_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)').run('wf_old', 2, old.type, old.at, JSON.stringify(old));
    db.close();
    const events = await store.readEvents('wf_old');
    expect(events[1]).toEqual({ ...started('old'), seq: 2 });
  });

  it('stores other bodies deflated with the versioned dictionary and still reads plain JSON rows', async () => {
    await store.createWorkflow(summary('wf_1'), started('one'));
    await store.append('wf_1', 1, [note(2)], summary('wf_1'));
    const db = raw();
    const stored = db.prepare("SELECT body FROM events WHERE workflow_id = 'wf_1' AND seq = 2").get() as { body: unknown };
    expect(Buffer.isBuffer(stored.body)).toBe(true);
    expect((stored.body as Buffer)[0]).toBe(1);
    // A row written before bodies were compressed: plain JSON text with type and at inside.
    db.prepare('INSERT INTO events (workflow_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)').run('wf_1', 3, 'phase_transitioned', at(3), JSON.stringify(note(3)));
    db.prepare("UPDATE workflows SET last_seq = 3 WHERE id = 'wf_1'").run();
    db.close();
    expect((await store.readEvents('wf_1')).slice(1)).toEqual([{ ...note(2), seq: 2 }, { ...note(3), seq: 3 }]);
  });

  it('reads rows deflated with the full-size stream earlier versions used, checksums checked, and round-trips small and large bodies', async () => {
    await store.createWorkflow(summary('wf_1'), started('one'));
    const large = { ...note(3), trigger: 'x'.repeat(3000) + JSON.stringify(sevenStep()).slice(0, 6000) };
    await store.append('wf_1', 1, [note(2), large], summary('wf_1'));
    const db = raw();
    // As Converge wrote every compressed body before small bodies got a small stream: zlib's default window and memory.
    const { type: _type, at: _at, ...rest } = note(4);
    const old = Buffer.concat([Buffer.of(1), deflateRawSync(JSON.stringify(rest), { dictionary: EVENT_DICTIONARY_V1 })]);
    const insert = db.prepare('INSERT INTO events (workflow_id, seq, type, at, body, checksum) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('wf_1', 4, 'phase_transitioned', at(4), old, bodyChecksum(old));
    db.prepare("UPDATE workflows SET last_seq = 4 WHERE id = 'wf_1'").run();
    const small = db.prepare("SELECT body FROM events WHERE workflow_id = 'wf_1' AND seq = 2").get() as { body: Buffer };
    expect(small.body.length).toBeLessThan(JSON.stringify(note(2)).length);
    db.close();
    expect((await store.readEvents('wf_1')).slice(1)).toEqual([{ ...note(2), seq: 2 }, { ...large, seq: 3 }, { ...note(4), seq: 4 }]);
    // The old row's checksum is still verified: one flipped byte is reported, not decoded.
    const again = raw();
    const flipped = Buffer.from(old);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 0xff, flipped.length - 1);
    again.prepare("UPDATE events SET body = ? WHERE workflow_id = 'wf_1' AND seq = 4").run(flipped);
    again.close();
    await expect(store.readEvents('wf_1')).rejects.toMatchObject({ code: 'STORE_DAMAGED' });
  });

  it('refuses a body compressed with a dictionary it does not know, naming it', async () => {
    await store.createWorkflow(summary('wf_1'), started('one'));
    const db = raw();
    db.prepare('INSERT INTO events (workflow_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)').run('wf_1', 2, 'phase_transitioned', at(2), Buffer.of(9, 1, 2, 3));
    db.close();
    await expect(store.readEvents('wf_1')).rejects.toThrow(/dictionary 9/);
  });

  it('keeps snapshots with the definition by reference and gives them back whole', async () => {
    await store.createWorkflow(summary('wf_1'), started('one'));
    await store.saveSnapshot('wf_1', { seq: 1, state: { workflowId: 'wf_1', definition, seq: 1 } });
    const db = raw();
    const row = db.prepare("SELECT state FROM snapshots WHERE workflow_id = 'wf_1'").get() as { state: string };
    db.close();
    expect(row.state).not.toContain('"steps"');
    expect(await store.loadSnapshot('wf_1')).toEqual({ seq: 1, state: { workflowId: 'wf_1', definition, seq: 1 } });
  });

  it('stores a snapshot with non-ASCII text as ASCII and gives every character back', async () => {
    // Characters of one, two, three and four UTF-8 bytes, one of them cut by the 64 KB blocks the
    // writer searches, a lone surrogate, and a text of only ASCII around them.
    const text = `${'a'.repeat(65_496)}—é😀 plan “v2” \ud800 ${'b'.repeat(70_000)}ü`;
    const state = { workflowId: 'wf_1', seq: 1, notes: [text, 'plain', 'ñ'] };
    await store.createWorkflow(summary('wf_1'), started('one'));
    await store.saveSnapshot('wf_1', { seq: 1, state });
    const db = raw();
    const row = db.prepare("SELECT state FROM snapshots WHERE workflow_id = 'wf_1'").get() as { state: Buffer };
    db.close();
    const stored = inflateRawSync(row.state.subarray(1), { dictionary: EVENT_DICTIONARY_V1 });
    expect(isAscii(stored)).toBe(true);
    expect(stored.toString('latin1')).toContain('\\u2014\\u00e9\\ud83d\\ude00');
    expect(await store.loadSnapshot('wf_1')).toEqual({ seq: 1, state });
  });

  it('prunes a definition with the last workflow that names it', async () => {
    const other = sevenStep((doc) => {
      doc.id = 'seven-step-variant';
    });
    await store.createWorkflow(summary('wf_done', { status: 'completed', updatedAt: at(1) }), started('done', other));
    await store.createWorkflow(summary('wf_live', { updatedAt: at(1) }), started('live'));
    const count = () => {
      const db = raw();
      const n = (db.prepare('SELECT COUNT(*) AS n FROM definitions').get() as { n: number }).n;
      db.close();
      return n;
    };
    // A log from before definitions were shared, holding its definition inline, must not stop the prune.
    await store.createWorkflow(summary('wf_old', { updatedAt: at(1) }), note(1));
    const db = raw();
    const old: Record<string, unknown> = { ...started('old') };
    db.prepare('INSERT INTO events (workflow_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)').run('wf_old', 2, 'workflow_started', at(0), JSON.stringify(old));
    db.close();
    expect(count()).toBe(2);
    expect(await store.prune(at(100))).toBe(1);
    expect(count()).toBe(1);
    expect((await store.readEvents('wf_live'))[0]).toEqual({ ...started('live'), seq: 1 });
  });

  it('keeps a definition that only a snapshot still names', async () => {
    const older = sevenStep((doc) => {
      doc.id = 'seven-step-older';
    });
    // A log from before sharing (definition inline), whose later snapshot names the definition by hash.
    await store.createWorkflow(summary('wf_long', { updatedAt: at(1) }), note(1));
    await store.saveSnapshot('wf_long', { seq: 1, state: { workflowId: 'wf_long', definition: older, seq: 1 } });
    await store.createWorkflow(summary('wf_done', { status: 'completed', updatedAt: at(1) }), started('done'));
    expect(await store.prune(at(100))).toBe(1);
    const reopened = await openSqliteStore(join(dir, 'converge.db'));
    expect(await reopened.loadSnapshot('wf_long')).toEqual({ seq: 1, state: { workflowId: 'wf_long', definition: older, seq: 1 } });
    await reopened.close();
  });
});
