/**
 * What the scale tests share: a fresh database per test on the PostgreSQL named by
 * CONVERGE_TEST_PG_URL, workflows started in-process from the scale fixture, worker processes of
 * the built CLI, and checks over the resulting logs.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ResultPromise } from 'execa';
import type { WorkflowEvent } from '../../src/core/events.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { loadProjectConfig } from '../../src/workflows/loader.js';
import { ROOT, spawnConverge } from '../e2e/helpers/cli.js';

export const PG_URL = process.env.CONVERGE_TEST_PG_URL || undefined;
export const SKIP_REASON = 'CONVERGE_TEST_PG_URL is not set; start a server with: eval "$(scripts/pg-test-server.sh start)"';
/** The test name, with the reason appended when it is skipped. */
export const named = (name: string): string => (PG_URL === undefined ? `${name} (skipped: ${SKIP_REASON})` : name);
/** Says once per file that its PostgreSQL tests are skipped, and why. */
export function noticeSkip(file: string): void {
  if (PG_URL === undefined) console.warn(`${file}: PostgreSQL tests skipped: ${SKIP_REASON}`);
}

export const RESULT_TYPES = new Set(['step_output_recorded', 'validation_recorded', 'step_failed']);

/** `base` with another database: postgres://user@host:port/<database>. */
export function withDatabase(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new, empty database on the server of `base`; returns its URL. Dropped by `dropDatabase`. */
export async function createDatabase(base: string, label: string): Promise<string> {
  const name = `cv_scale_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return withDatabase(base, name);
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Starts `count` workflows of the fixture in `dir` (auto-approved, one workspace each); returns their ids. */
export async function startWorkflows(store: Store, dir: string, count: number): Promise<string[]> {
  const { config, baseDir } = loadProjectConfig(dir);
  const engine = createEngine({ store, config, baseDir });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const workspace = join(dir, 'ws', String(i));
    mkdirSync(workspace, { recursive: true });
    cpSync(join(dir, 'project'), workspace, { recursive: true });
    const state = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: `Write the value file (#${i})`,
      workspace: { path: workspace, type: 'shared' },
      autoApprove: true,
    });
    ids.push(state.workflowId);
  }
  return ids;
}

export async function withPostgres<T>(url: string, body: (store: Store) => Promise<T>): Promise<T> {
  const store = await openPostgresStore(url);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

export async function countCompleted(store: Store): Promise<number> {
  return (await store.listWorkflows({ status: ['completed'], limit: 100_000 })).length;
}

/** Polls until `done` returns true; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs: number, everyMs = 300): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Fails at once, with what to do, when the built CLI does not yet route `converge worker` to the
 * distributed worker or lacks `store copy` (both are wired in worker-command.ts and program.ts).
 */
export function assertCliWired(): void {
  const read = (path: string) => (existsSync(join(ROOT, 'dist', path)) ? readFileSync(join(ROOT, 'dist', path), 'utf8') : '');
  const wired = read('interfaces/cli/commands/worker-command.js').includes('runDistributedWorker') && read('interfaces/cli/program.js').includes('registerScaleCommands');
  if (!wired) {
    throw new Error('The built CLI does not run distributed workers: call runDistributedWorker from worker-command.ts, registerScaleCommands from program.ts, then `npm run build`.');
  }
}

/** A `converge worker` process of the built CLI, its stderr collected as it comes. */
export interface WorkerProcess {
  child: ResultPromise;
  stderr(): string;
}

export function spawnWorker(dir: string, url: string, args: string[] = [], env: Record<string, string> = {}): WorkerProcess {
  const child = spawnConverge(['--store', url, 'worker', '--concurrency', '8', ...args], { cwd: dir, env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

/** Ends the worker processes a test started that are still running (by their own handles). */
export async function killWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await Promise.allSettled(workers.map((w) => w.child));
}

export function traceLines(dir: string): string[] {
  const path = join(dir, 'trace.log');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

/** Problems of one workflow's log: sequence gaps or duplicates, and results recorded twice for an action. */
export function logProblems(id: string, events: WorkflowEvent[]): string[] {
  const problems: string[] = [];
  const seqs = events.map((e) => e.seq);
  if (seqs.some((seq, i) => seq !== i + 1)) problems.push(`${id}: sequence is not 1…${seqs.length}: ${seqs.join(',')}`);
  const results = events.filter((e) => RESULT_TYPES.has(e.type)).map((e) => (e as { actionId: string }).actionId);
  const twice = results.filter((a, i) => results.indexOf(a) !== i);
  if (twice.length > 0) problems.push(`${id}: results recorded twice for ${twice.join(', ')}`);
  return problems;
}

/** Action ids with a recorded result, over all the given workflows. */
export async function finishedActions(store: Store, ids: string[]): Promise<Set<string>> {
  const finished = new Set<string>();
  for (const id of ids) {
    for (const e of await store.readEvents(id)) if (RESULT_TYPES.has(e.type)) finished.add((e as { actionId: string }).actionId);
  }
  return finished;
}

/** Every problem `logProblems` finds in the given workflows. */
export async function allLogProblems(store: Store, ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const id of ids) found.push(...logProblems(id, await store.readEvents(id)));
  return found;
}
