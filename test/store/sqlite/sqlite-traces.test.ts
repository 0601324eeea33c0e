/**
 * SQLite holds a step trace until its workflow's next append and writes both in one commit
 * (issue 19, part 1): another process sees the result and its trace together, and a trace that
 * no append follows is still written — before a read, a prune, a backup, or at close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { StepTrace } from '../../../src/store/store.js';
import { note, summary } from '../store-conformance.case.js';

const root = mkdtempSync(join(tmpdir(), 'converge-sqlite-traces-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const trace = (workflowId: string, actionId: string, text = 'the answer'): StepTrace => ({
  workflowId,
  actionId,
  stepId: 'plan',
  stepNumber: 1,
  attempt: 1,
  agent: 'scripted',
  startedAt: '2026-01-01T00:00:00.000Z',
  completedAt: '2026-01-01T00:00:01.000Z',
  prompts: [{ template: 'plan', text: 'the prompt' }],
  outputs: [{ template: 'plan', text }],
  activity: [],
  error: null,
});

describe('SQLite step traces ride with the next append', () => {
  let n = 0;
  let path: string;
  let store: SqliteStore | undefined;
  /** Trace rows as another process reads them. */
  const rowsOutside = (): number => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM step_traces').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    path = join(root, `case-${++n}.db`);
    store = await openSqliteStore(path);
    await store.createWorkflow(summary('wf_1'), note(1));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('commits a trace with the result appended after it', async () => {
    await store!.putTrace(trace('wf_1', 'act_1'));
    expect(rowsOutside()).toBe(0);
    await store!.append('wf_1', 1, [note(2)], summary('wf_1'));
    expect(rowsOutside()).toBe(1);
    expect((await store!.listTraces('wf_1')).map((t) => t.outputs[0]!.text)).toEqual(['the answer']);
  });

  it('keeps the later trace of an action held twice', async () => {
    await store!.putTrace(trace('wf_1', 'act_1', 'first'));
    await store!.putTrace(trace('wf_1', 'act_1', 'second'));
    await store!.append('wf_1', 1, [note(2)], summary('wf_1'));
    expect((await store!.listTraces('wf_1')).map((t) => t.outputs[0]!.text)).toEqual(['second']);
  });

  it('still writes the trace when the append it waited for is refused', async () => {
    await store!.putTrace(trace('wf_1', 'act_1'));
    await expect(store!.append('wf_1', 7, [note(2)], summary('wf_1'))).rejects.toMatchObject({ code: 'SEQUENCE_CONFLICT' });
    expect(rowsOutside()).toBe(0);
    expect(await store!.listTraces('wf_1')).toHaveLength(1);
    expect(rowsOutside()).toBe(1);
  });

  it('writes a trace no append follows when the store closes', async () => {
    await store!.putTrace(trace('wf_1', 'act_1'));
    await store!.close();
    store = undefined;
    expect(rowsOutside()).toBe(1);
  });

  it('writes a trace no append follows on its own, soon', async () => {
    await store!.putTrace(trace('wf_1', 'act_1'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rowsOutside()).toBe(1);
  });

  it('drops a held trace whose workflow was pruned, without an error', async () => {
    await store!.append('wf_1', 1, [note(2)], summary('wf_1', { status: 'completed', updatedAt: '2026-01-01T00:00:00.000Z' }));
    await store!.putTrace(trace('wf_1', 'act_1'));
    // Pruned by another process, which never saw the held trace.
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM workflows WHERE id = ?').run('wf_1');
    db.close();
    await store!.close();
    store = undefined;
    expect(rowsOutside()).toBe(0);
  });
});
