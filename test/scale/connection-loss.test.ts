/**
 * A worker whose PostgreSQL server restarts in the middle of a run: work pauses with one clear
 * line, resumes with another once the server is back, and every workflow completes with no event
 * lost or duplicated. Uses a private server on its own port (the shared one stays untouched).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { ROOT, copyFixture } from '../e2e/helpers/cli.js';
import { PG_URL, allLogProblems, assertCliWired, countCompleted, killWorkers, named, noticeSkip, spawnWorker, startWorkflows, waitUntil } from './scale-helpers.js';
import type { WorkerProcess } from './scale-helpers.js';

noticeSkip('connection-loss.test.ts');

const WORKFLOWS = 24;
const SCRIPT = join(ROOT, 'scripts', 'pg-test-server.sh');
const PORT = String(56_000 + (process.pid % 1000));
const DIR = join(tmpdir(), `converge-pg-scale-${PORT}`);
const ENV = { ...process.env, CONVERGE_TEST_PG_PORT: PORT, CONVERGE_TEST_PG_DIR: DIR };

function server(command: 'start' | 'stop'): string {
  return execFileSync(SCRIPT, [command], { env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Stops the private server but keeps its data (the script's `stop` deletes it). */
function stopKeepingData(): void {
  const bin = process.env.PG_BIN ?? `/usr/lib/postgresql/${readdirSync('/usr/lib/postgresql').sort().at(-1)}/bin`;
  const command = [`${bin}/pg_ctl`, '-D', join(DIR, 'data'), '-m', 'fast', '-w', 'stop'];
  if (process.getuid?.() === 0) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', command.join(' ')], { stdio: 'ignore' });
  else execFileSync(command[0]!, command.slice(1), { stdio: 'ignore' });
}

/** The private server needs PostgreSQL's programs on this machine, not only a reachable server. */
const LOCAL_POSTGRES = process.env.PG_BIN !== undefined || existsSync('/usr/lib/postgresql');
if (PG_URL !== undefined && !LOCAL_POSTGRES) console.warn('connection-loss.test.ts: skipped: no PostgreSQL programs in /usr/lib/postgresql (set PG_BIN)');

describe.skipIf(PG_URL === undefined || !LOCAL_POSTGRES)('converge worker › the PostgreSQL server restarts during a run', () => {
  let url: string;
  let dir: string;
  let store: Store;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    assertCliWired();
    url = /CONVERGE_TEST_PG_URL=(\S+)/.exec(server('start'))![1]!;
    dir = copyFixture('scale');
    store = await openPostgresStore(url);
    await startWorkflows(store, dir, WORKFLOWS);
  }, 120_000);

  afterAll(async () => {
    await killWorkers(workers);
    await store?.close();
    server('stop');
  });

  /** Counting while the server is down fails; that only means "not yet". */
  const completed = () => countCompleted(store).catch(() => -1);

  it(named('pauses with a clear line, resumes when the server is back, and completes every workflow exactly once'), async () => {
    const worker = spawnWorker(dir, url);
    workers.push(worker);
    await waitUntil('the first workflow completed', async () => (await completed()) >= 1, 90_000, 100);

    const beforeStop = await completed();
    stopKeepingData();
    expect(beforeStop, 'the outage must hit while work is in progress').toBeLessThan(WORKFLOWS);
    await sleep(3000);
    server('start');

    await waitUntil(`all ${WORKFLOWS} workflows completed`, async () => (await completed()) === WORKFLOWS, 120_000, 500);
    expect(worker.stderr()).toMatch(/lost the store at postgres:\/\/\S+ \(.+\); pausing: nothing recorded is lost/);
    expect(worker.stderr()).toMatch(/the store at postgres:\/\/\S+ is back after [\d.]+ s; resuming/);
    const ids = (await store.listWorkflows({ limit: 1000 })).map((w) => w.id);
    expect(await allLogProblems(store, ids)).toEqual([]);

    worker.child.kill('SIGTERM');
    const exit = await worker.child;
    expect(exit.exitCode, worker.stderr()).toBe(0);
  }, 240_000);
});
