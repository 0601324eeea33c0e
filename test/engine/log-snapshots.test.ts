/**
 * Snapshots taken by size (issue 19, part 2): a snapshot falls every 50 events up to 1,000, then
 * each time the log grows by a sixteenth, so its cost per event stays bounded. Loading must give
 * the state a full replay gives, from logs written by this version and by the one before it,
 * whose full-state snapshots every 50 events are kept in test/fixtures/log-snapshots.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { reduce } from '../../src/core/apply.js';
import type { NewEvent } from '../../src/core/events.js';
import { appendEvents, loadState, snapshotPoint } from '../../src/engine/workflow-log.js';
import { summaryOf } from '../../src/engine/workflow-summary.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'log-snapshots', 'v1-snapshots.db');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function fixtureStore(): Promise<Store & { path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-log-snapshots-'));
  dirs.push(dir);
  const path = join(dir, 'converge.db');
  copyFileSync(FIXTURE, path);
  return Object.assign(await openSqliteStore(path), { path });
}

/** Snapshot rows as stored: their seq, whether the body is deflated, the definition they name. */
function snapshotRows(path: string): Array<{ id: string; seq: number; kind: string; hash: string | null }> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT workflow_id AS id, seq, typeof(state) AS kind, definition_hash AS hash FROM snapshots ORDER BY workflow_id').all() as never;
  } finally {
    db.close();
  }
}

async function replayed(store: Store, workflowId: string) {
  return reduce(workflowId, await store.readEvents(workflowId));
}

/** Appends `events` one batch at a time, as the runner and the CLI do, and returns the state. */
async function appendEach(store: Store, workflowId: string, events: NewEvent[]) {
  let state = await loadState(store, workflowId);
  for (const event of events) state = await appendEvents(store, state, [event]);
  return state;
}

const withoutSeq = ({ seq: _seq, ...event }: { seq: number } & Record<string, unknown>) => event as unknown as NewEvent;

describe('snapshot points', () => {
  it('fall every 50 events up to 1,000, then every sixteenth of the log', () => {
    const points = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i + 1).filter((seq) => snapshotPoint(seq) > snapshotPoint(seq - 1));
    expect(points(0, 300)).toEqual([50, 100, 150, 200, 250, 300]);
    const late = points(10_000, 30_000);
    for (let i = 1; i < late.length; i++) {
      const gap = late[i]! - late[i - 1]!;
      expect(gap / late[i - 1]!).toBeGreaterThan(1 / 17);
      expect(gap / late[i - 1]!).toBeLessThan(1 / 15);
    }
  });

  it('write a bounded amount per event: the events summed over every snapshot stay within 20 per event of the log', () => {
    // A snapshot at seq s copies a state about proportional to s; the sum is what the log paid.
    let copied = 0;
    const length = 200_000;
    for (let seq = 1; seq <= length; seq++) if (snapshotPoint(seq) > snapshotPoint(seq - 1)) copied += seq;
    expect(copied / length).toBeLessThan(20);
  });
});

describe('a store written by the version with full-state snapshots every 50 events', () => {
  it('loads every workflow as a full replay of its log does', async () => {
    const store = await fixtureStore();
    try {
      const workflows = await store.listWorkflows();
      expect(workflows.map((w) => w.lastSeq).sort((x, y) => x - y)).toEqual([55, 63, 105]);
      for (const { id } of workflows) {
        // The old snapshot is what the load starts from, not a replay from the first event.
        expect((await store.loadSnapshot(id))?.seq).toBeGreaterThanOrEqual(50);
        expect(await loadState(store, id)).toEqual(await replayed(store, id));
      }
      // The migration named each old plain-JSON snapshot's definition beside it, for prune.
      const rows = snapshotRows(store.path);
      expect(rows.map((r) => r.kind)).toEqual(['text', 'text', 'text']);
      expect(rows.every((r) => r.hash !== null && r.hash.length > 0)).toBe(true);
      expect(await store.prune(new Date(Date.now() + 365 * 86_400_000).toISOString())).toBeGreaterThanOrEqual(0);
      expect(await loadState(store, 'wf_fixture_gate')).toEqual(await replayed(store, 'wf_fixture_gate'));
    } finally {
      await store.close();
    }
  });

  it('goes on from an old snapshot: new events and a new snapshot load as a full replay does', async () => {
    const store = await fixtureStore();
    try {
      const id = 'wf_fixture_gate';
      const events = await store.readEvents(id);
      const revision = events.findLast((e) => e.type === 'human_revision_recorded')!;
      // 50 more edits at the open gate cross the snapshot point at 100.
      const more = Array.from({ length: 50 }, (_, i) => ({ ...withoutSeq(revision as never), content: `# Plan, edit ${i}\n` }) as NewEvent);
      const state = await appendEach(store, id, more);
      expect(state.seq).toBe(105);
      expect((await store.loadSnapshot(id))?.seq).toBe(100);
      // Written by this version: deflated, its definition named beside it.
      expect(snapshotRows(store.path).find((r) => r.id === id)).toMatchObject({ seq: 100, kind: 'blob', hash: expect.any(String) });
      const loaded = await loadState(store, id);
      expect(loaded).toEqual(await replayed(store, id));
      expect(loaded).toEqual(state);
      expect(loaded.outputs.filter((o) => o.output.artifact === 'plan').map((o) => o.version)).toEqual(
        Array.from({ length: loaded.outputs.filter((o) => o.output.artifact === 'plan').length }, (_, i) => i + 1),
      );
    } finally {
      await store.close();
    }
  });
});

describe('the memory store under the same scheme', () => {
  it('loads a log past 1,000 events, whose last snapshot falls between points, as a full replay does', async () => {
    const source = await fixtureStore();
    const events = await source.readEvents('wf_fixture_gate');
    await source.close();
    const store = new MemoryStore();
    const [first, ...rest] = events.map((e) => withoutSeq(e as never));
    const start = reduce('wf_long', [{ ...first!, seq: 1 } as never]);
    await store.createWorkflow(summaryOf(start), first!);
    const revision = rest.findLast((e) => e.type === 'human_revision_recorded')!;
    const edits = Array.from({ length: 1_100 }, (_, i) => ({ ...revision, content: `# Plan, edit ${i}\n` }) as NewEvent);
    let state = start;
    for (const batch of [rest, ...edits.map((e) => [e])]) state = await appendEvents(store, state, batch);
    expect(state.seq).toBe(1_155);
    // The points past 1,000 are 1,063 and 1,129: the load folds the events after the last one.
    expect((await store.loadSnapshot('wf_long'))?.seq).toBe(1_129);
    expect(await loadState(store, 'wf_long')).toEqual(reduce('wf_long', await store.readEvents('wf_long')));
  });
});
