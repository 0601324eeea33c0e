/**
 * Several `converge worker` processes on one PostgreSQL store: they share 100 workflows through
 * the work queue; one dies with SIGKILL in the middle, another is stopped with SIGTERM later, and
 * the last one finishes their work without executing any finished action again and without a gap
 * or a duplicate in any log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture } from '../e2e/helpers/cli.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import {
  PG_URL,
  allLogProblems,
  assertCliWired,
  countCompleted,
  createDatabase,
  dropDatabase,
  finishedActions,
  killWorkers,
  named,
  noticeSkip,
  spawnWorker,
  startWorkflows,
  traceLines,
  waitUntil,
} from './scale-helpers.js';
import type { WorkerProcess } from './scale-helpers.js';

noticeSkip('multi-worker.test.ts');

const WORKFLOWS = 100;

describe.skipIf(PG_URL === undefined)('converge worker › three processes on one PostgreSQL store', () => {
  let url: string;
  let dir: string;
  let ids: string[];
  /** The test's own view of the store, as another process would have. */
  let store: Store;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    assertCliWired();
    url = await createDatabase(PG_URL!, 'multi');
    dir = copyFixture('scale');
    store = await openPostgresStore(url);
    ids = await startWorkflows(store, dir, WORKFLOWS);
  }, 120_000);

  afterAll(async () => {
    await killWorkers(workers);
    await store?.close();
    if (url !== undefined) await dropDatabase(url);
  });

  it(named(`complete ${WORKFLOWS} workflows when one is killed with SIGKILL and one stops gracefully, redoing no finished action`), async () => {
    for (let i = 0; i < 3; i++) workers.push(spawnWorker(dir, url));
    const [victim, ...survivors] = workers as [WorkerProcess, ...WorkerProcess[]];

    // Kill once the cluster is well into the work, so the victim holds runs in every stage.
    await waitUntil('20 workflows completed', async () => (await countCompleted(store)) >= 20, 90_000);
    expect(victim.stderr()).toMatch(/distributed queue on postgres:\/\//);
    victim.child.kill('SIGKILL');
    await victim.child;
    // Finished before the trace is measured: any later call of one of these is a re-execution.
    const finishedAtKill = await finishedActions(store, ids);
    const traceAtKill = traceLines(dir).length;
    const completedAtKill = await countCompleted(store);
    expect(completedAtKill).toBeLessThan(WORKFLOWS);

    // A graceful stop in the middle: the worker finishes the calls in flight and hands its runs back.
    const [leaver, finisher] = survivors as [WorkerProcess, WorkerProcess];
    await waitUntil('half the workflows completed', async () => (await countCompleted(store)) >= WORKFLOWS / 2, 120_000);
    leaver.child.kill('SIGTERM');
    const left = await leaver.child;
    expect(left.exitCode, leaver.stderr()).toBe(0);
    expect(leaver.stderr()).toMatch(/stopping: claiming no new workflows; [1-8] run\(s\) \(\d in an agent call\) finish their current step/);
    expect(leaver.stderr()).toMatch(/stopped: drove \d+ run\(s\), handed back [1-8]\n/);

    await waitUntil(`all ${WORKFLOWS} workflows completed`, async () => (await countCompleted(store)) === WORKFLOWS, 120_000, 500);
    finisher.child.kill('SIGTERM');
    expect((await finisher.child).exitCode, finisher.stderr()).toBe(0);
    expect(finisher.stderr()).toMatch(/stopped: drove \d+ run\(s\), handed back 0\n/);

    expect(await allLogProblems(store, ids)).toEqual([]);

    const redone = traceLines(dir)
      .slice(traceAtKill)
      .filter((line) => line.endsWith(' start') && finishedAtKill.has(line.split(' ')[0]!));
    expect(redone, 'finished actions were executed again').toEqual([]);

    // Every workflow made its 5 calls; only calls the victim had in flight may appear twice.
    const starts = traceLines(dir).filter((line) => line.endsWith(' start'));
    const distinct = new Set(starts.map((line) => line.replace(/ start$/, '')));
    expect(distinct.size).toBe(WORKFLOWS * 5);
    expect(starts.length - distinct.size).toBeLessThanOrEqual(8);
  }, 240_000);
});
