/**
 * Bench 3 — recovery. 100 workflows run in a worker process (bench/lib/recovery-worker.mjs) on a
 * SQLite store; once all of them are mid-story the process is killed with SIGKILL and a new one
 * is started. Measured from the moment the new process is spawned (so Node's start-up and module
 * loading count):
 *
 *   picked up      every unfinished workflow's lease is held by the new process
 *   running again  every unfinished workflow has done something new: a new event in its log or a
 *                  new agent call started (an interrupted call is re-issued without a new event)
 *
 * Then every workflow is run to the end and checked:
 *
 *   lost events        events committed before the kill that are missing or changed afterwards,
 *                      plus gaps in the sequence numbers
 *   duplicated actions agent calls started after the restart for actions whose result had been
 *                      recorded before the kill (finished work done again)
 *   diverged logs      final logs whose decision trail differs from an uninterrupted run's
 *
 * Calls that were in flight at the kill (started, result not recorded) are re-run by design;
 * they are counted separately as re-issued calls.
 *
 *   node bench/recovery.mjs [--workflows=100] [--trials=3] [--seed=7]
 *
 * Several trials kill at different points; times are the median trial, counts are totals.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { BENCH_DIR, INSTANT_FIXTURE, args, dist, emit, instantEngine, median, startInstant, tempCopy } from './lib/common.mjs';

const a = args();
const workflows = Number(a.get('workflows') ?? 100);
const seed = Number(a.get('seed') ?? 7);
const trialCount = Number(a.get('trials') ?? 3);
const RESULT_TYPES = new Set(['step_output_recorded', 'validation_recorded', 'step_failed']);
const TERMINAL = new Set(['completed', 'rejected', 'failed', 'cancelled']);

const { openStore, openMemoryStore } = await dist('store/index.js');
const { EventCodec } = await dist('store/event-codec.js');
// Reads stored bodies the way the store does (plain JSON, or deflated with the event dictionary).
const codec = new EventCodec();

function spawnWorker(dir, seed) {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'lib', 'recovery-worker.mjs'), `--dir=${dir}`, `--seed=${seed}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = new Promise((resolve) => {
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += d;
      const line = buffer.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve(JSON.parse(line).ready);
    });
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, ready, exited };
}

/** The decision trail of a log, without ids, times and texts: what an uninterrupted run must also show. */
function trail(events) {
  return events.map((e) => `${e.type}${e.stepId ? `:${e.stepId}` : ''}${e.decision ? `:${e.decision}` : ''}`).join(' ');
}

/** Trace lines from byte `from` on; reads only what was appended since (the bench polls it). */
function readTrace(path, from = 0) {
  if (!existsSync(path)) return { lines: [], size: from };
  const size = statSync(path).size;
  if (size <= from) return { lines: [], size: from };
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  // A line still being written is left for the next read.
  const text = buffer.toString('utf8');
  const end = text.lastIndexOf('\n') + 1;
  return {
    lines: text
      .slice(0, end)
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [actionId, role, index, what] = line.split(' ');
        return { actionId, call: `${actionId} ${role} ${index}`, what, workflowId: actionId.split('.')[0] };
      }),
    size: from + Buffer.byteLength(text.slice(0, end)),
  };
}

// The decision trail of an uninterrupted run of the same story, in memory.
const baselineTrail = await (async () => {
  const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'recovery-baseline');
  const store = await openMemoryStore();
  try {
    const engine = await instantEngine({ store, dir });
    const started = await startInstant(engine, dir);
    await engine.runner.run(started.workflowId);
    return trail(await store.readEvents(started.workflowId));
  } finally {
    await store.close();
    cleanup();
  }
})();

async function trial(seed) {
  const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'recovery');
  try {
    const path = join(dir, 'converge.db');
    const setup = await openStore(path);
    const engine = await instantEngine({ store: setup, dir });
    const ids = [];
    for (let i = 0; i < workflows; i++) ids.push((await startInstant(engine, dir)).workflowId);
    await setup.close();

    // The bench watches the store through its own read-only connection (WAL lets it read while the worker writes).
    const db = new Database(path, { readonly: true });
    const progress = () => new Map(db.prepare('SELECT id, status, last_seq AS seq FROM workflows').all().map((r) => [r.id, r]));
    const leases = () => new Map(db.prepare('SELECT workflow_id AS id, owner FROM leases').all().map((r) => [r.id, r.owner]));

    // 1. Run until every workflow is past its first result, plus a seeded 0–400 ms, then SIGKILL.
    const first = spawnWorker(dir, seed);
    await first.ready;
    for (;;) {
      const p = progress();
      if ([...p.values()].every((w) => w.seq >= 5)) break;
      if (first.child.exitCode !== null) throw new Error(`the worker exited before the kill:\n${(await first.exited).stderr}`);
      await sleep(10);
    }
    await sleep(Math.round((seed * 97) % 400));
    first.child.kill('SIGKILL');
    const killed = await first.exited;

    const atKill = progress();
    const unfinished = ids.filter((id) => !TERMINAL.has(atKill.get(id).status));
    // Rows as stored: type and at in their own columns, the body as JSON text or compressed.
    const readEvents = db.prepare("SELECT seq, type, at, body, type || ' ' || at || ' ' || hex(body) AS stored FROM events WHERE workflow_id = ? ORDER BY seq");
    const eventOf = (row) => ({ type: row.type, at: row.at, ...JSON.parse(codec.text(row.body)) });
    const before = new Map(ids.map((id) => [id, readEvents.all(id)]));
    const finishedActions = new Set();
    for (const rows of before.values()) {
      for (const row of rows) {
        const event = eventOf(row);
        if (RESULT_TYPES.has(event.type)) finishedActions.add(event.actionId);
      }
    }
    const traceBefore = readTrace(join(dir, 'trace.log'));
    const startedBefore = new Set(traceBefore.lines.filter((l) => l.what === 'start').map((l) => l.call));
    const endedBefore = new Set(traceBefore.lines.filter((l) => l.what === 'end').map((l) => l.call));
    const inFlightCalls = [...startedBefore].filter((c) => !endedBefore.has(c)).length;

    // 2. Restart and watch until every unfinished workflow is picked up and running again.
    const t0 = performance.now();
    const second = spawnWorker(dir, seed);
    const pid = second.child.pid;
    const pickedUp = new Map();
    const running = new Map();
    let traceOffset = traceBefore.size;
    const deadline = t0 + 60_000;
    while ((pickedUp.size < unfinished.length || running.size < unfinished.length) && performance.now() < deadline) {
      const now = performance.now() - t0;
      const p = progress();
      const l = leases();
      const fresh = readTrace(join(dir, 'trace.log'), traceOffset);
      traceOffset = fresh.size;
      const calledAgain = new Set(fresh.lines.filter((x) => x.what === 'start').map((x) => x.workflowId));
      for (const id of unfinished) {
        const moved = p.get(id).seq > atKill.get(id).seq;
        if (!pickedUp.has(id) && ((l.get(id) ?? '').split(':')[1] === String(pid) || moved || TERMINAL.has(p.get(id).status))) pickedUp.set(id, now);
        if (!running.has(id) && (moved || calledAgain.has(id))) running.set(id, now);
      }
      await sleep(15);
    }
    const readyMs = await second.ready;
    const finished = await second.exited;

    // 3. Check the final logs against what was committed before the kill and against the baseline.
    let lost = 0;
    let gaps = 0;
    let diverged = 0;
    let incomplete = 0;
    for (const id of ids) {
      const after = readEvents.all(id);
      const bySeq = new Map(after.map((r) => [r.seq, r.stored]));
      for (const row of before.get(id)) if (bySeq.get(row.seq) !== row.stored) lost++;
      after.forEach((row, i) => {
        if (row.seq !== i + 1) gaps++;
      });
      if (trail(after.map(eventOf)) !== baselineTrail) diverged++;
      if (progress().get(id).status !== 'completed') incomplete++;
    }
    const traceAfter = readTrace(join(dir, 'trace.log'), traceBefore.size).lines;
    const duplicated = traceAfter.filter((l) => l.what === 'start' && finishedActions.has(l.actionId)).length;
    const reissued = traceAfter.filter((l) => l.what === 'start' && startedBefore.has(l.call)).length;
    db.close();

    return {
      seed,
      killSignal: killed.signal,
      unfinishedAtKill: unfinished.length,
      eventsBeforeKill: [...before.values()].reduce((n, rows) => n + rows.length, 0),
      inFlightCallsAtKill: inFlightCalls,
      workerReadyMs: readyMs,
      allPickedUpMs: pickedUp.size === unfinished.length ? Math.max(...pickedUp.values()) : null,
      allRunningMs: running.size === unfinished.length ? Math.max(...running.values()) : null,
      runningCount: running.size,
      lostEvents: lost,
      seqGaps: gaps,
      duplicatedActions: duplicated,
      reissuedCalls: reissued,
      divergedLogs: diverged,
      incomplete,
      secondExit: finished.code,
      secondStderr: finished.stderr.slice(-500),
    };
  } finally {
    cleanup();
}
}

// Several kills at different points (each trial its own seed: different delays and kill moment);
// times are reported as the median trial, counts as totals over all trials.
const trials = [];
for (let i = 0; i < trialCount; i++) trials.push(await trial(seed + i));
const mid = (pick) => median(trials.map(pick));
const total = (pick) => trials.reduce((n, t) => n + pick(t), 0);
emit({
  bench: 'recovery',
  workflows,
  trials: trials.length,
  unfinishedAtKill: Math.min(...trials.map((t) => t.unfinishedAtKill)),
  inFlightCallsAtKill: mid((t) => t.inFlightCallsAtKill),
  workerReadyMs: mid((t) => t.workerReadyMs),
  allPickedUpMs: trials.every((t) => t.allPickedUpMs !== null) ? mid((t) => t.allPickedUpMs) : null,
  allRunningMs: trials.every((t) => t.allRunningMs !== null) ? mid((t) => t.allRunningMs) : null,
  afterReadyMs: trials.every((t) => t.allRunningMs !== null) ? mid((t) => t.allRunningMs - t.workerReadyMs) : null,
  worstRunningMs: trials.every((t) => t.allRunningMs !== null) ? Math.max(...trials.map((t) => t.allRunningMs)) : null,
  runningCount: Math.min(...trials.map((t) => t.runningCount)),
  lostEvents: total((t) => t.lostEvents),
  seqGaps: total((t) => t.seqGaps),
  duplicatedActions: total((t) => t.duplicatedActions),
  reissuedCalls: total((t) => t.reissuedCalls),
  divergedLogs: total((t) => t.divergedLogs),
  incomplete: total((t) => t.incomplete),
  perTrial: trials,
});
