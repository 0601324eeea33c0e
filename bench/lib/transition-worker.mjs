/**
 * One measured batch of the transition-overhead bench, in its own process so each system starts
 * from a cold heap and nothing of one (JIT state, caches, open files) helps or hurts the other.
 *
 *   node bench/lib/transition-worker.mjs --system=converge-sqlite|converge-pg|langgraph-sqlite|sqlite-commit
 *        --workflows=1000 [--warmup=30] [--pg-url=postgres://…] [--schema=bench_1] [--profile] [--whole-prompts]
 *
 * Runs the workflows one after another (latency, not parallelism, is what is compared) and
 * prints one JSON line: per-transition samples summarised, per-workflow means of time and CPU,
 * wall time, and bytes stored. `sqlite-commit` times the physical floor instead: one small row
 * committed on its own in a WAL database with synchronous=NORMAL, as both systems use.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  CONVERGE_TRANSITIONS,
  DIST,
  INSTANT_FIXTURE,
  args,
  dist,
  emit,
  instantEngine,
  median,
  percentile,
  startInstant,
  sum,
  tempCopy,
  transitionMarks,
} from './common.mjs';
import { profiled } from './profile.mjs';

const a = args();
const system = a.get('system');
const workflows = Number(a.get('workflows') ?? 1000);
const warmup = Number(a.get('warmup') ?? 30);
/** With --profile, a CPU profile of the measured loop is summarised into where the time went. */
const profile = a.has('profile');
/**
 * With --whole-prompts, Converge renders every prompt whole instead of reusing the rendered
 * handbook and workflow inputs: run it beside a plain run to see what that reuse saves.
 */
const wholePrompts = a.has('whole-prompts');

/** On-disk bytes of every table and index (dbstat pages), after folding the WAL into the file. */
function sqliteBytes(path, tables) {
  const db = new Database(path);
  // Tables a store version does not have yet count as empty.
  const present = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((r) => r.name));
  tables = tables.filter(([table]) => present.has(table));
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all();
    const pages = sum(rows.filter((r) => r.name !== 'sqlite_schema').map((r) => r.bytes));
    const payload = sum(tables.map(([table, expr]) => db.prepare(`SELECT COALESCE(SUM(${expr}), 0) AS n FROM ${table}`).get().n));
    const wal = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
    return { pages, payload, file: statSync(path).size + wal, perTable: Object.fromEntries(rows.map((r) => [r.name, r.bytes])) };
  } finally {
    db.close();
  }
}

// What Converge stores per workflow: the log, the index row, snapshots, leases, attempt counters.
const CONVERGE_PAYLOAD = [
  ['events', 'length(body) + length(workflow_id) + length(type) + length(at) + 8'],
  ['workflows', 'length(id) + length(name) + length(definition_id) + length(status) + length(phase) + length(requirements) + length(created_at) + length(updated_at) + IFNULL(length(waiting_for), 0) + 16'],
  ['snapshots', 'length(state) + length(workflow_id) + 8'],
  ['leases', 'length(workflow_id) + length(owner) + length(expires_at)'],
  ['action_attempts', 'length(workflow_id) + length(action_id) + 8'],
  ['definitions', 'length(hash) + length(body)'],
  ['step_traces', 'length(body) + length(workflow_id) + length(action_id) + length(started_at) + 8'],
];
// What LangGraph's SqliteSaver stores: one checkpoint (+ metadata) per superstep and the pending writes.
const LANGGRAPH_PAYLOAD = [
  ['checkpoints', 'length(checkpoint) + length(metadata) + length(thread_id) + length(checkpoint_ns) + length(checkpoint_id) + IFNULL(length(parent_checkpoint_id), 0) + IFNULL(length(type), 0)'],
  ['writes', 'IFNULL(length(value), 0) + length(thread_id) + length(checkpoint_ns) + length(checkpoint_id) + length(task_id) + length(channel) + IFNULL(length(type), 0) + 8'],
];

/** Below this a transition was recorded in the same append as the one before it (a gate decided ahead). */
const ZERO_MS = 0.001;

function summarise(samples, wallMs, count, transitions, cpu, perWorkflow) {
  const nonZero = samples.filter((s) => s >= ZERO_MS);
  return {
    // CPU of this process per transition: steadier than wall time on a shared machine (it does
    // not count waiting for a core), though it leaves out the PostgreSQL server's own work.
    cpuMsPerTransition: (cpu.user + cpu.system) / 1000 / transitions,
    workflows: count,
    transitions,
    medianMs: median(samples),
    p99Ms: percentile(samples, 99),
    meanMs: sum(samples) / samples.length,
    // The median over the transitions that took time: the gates decided ahead are appended with
    // the step before them, so they measure 0 ms and would pull a plain median down.
    nonZeroMedianMs: median(nonZero),
    zeroShare: (samples.length - nonZero.length) / samples.length,
    // Each workflow's mean time and CPU per transition, then the median and mean over workflows.
    perWorkflow: {
      medianMs: median(perWorkflow.map((w) => w.ms)),
      meanMs: sum(perWorkflow.map((w) => w.ms)) / perWorkflow.length,
      medianCpuMs: median(perWorkflow.map((w) => w.cpuMs)),
      meanCpuMs: sum(perWorkflow.map((w) => w.cpuMs)) / perWorkflow.length,
    },
    wallMs,
    perSecond: transitions / (wallMs / 1000),
  };
}

/** Runs one workflow and notes its mean time and CPU per transition. */
async function measured(runOne, samples, perWorkflow) {
  const c0 = process.cpuUsage();
  const own = await runOne();
  const c = process.cpuUsage(c0);
  samples.push(...own);
  perWorkflow.push({ ms: sum(own) / own.length, cpuMs: (c.user + c.system) / 1000 / own.length });
}

async function convergeRun(openStore, storeUrl, dir, onStore) {
  // Timestamps of the appends of the workflow being run; the runner calls onEvents after each.
  let batches = [];
  const store = await openStore(storeUrl);
  const engine = await instantEngine({
    store,
    dir,
    onEvents: (_state, events) => batches.push({ t: performance.now(), types: events.map((e) => e.type) }),
  });
  if (wholePrompts) {
    const { createTemplateRenderer } = await dist('templates/template-renderer.js');
    engine.executor.templates = createTemplateRenderer({ reusePrefixes: false });
  }
  const samples = [];
  const runOne = async () => {
    batches = [];
    const t0 = performance.now();
    const started = await startInstant(engine, dir);
    const outcome = await engine.runner.run(started.workflowId);
    if (outcome.status !== 'completed') throw new Error(`workflow ${started.workflowId} ended ${outcome.status}`);
    const marks = transitionMarks(batches);
    if (marks.length !== CONVERGE_TRANSITIONS) throw new Error(`expected ${CONVERGE_TRANSITIONS} transitions, saw ${marks.length}`);
    return [t0, ...marks].slice(1).map((t, i) => t - (i === 0 ? t0 : marks[i - 1]));
  };
  for (let i = 0; i < warmup; i++) await runOne();
  const warmed = (await store.listWorkflows()).length;
  const perWorkflow = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { breakdown, topFunctions } = await profiled(profile, async () => {
    for (let i = 0; i < workflows; i++) await measured(runOne, samples, perWorkflow);
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const extra = { ...(await onStore?.(store, warmed)), ...(breakdown ? { breakdown, topFunctions } : {}) };
  await store.close();
  return { ...summarise(samples, wallMs, workflows, workflows * CONVERGE_TRANSITIONS, cpu, perWorkflow), warmedWorkflows: warmed, ...extra };
}

async function convergeSqlite() {
  const { openStore } = await dist('store/index.js');
  const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'transitions');
  try {
    const path = join(dir, 'converge.db');
    const result = await convergeRun(openStore, path, dir);
    const bytes = sqliteBytes(path, CONVERGE_PAYLOAD);
    const probe = new Database(path);
    const pragmas = { journalMode: probe.pragma('journal_mode', { simple: true }) };
    const events = probe.prepare('SELECT COUNT(*) AS n FROM events').get().n;
    // Each distinct workflow definition is stored once and named by hash from the logs' first events.
    const definitionShare = probe.prepare('SELECT (SELECT SUM(length(body)) FROM definitions) * 1.0 / ((SELECT SUM(length(body)) FROM definitions) + (SELECT SUM(length(body)) FROM events)) AS s').get().s;
    probe.close();
    // The store sets synchronous per connection; read it back from a store-opened connection.
    const all = result.workflows + result.warmedWorkflows;
    return {
      ...result,
      synchronous: storeSynchronous(),
      ...pragmas,
      eventsPerTransition: events / (all * CONVERGE_TRANSITIONS),
      definitionShare,
      bytes: scaleBytes(bytes, all * CONVERGE_TRANSITIONS),
    };
  } finally {
    cleanup();
  }
}

/**
 * The synchronous mode Converge's store runs with. The pragma is per connection and the store's
 * connection is private, so it is read from the built store's source, where `open` sets it.
 */
function storeSynchronous() {
  const source = readFileSync(join(DIST, 'store', 'sqlite', 'sqlite-store.js'), 'utf8');
  return /pragma\(['"]synchronous\s*=\s*(\w+)['"]\)/.exec(source)?.[1]?.toUpperCase() ?? 'unknown';
}

function scaleBytes(bytes, transitions) {
  // Converge's step traces (each agent call's prompt and answer, kept beside the log) have no
  // counterpart in the graph, which renders no prompt; the report shows their share.
  const traces = Object.entries(bytes.perTable).filter(([name]) => name.includes('step_traces')).reduce((n, [, b]) => n + b, 0);
  return {
    perTransitionDisk: bytes.pages / transitions,
    tracesPerTransitionDisk: traces / transitions,
    perTransitionPayload: bytes.payload / transitions,
    perTransitionFile: bytes.file / transitions,
    totalDisk: bytes.pages,
    perTable: bytes.perTable,
  };
}

async function convergePg() {
  const pgUrl = a.get('pg-url');
  const schema = a.get('schema') ?? 'bench';
  const { openPostgresStore } = await dist('store/index.js');
  const pg = (await import('pg')).default;
  const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'transitions-pg');
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const settings = {};
    for (const name of ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'server_version']) {
      settings[name] = (await admin.query(`SHOW ${name}`)).rows[0][name];
    }
    // synchronous_commit as the store's sessions see it (a URL `options` parameter may set it).
    const probe = new pg.Client({ connectionString: pgUrl });
    await probe.connect();
    settings.synchronous_commit = (await probe.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
    await probe.end();
    const result = await convergeRun((url) => openPostgresStore(url, { schema }), pgUrl, dir, async (_store, warmed) => {
      const sizes = await admin.query(
        `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      const events = (await admin.query(`SELECT COUNT(*)::int AS n, COALESCE(SUM(octet_length(body::text)), 0)::bigint AS b FROM ${schema}.events`)).rows[0];
      return { warmed, pgSizes: sizes.rows, pgEvents: events };
    });
    const all = result.workflows + result.warmedWorkflows;
    const disk = sum(result.pgSizes.map((r) => Number(r.bytes)));
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    return {
      ...result,
      settings,
      eventsPerTransition: result.pgEvents.n / (all * CONVERGE_TRANSITIONS),
      bytes: {
        perTransitionDisk: disk / (all * CONVERGE_TRANSITIONS),
        perTransitionPayload: Number(result.pgEvents.b) / (all * CONVERGE_TRANSITIONS),
        totalDisk: disk,
        perTable: Object.fromEntries(result.pgSizes.map((r) => [r.name, Number(r.bytes)])),
      },
    };
  } finally {
    await admin.end();
    cleanup();
  }
}

async function langgraphSqlite() {
  const { buildGraph, loadScript, openSaver, LANGGRAPH_TRANSITIONS } = await import('./langgraph-graph.mjs');
  const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'langgraph');
  try {
    const path = join(dir, 'langgraph.db');
    let marks = [];
    // A transition is durable when the checkpoint of its superstep is written (durability "sync"
    // awaits it before the next step). Step 0 is the input superstep, so nodes are steps ≥ 1.
    const { saver, db, synchronous, journalMode } = openSaver(path, (metadata) => {
      if (metadata.step >= 1) marks.push(performance.now());
    });
    const graph = buildGraph(loadScript(INSTANT_FIXTURE)).compile({ checkpointer: saver });
    let thread = 0;
    const runOne = async () => {
      marks = [];
      const t0 = performance.now();
      const out = await graph.invoke({ requirements: 'Write the value file' }, { configurable: { thread_id: `wf-${thread++}` }, durability: 'sync' });
      if (out.status !== 'completed') throw new Error(`graph ended ${out.status}`);
      if (marks.length !== LANGGRAPH_TRANSITIONS) throw new Error(`expected ${LANGGRAPH_TRANSITIONS} checkpoints after nodes, saw ${marks.length}`);
      return marks.map((t, i) => t - (i === 0 ? t0 : marks[i - 1]));
    };
    for (let i = 0; i < warmup; i++) await runOne();
    const samples = [];
    const perWorkflow = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < workflows; i++) await measured(runOne, samples, perWorkflow);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const checkpoints = db.prepare('SELECT COUNT(*) AS n FROM checkpoints').get().n;
    db.close();
    const all = workflows + warmup;
    const bytes = sqliteBytes(path, LANGGRAPH_PAYLOAD);
    return {
      ...summarise(samples, wallMs, workflows, workflows * LANGGRAPH_TRANSITIONS, cpu, perWorkflow),
      warmedWorkflows: warmup,
      synchronous: synchronous === 1 ? 'NORMAL' : synchronous === 2 ? 'FULL' : String(synchronous),
      journalMode,
      checkpointsPerTransition: checkpoints / (all * LANGGRAPH_TRANSITIONS),
      bytes: scaleBytes(bytes, all * LANGGRAPH_TRANSITIONS),
    };
  } finally {
    cleanup();
  }
}

/**
 * The physical floor of a durable transition: one INSERT of an event-sized row, committed on its
 * own, in a WAL file with synchronous=NORMAL (what both systems run with), through better-sqlite3.
 */
async function sqliteCommit() {
  const dir = mkdtempSync(join(tmpdir(), 'converge-bench-commit-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const db = new Database(join(dir, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE events (workflow_id TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (workflow_id, seq))');
    const insert = db.prepare('INSERT INTO events (workflow_id, seq, body) VALUES (?, ?, ?)');
    // About the size of one of Converge's stored events.
    const body = Buffer.alloc(200, 7);
    const commits = workflows * CONVERGE_TRANSITIONS;
    let seq = 0;
    const commitOne = () => insert.run('wf-floor', seq++, body);
    for (let i = 0; i < warmup * CONVERGE_TRANSITIONS; i++) commitOne();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < commits; i++) commitOne();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { commits, usPerCommit: (wallMs * 1000) / commits, cpuUsPerCommit: (cpu.user + cpu.system) / commits, journalMode: db.pragma('journal_mode', { simple: true }), synchronous: 'NORMAL' };
  } finally {
    db.close();
    cleanup();
  }
}

const run = { 'converge-sqlite': convergeSqlite, 'converge-pg': convergePg, 'langgraph-sqlite': langgraphSqlite, 'sqlite-commit': sqliteCommit }[system];
if (run === undefined) {
  console.error(`unknown --system=${system}`);
  process.exit(2);
}
const result = await run();
emit({ bench: 'transition', system, ...result, rssMb: process.memoryUsage().rss / 2 ** 20 });
