/**
 * Cost with log length (issue 19, part 2): one workflow's log on SQLite grown to 100, 1,000 and
 * 10,000 events by plan revision rounds, and at each length the CPU of a transition (the runner's
 * fold, decide and append, snapshots included), the CPU of loading the state (what resume,
 * `status` and `show` do), of a full replay, and what the snapshots cost.
 *
 *   node --expose-gc bench/log-length.mjs [--lengths=100,1000,10000] [--window=50] [--rounds=5] [--loads=7] [--keep-db=FILE]
 *
 * The rounds are the events of a real instant run (the plan loop's revise and validate steps:
 * output, validation, the step scheduled next), renumbered and with each round's text made unique,
 * appended through engine/workflow-log's appendEvents as the runner appends them.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { INSTANT_FIXTURE, args, dist, emit, fmt, instantEngine, machine, markdownTable, median, startInstant, sum, tempCopy } from './lib/common.mjs';

const a = args();
const lengths = (a.get('lengths') ?? (a.quick ? '100,1000,3000' : '100,1000,10000')).split(',').map(Number);
const window = Number(a.get('window') ?? 50);
const rounds = Number(a.get('rounds') ?? 5);
const loads = Number(a.get('loads') ?? 7);

const { openStore } = await dist('store/index.js');
const { appendEvents, foldOnto, loadState } = await dist('engine/workflow-log.js');
const { reduce } = await dist('core/apply.js');
const { decide } = await dist('core/decide.js');

/** Collects what earlier steps left, so a timed step does not pay for another's garbage. */
function settle() {
  globalThis.gc?.();
}

function cpuMs(fn) {
  settle();
  const c0 = process.cpuUsage();
  const out = fn();
  const c = process.cpuUsage(c0);
  return { out, ms: (c.user + c.system) / 1000 };
}

async function cpuMsAsync(fn) {
  settle();
  const c0 = process.cpuUsage();
  const out = await fn();
  const c = process.cpuUsage(c0);
  return { out, ms: (c.user + c.system) / 1000 };
}

/** The plan loop's events of one instant run: the templates of a revision round. */
async function roundTemplates(dir) {
  const store = await openStore(join(dir, 'templates.db'));
  const engine = await instantEngine({ store, dir });
  const started = await startInstant(engine, dir);
  await engine.runner.run(started.workflowId);
  const events = await store.readEvents(started.workflowId);
  await store.close();
  const byStep = (type, stepId) => {
    const scheduled = events.find((e) => e.type === 'step_scheduled' && e.stepId === stepId);
    return type === 'step_scheduled' ? scheduled : events.find((e) => e.type === type && e.actionId === scheduled.actionId);
  };
  const strip = ({ seq: _seq, ...e }) => e;
  return {
    scheduleRevise: strip(byStep('step_scheduled', 'revise_plan')),
    output: strip(byStep('step_output_recorded', 'revise_plan')),
    scheduleValidate: strip(byStep('step_scheduled', 'validate_plan')),
    validation: strip(byStep('validation_recorded', 'validate_plan')),
  };
}

/** The two transitions of revision round `r`: the plan's new version, then its validation. */
function roundBatches(t, workflowId, r, at) {
  const revise = `${workflowId}.r${r}`;
  const validate = `${workflowId}.v${r}`;
  const next = `${workflowId}.r${r + 1}`;
  return [
    [
      { ...t.output, at, actionId: revise, output: { ...t.output.output, content: `Round ${r}.\n${t.output.output.content}` } },
      { ...t.scheduleValidate, at, actionId: validate },
    ],
    [
      {
        ...t.validation,
        at,
        actionId: validate,
        report: { ...t.validation.report, issues: t.validation.report.issues.map((i) => ({ ...i, message: `Round ${r}: ${i.message}` })) },
      },
      { ...t.scheduleRevise, at, actionId: next },
    ],
  ];
}

async function main() {
  const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'log-length');
  try {
    const t = await roundTemplates(dir);
    const path = join(dir, 'log.db');
    const store = await openStore(path);
    const engine = await instantEngine({ store, dir });
    // Snapshot writes, timed where the engine calls them.
    // Snapshot writes, timed where the engine calls them, and the state they copied counted in
    // events (a snapshot at seq s copies a state built from s events).
    const snapshots = { calls: 0, ms: 0, copiedEvents: new Map() };
    const save = store.saveSnapshot.bind(store);
    store.saveSnapshot = async (workflowId, snapshot) => {
      const c0 = process.cpuUsage();
      await save(workflowId, snapshot);
      const c = process.cpuUsage(c0);
      snapshots.calls += 1;
      snapshots.ms += (c.user + c.system) / 1000;
      snapshots.copiedEvents.set(workflowId, (snapshots.copiedEvents.get(workflowId) ?? 0) + snapshot.seq);
    };
    const { snapshotPoint } = await dist('engine/workflow-log.js');
    // Events between the snapshot points around `seq` (a build before them snapshotted every 50).
    const snapshotGap = (seq) => {
      if (snapshotPoint === undefined) return 50;
      let from = seq;
      while (from > 0 && snapshotPoint(from - 1) === snapshotPoint(seq)) from--;
      let to = seq + 1;
      while (snapshotPoint(to) === snapshotPoint(seq)) to++;
      return to - from;
    };
    const grow = async (id0, state0) => {
      let state = state0;
      let round = 1;
      let pending = [];
      let at = Date.parse('2026-12-01T00:00:00.000Z');
      state = await appendEvents(store, state, [{ ...t.scheduleRevise, at: new Date(at).toISOString(), actionId: `${id0}.r1` }]);
      return {
        get state() {
          return state;
        },
        async transition() {
          if (pending.length === 0) pending = roundBatches(t, id0, round++, new Date((at += 1000)).toISOString());
          const batch = pending.shift();
          // As the runner does: fold to decide ahead, then append with the folded state.
          const folded = foldOnto(state, batch);
          try {
            decide(folded.definition, folded);
          } catch {
            /* a decision past the loop's rounds is not what is measured */
          }
          state = await appendEvents(store, state, batch, folded);
        },
      };
    };
    // Warm-up on a throw-away workflow, so the first length is not measured on a cold JIT.
    const warm = await grow('warm', await startInstant(engine, dir));
    while (warm.state.seq < 600) await warm.transition();
    const grownTo = async (length) => {
      const log = await grow(`log${length}`, await startInstant(engine, dir));
      while (log.state.seq < length) await log.transition();
      return log;
    };
    // One log per length, grown first. The transitions are then timed in rounds that take each
    // length in turn, so a busy spell on the shared machine falls on every length alike; the
    // shorter lengths start each round from a log fresh at that length.
    const logs = new Map();
    for (const length of lengths) logs.set(length, await grownTo(length));
    const samples = new Map(lengths.map((length) => [length, []]));
    const windowOf = async (log) => {
      const seq = log.state.seq;
      const before = { ...snapshots };
      settle();
      const c0 = process.cpuUsage();
      for (let i = 0; i < window; i++) await log.transition();
      const c = process.cpuUsage(c0);
      return { appendMs: ((c.user + c.system) / 1000 - (snapshots.ms - before.ms)) / window, eventsPerTransition: (log.state.seq - seq) / window, snapshots: snapshots.calls - before.calls };
    };
    for (let round = 0; round < rounds; round++) {
      for (const length of lengths) {
        if (round > 0 && length !== lengths.at(-1)) logs.set(length, await grownTo(length));
        samples.get(length).push(await windowOf(logs.get(length)));
      }
      process.stderr.write(`log-length: round ${round + 1}/${rounds} timed\n`);
    }
    const rows = [];
    for (const length of lengths) {
      const log = logs.get(length);
      const id = log.state.workflowId;
      const seq = log.state.seq;
      // Load at this length: what resume, status and show do, and where its time goes.
      const loadMs = [];
      const parts = { snapshotMs: [], eventsMs: [], foldMs: [] };
      for (let i = 0; i < loads; i++) {
        loadMs.push((await cpuMsAsync(() => loadState(store, id))).ms);
        const snap = await cpuMsAsync(() => store.loadSnapshot(id));
        const after = await cpuMsAsync(() => store.readEvents(id, snap.out?.seq ?? 0));
        const fold = cpuMs(() => reduce(id, after.out, snap.out?.state));
        parts.snapshotMs.push(snap.ms);
        parts.eventsMs.push(after.ms);
        parts.foldMs.push(fold.ms);
        parts.eventsAfter = after.out.length;
      }
      const loaded = await loadState(store, id);
      const events = await store.readEvents(id);
      const replayMs = [];
      let replayed;
      for (let i = 0; i < 3; i++) {
        const replay = cpuMs(() => reduce(id, events));
        replayMs.push(replay.ms);
        replayed = replay.out;
      }
      if (JSON.stringify(replayed) !== JSON.stringify(loaded)) throw new Error(`at ${seq} events the loaded state differs from a full replay`);
      // One snapshot write at this length (the same seq again: an upsert), and how often one falls.
      const writeMs = [];
      for (let i = 0; i < 7; i++) writeMs.push((await cpuMsAsync(() => save(id, { seq: loaded.seq, state: loaded }))).ms);
      const probe = new Database(path, { readonly: true });
      const snapshotBytes = probe.prepare('SELECT COALESCE(SUM(length(state)), 0) AS n FROM snapshots WHERE workflow_id = ?').get(id).n;
      probe.close();
      const timed = samples.get(length);
      const eventsPerTransition = median(timed.map((w) => w.eventsPerTransition));
      const appendMs = median(timed.map((w) => w.appendMs));
      const gap = snapshotGap(length);
      const snapshotWriteMs = median(writeMs);
      const amortizedSnapshotMs = (snapshotWriteMs * eventsPerTransition) / gap;
      rows.push({
        length,
        loadedAt: seq,
        window,
        rounds,
        eventsPerTransition,
        appendMs,
        appendSamples: timed.map((w) => w.appendMs),
        snapshotWriteMs,
        snapshotEvery: gap,
        amortizedSnapshotMs,
        cpuMsPerTransition: appendMs + amortizedSnapshotMs,
        // Events' worth of state every snapshot so far copied, per event of the log: bounded when
        // snapshots are taken by size, growing with the log when they fall every 50 events.
        copiedPerEvent: (snapshots.copiedEvents.get(id) ?? 0) / seq,
        loadMs: median(loadMs),
        loadParts: { snapshotMs: median(parts.snapshotMs), eventsMs: median(parts.eventsMs), foldMs: median(parts.foldMs), eventsAfterSnapshot: parts.eventsAfter },
        replayMs: median(replayMs),
        stateBytes: JSON.stringify(loaded).length,
        snapshotBytes,
      });
      process.stderr.write(`log-length: ${seq} events measured\n`);
    }
    await store.close();
    // --keep-db=FILE keeps the grown store, to profile a load by hand.
    if (a.get('keep-db') !== undefined) copyFileSync(path, a.get('keep-db'));
    return rows;
  } finally {
    cleanup();
  }
}

const rows = await main();
console.log(
  markdownTable(
    ['events', 'CPU / transition', 'of which append', 'snapshot write (every)', 'snapshot amortized', 'load (CPU)', 'load: snapshot + events + fold', 'full replay (CPU)', 'state JSON', 'snapshot'],
    rows.map((r) => [
      r.length.toLocaleString('en-US'),
      `${fmt(r.cpuMsPerTransition, 3)} ms`,
      `${fmt(r.appendMs, 3)} ms`,
      `${fmt(r.snapshotWriteMs, 1)} ms (${r.snapshotEvery} events)`,
      `${fmt(r.amortizedSnapshotMs, 3)} ms`,
      `${fmt(r.loadMs, 2)} ms`,
      `${fmt(r.loadParts.snapshotMs, 1)} + ${fmt(r.loadParts.eventsMs, 1)} + ${fmt(r.loadParts.foldMs, 1)} ms (${r.loadParts.eventsAfterSnapshot} events)`,
      `${fmt(r.replayMs, 1)} ms`,
      `${fmt(r.stateBytes / 1024, 0)} KB`,
      `${fmt(r.snapshotBytes / 1024, 0)} KB`,
    ]),
  ),
);
emit({ bench: 'log-length', window, rounds, loads, rows, machine: machine() });
