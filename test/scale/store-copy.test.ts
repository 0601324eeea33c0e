/**
 * `copyStore` and `converge store copy`: a history moves between stores with its ids, sequence
 * numbers, times, index rows and snapshots; copying again is harmless; a diverged workflow is refused.
 * The in-process cases use memory stores and always run; the CLI case copies 1,000 SQLite
 * workflows into PostgreSQL and needs CONVERGE_TEST_PG_URL.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reduce } from '../../src/core/apply.js';
import type { NewEvent, WorkflowEvent } from '../../src/core/events.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { summaryOf } from '../../src/engine/workflow-summary.js';
import { showText } from '../../src/interfaces/cli/show-format.js';
import { openStore } from '../../src/store/index.js';
import { copyStore } from '../../src/store/store-copy.js';
import type { Store } from '../../src/store/store.js';
import { loadProjectConfig } from '../../src/workflows/loader.js';
import { converge, copyFixture } from '../e2e/helpers/cli.js';
import { PG_URL, assertCliWired, createDatabase, dropDatabase, named, noticeSkip, startWorkflows } from './scale-helpers.js';

noticeSkip('store-copy.test.ts');

/** The log of one whole workflow of the scale fixture, run in-process. */
async function recordedLog(): Promise<{ id: string; events: WorkflowEvent[] }> {
  const dir = copyFixture('scale');
  const store = await openStore(':memory:');
  const [id] = await startWorkflows(store, dir, 1);
  const { config, baseDir } = loadProjectConfig(dir);
  await createEngine({ store, config, baseDir }).runner.run(id!);
  const events = await store.readEvents(id!);
  await store.close();
  expect(events.at(-1)?.type).toBe('workflow_completed');
  return { id: id!, events };
}

/** Writes the first `length` events of `log` as workflow `id`, with a snapshot when asked. */
async function writeClone(store: Store, log: { id: string; events: WorkflowEvent[] }, id: string, length: number, snapshot = false): Promise<void> {
  const events = (JSON.parse(JSON.stringify(log.events.slice(0, length)).replaceAll(log.id, id)) as WorkflowEvent[]);
  const state = reduce(id, events);
  const bare = events.map(({ seq: _seq, ...rest }) => rest as NewEvent);
  await store.createWorkflow(summaryOf(reduce(id, events.slice(0, 1))), bare[0]!);
  if (bare.length > 1) await store.append(id, 1, bare.slice(1), summaryOf(state));
  if (snapshot) await store.saveSnapshot(id, { seq: state.seq, state });
}

let log: { id: string; events: WorkflowEvent[] };
beforeAll(async () => {
  log = await recordedLog();
}, 60_000);

describe('copyStore › between two memory stores', () => {
  it('copies every workflow with the same ids, events, index rows and snapshots', async () => {
    const from = await openStore(':memory:');
    const to = await openStore(':memory:');
    await writeClone(from, log, 'wf-a', log.events.length, true);
    await writeClone(from, log, 'wf-b', 1);
    await writeClone(from, log, 'wf-c', 7);
    const progress: number[] = [];
    const result = await copyStore(from, to, { onProgress: (p) => progress.push(p.done) });
    expect(result).toMatchObject({ total: 3, copied: 3, skipped: 0, completed: 0, events: log.events.length + 1 + 7 });
    expect(progress).toEqual([1, 2, 3]);
    for (const id of ['wf-a', 'wf-b', 'wf-c']) {
      expect(await to.readEvents(id)).toEqual(await from.readEvents(id));
      expect(await to.getWorkflow(id)).toEqual(await from.getWorkflow(id));
    }
    expect(await to.loadSnapshot('wf-a')).toEqual(await from.loadSnapshot('wf-a'));
  });

  it('copies the step traces with their workflow (#17)', async () => {
    const from = await openStore(':memory:');
    const to = await openStore(':memory:');
    await writeClone(from, log, 'wf-a', log.events.length);
    const trace = { workflowId: 'wf-a', actionId: 'wf-a.2', stepId: 'plan', stepNumber: 1, attempt: 1, agent: 'scripted', startedAt: log.events[1]!.at, completedAt: log.events[2]!.at, prompts: [{ template: 'step1', text: 'the prompt' }], outputs: [{ template: 'step1', text: 'the plan' }], activity: [], error: null };
    await from.putTrace(trace);
    await copyStore(from, to);
    expect(await to.listTraces('wf-a')).toEqual([trace]);
  });

  it('skips what is already there and completes a copy that stopped halfway', async () => {
    const from = await openStore(':memory:');
    const to = await openStore(':memory:');
    await writeClone(from, log, 'wf-a', log.events.length);
    await writeClone(from, log, 'wf-b', log.events.length);
    await writeClone(to, log, 'wf-a', log.events.length);
    await writeClone(to, log, 'wf-b', 5);
    const result = await copyStore(from, to);
    expect(result).toMatchObject({ total: 2, copied: 0, completed: 1, skipped: 1, events: log.events.length - 5 });
    expect(await to.readEvents('wf-b')).toEqual(await from.readEvents('wf-b'));
    expect(await to.getWorkflow('wf-b')).toEqual(await from.getWorkflow('wf-b'));
  });

  it('refuses a workflow whose history differs in the target, copies the others, and names it', async () => {
    const from = await openStore(':memory:');
    const to = await openStore(':memory:');
    await writeClone(from, log, 'wf-a', log.events.length);
    await writeClone(from, log, 'wf-b', 3);
    // The same id, but another workflow's log (other requirements, other times).
    const other = await recordedLog();
    await writeClone(to, other, 'wf-a', 9);
    await expect(copyStore(from, to)).rejects.toMatchObject({ code: 'SEQUENCE_CONFLICT', details: { workflowIds: ['wf-a'] } });
    expect((await to.readEvents('wf-a')).length).toBe(9);
    expect(await to.readEvents('wf-b')).toEqual(await from.readEvents('wf-b'));
  });
});

describe.skipIf(PG_URL === undefined)('converge store copy › 1,000 SQLite workflows into PostgreSQL', () => {
  const COUNT = 1000;
  let url: string;
  let dir: string;
  const ids: string[] = [];

  beforeAll(async () => {
    assertCliWired();
    dir = copyFixture('scale');
    const sqlite = await openStore(join(dir, 'source.db'));
    for (let i = 0; i < COUNT; i++) {
      const id = `wf-copy${String(i).padStart(4, '0')}`;
      ids.push(id);
      // Every length from 1 event to the whole log, so statuses, phases and steps vary.
      await writeClone(sqlite, log, id, 1 + (i % log.events.length), i % 10 === 0);
    }
    await sqlite.close();
    url = await createDatabase(PG_URL!, 'copy');
  }, 120_000);

  afterAll(async () => {
    if (url !== undefined) await dropDatabase(url);
  });

  const SAMPLE = [0, 7, 333, 500, COUNT - 1];

  it(named('copies them with progress every 100 and a summary, and a second copy finds them all there'), async () => {
    const copied = await converge(['store', 'copy', '--from', 'source.db', '--to', url], { cwd: dir });
    expect(copied.exitCode, copied.stderr).toBe(0);
    expect(copied.stderr.trim().split('\n')).toHaveLength(COUNT / 100);
    expect(copied.stderr).toContain(`converge store copy: 500/${COUNT} workflows (500 copied, 0 already there)`);
    expect(copied.stdout).toMatch(new RegExp(`^Copied ${COUNT} of ${COUNT} workflows, \\d+ events, from .*source\\.db to postgres://\\S+ in [\\d.]+ s; 0 were already there\\.$`));

    const again = await converge(['store', 'copy', '--from', 'source.db', '--to', url], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Copied 0 of ${COUNT} workflows, 0 events, .*; ${COUNT} were already there\\.`));
  }, 180_000);

  it(named('gives `converge show --json` the same state as the source for a sample of 5'), async () => {
    for (const id of SAMPLE.map((i) => ids[i]!)) {
      const before = await converge(['--json', '--store', 'source.db', 'show', id], { cwd: dir });
      const after = await converge(['--json', '--store', url, 'show', id], { cwd: dir });
      expect(after.exitCode, after.stderr).toBe(0);
      expect(JSON.parse(after.stdout)).toEqual(JSON.parse(before.stdout));
      expect(JSON.parse(after.stdout)).toMatchObject({ workflow_id: id });
    }
  }, 60_000);

  // Known failure, kept so that the fix shows: PostgreSQL's JSONB re-orders object keys (shortest
  // first), so a rubric's dimensions come back as alignment, compatibility, standardization, and
  // `show` orders its columns by them. Passes once event bodies keep their key order (json or text).
  it(named('prints the same `converge show` text for a sample of 5'), async () => {
    const sqlite = await openStore(join(dir, 'source.db'));
    const postgres = await openStore(url);
    try {
      for (const id of SAMPLE.map((i) => ids[i]!)) {
        expect(showText(await loadState(postgres, id))).toBe(showText(await loadState(sqlite, id)));
      }
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });
});
