/**
 * Bench — how many waiting workflows 3 distributed workers hold on PostgreSQL (issue 19, part 3).
 *
 * A throw-away PostgreSQL cluster (bench/lib/pg-server.mjs) gets `--workflows` workflows of the
 * instant story; then `--workers` worker processes (bench/lib/scale-pg-worker.mjs: the queue
 * worker `converge worker` runs on PostgreSQL, with the pg-boss queue and provider slots shared
 * by all) drive them. The fake provider holds every answer back, so once all are started each
 * workflow is a run waiting in an agent call: 32 in calls (the shared `max_concurrency`), the
 * rest queued for a slot in their worker. Measured: time to start them (in the store), time until
 * the workers hold them all, each worker's RSS and heap per held workflow after full
 * collections, and each worker's CPU and store calls over 20 s of holding (sweeps every 2 s,
 * lease renewals every 10 s).
 *
 *   node bench/scale-pg.mjs [--workflows=10000] [--workers=3] [--limit=32] [--timeout=480]
 *
 * Commits use synchronous_commit=off (as the transition bench's converge-pg row): this measures
 * capacity, not durability. CONVERGE_BENCH_PG_URL uses a server you give instead.
 */
import { fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { BENCH_DIR, INSTANT_FIXTURE, args, dist, emit, machine, tempCopy } from './lib/common.mjs';

const a = args();
const workflows = Number(a.get('workflows') ?? 10_000);
const workers = Number(a.get('workers') ?? 3);
const limit = Number(a.get('limit') ?? 32);
const timeoutMs = Number(a.get('timeout') ?? 480) * 1000;
// Its own port, so it never shares a cluster with the transition bench.
process.env.CONVERGE_BENCH_PG_PORT ??= '55447';
const { startBenchPostgres } = await import('./lib/pg-server.mjs');

const { openStore } = await dist('store/index.js');
const { createEngine } = await dist('engine/create-engine.js');
const { startWorkflow } = await dist('engine/workflow-commands.js');
const { openPostgresScaleOut } = await dist('store/postgres/postgres-queue.js');
const { ProjectConfigSchema } = await dist('workflows/project-config.js');

async function startProvider() {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'lib', 'fake-provider.mjs'), `--limit=${limit}`, '--seed=42'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += d;
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line).url);
    });
    child.once('exit', (code) => reject(new Error(`fake provider exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * CPU (ms) used so far by the cluster's processes: the postmaster of `dataDir` and its children
 * (backends, WAL writer…), from /proc; undefined where /proc is not there.
 */
function postgresCpuMs(dataDir) {
  try {
    const master = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    let total = 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const ppid = Number(fields[1]);
      if (pid === master || ppid === master) total += (Number(fields[11]) + Number(fields[12])) * tick;
      // And the backends that exited (a pool closing idle connections), reaped by the postmaster:
      // without them the sum can drop over the 20 s measured.
      if (pid === master) total += (Number(fields[13]) + Number(fields[14])) * tick;
    }
    return total;
  } catch {
    return undefined;
  }
}

/** Sends `message` to a worker and resolves with its next answer. */
function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

const server = await startBenchPostgres();
if (server.skipped) {
  emit({ bench: 'scale-pg', skipped: server.skipped, workflows, workers });
  process.exit(0);
}
const url = `${server.url}${server.url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c synchronous_commit=off')}`;
const provider = await startProvider();
const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'scale-pg');
const children = [];
try {
  const store = await openStore(url);
  // The queue's schema once, before the workers race to create it.
  await (await openPostgresScaleOut(store)).close();
  const agent = { provider: 'openai-compatible', base_url: `${provider.url}/v1`, model: 'fake-model', max_concurrency: limit };
  const config = ProjectConfigSchema.parse({ definition: 'seven-step', profile: 'typescript', checks: [], agents: { default: agent } });
  const engine = createEngine({ store, config, baseDir: dir });
  await fetch(`${provider.url}/hold`, { method: 'POST' });

  // Started as `converge start` does, 8 at a time (the store's pool holds 10 connections).
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < workflows) {
        const n = next++;
        await startWorkflow(store, engine.clock, {
          definition: engine.definition,
          requirements: `Write the value file (workflow #${n})`,
          workspace: { path: join(dir, 'project'), type: 'shared' },
          autoApprove: true,
        });
      }
    }),
  );
  const startSeconds = (performance.now() - t0) / 1000;
  const startCpu = process.cpuUsage(cpu0);
  process.stderr.write(`scale-pg: ${workflows} workflows started in ${startSeconds.toFixed(1)} s\n`);
  await store.close();

  // Each worker may take half again its share, so an uneven claim still holds them all.
  const concurrency = Math.ceil((workflows / workers) * 1.5) + limit;
  for (let i = 0; i < workers; i++) {
    const child = fork(join(BENCH_DIR, 'lib', 'scale-pg-worker.mjs'), [`--url=${url}`, `--provider=${provider.url}`, `--dir=${dir}`, `--concurrency=${concurrency}`, `--limit=${limit}`], {
      execArgv: ['--expose-gc', '--max-old-space-size=8192'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
  }
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));

  // Held: every run is in a call or queued for one, in its worker, and the provider has `limit` in flight.
  const t1 = performance.now();
  let statuses;
  let inFlight = 0;
  let looks = 0;
  let allHeld = true;
  let maxHeld = 0;
  for (;;) {
    statuses = [];
    for (const child of children) statuses.push(await ask(child, 'status'));
    inFlight = (await (await fetch(`${provider.url}/stats`)).json()).inFlight;
    const held = statuses.reduce((n, s) => n + s.active, 0);
    maxHeld = Math.max(maxHeld, held);
    const queued = statuses.every((s) => s.waiting === Math.max(0, s.active - limit));
    if (held === workflows && inFlight === limit && queued) break;
    if (++looks % 10 === 0) process.stderr.write(`scale-pg: ${held} of ${workflows} held after ${Math.round((performance.now() - t1) / 1000)} s\n`);
    if (performance.now() - t1 > timeoutMs) {
      // The ceiling: measured as it stands, with what the workers hold.
      process.stderr.write(`scale-pg: not all held after ${timeoutMs / 1000} s: ${held} runs, ${inFlight} in flight, queued ${statuses.map((s) => s.waiting).join('/')}\n`);
      allHeld = false;
      break;
    }
    await sleep(1000);
  }
  const holdSeconds = (performance.now() - t1) / 1000;

  // Holding: 20 s of CPU and store calls per worker while nothing changes.
  const pgData = join(os.tmpdir(), `converge-pg-bench-${process.env.CONVERGE_BENCH_PG_PORT}`, 'data');
  const before = [];
  for (const child of children) before.push(await ask(child, 'status'));
  const pgCpu0 = postgresCpuMs(pgData);
  await sleep(20_000);
  const pgCpu1 = postgresCpuMs(pgData);
  const after = [];
  for (const child of children) after.push(await ask(child, 'status'));
  const memory = [];
  for (const child of children) memory.push(await ask(child, 'measure'));
  // Leases that lapsed (not renewed in time) while the workers hold their runs.
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const connections = Number((await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = $1', ['client backend'])).rows[0].n);
  const dbMb = Number((await admin.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b) / 2 ** 20;
  const leases = (await admin.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE expires_at::timestamptz < now())::int AS lapsed FROM converge.leases')).rows[0];
  await admin.end();

  const perWorker = children.map((_, i) => {
    const cpuMs = (after[i].cpu.user + after[i].cpu.system - before[i].cpu.user - before[i].cpu.system) / 1000;
    const m = memory[i];
    const held = after[i].active;
    const call = (name) => (after[i].calls[name] - before[i].calls[name]) / 20;
    return {
      held,
      queued: after[i].waiting,
      rssMb: m.rss / 2 ** 20,
      rssBaselineMb: m.baseline.rss / 2 ** 20,
      maxRssMb: m.maxRss / 2 ** 20,
      rssPerHeldKb: (m.rss - m.baseline.rss) / 1024 / held,
      heapPerHeldKb: (m.heapUsed - m.baseline.heapUsed) / 1024 / held,
      holdCpuMsPerSecond: cpuMs / 20,
      sweepsPerSecond: call('changeMarker'),
      listsPerSecond: call('listWorkflows'),
      // Store calls, each one statement: a batched renewal or look-up counts once whatever its size.
      leaseLookupsPerSecond: call('leaseHolder') + call('leaseHolders'),
      renewalsPerSecond: call('renewLease') + call('renewLeases'),
      errors: after[i].errors,
    };
  });
  const sum = (f) => perWorker.reduce((n, w) => n + f(w), 0);
  emit({
    bench: 'scale-pg',
    workflows,
    workers,
    limit,
    inFlight,
    startSeconds,
    startCpuMsPerWorkflow: (startCpu.user + startCpu.system) / 1000 / workflows,
    holdSeconds,
    allHeld,
    held: after.reduce((n, s) => n + s.active, 0),
    maxHeld,
    leases: leases.n,
    lapsedLeases: leases.lapsed,
    perWorker,
    rssPerHeldKb: sum((w) => w.rssPerHeldKb * w.held) / Math.max(1, sum((w) => w.held)),
    heapPerHeldKb: sum((w) => w.heapPerHeldKb * w.held) / Math.max(1, sum((w) => w.held)),
    holdCpuMsPerSecond: sum((w) => w.holdCpuMsPerSecond),
    postgresCpuMsPerSecond: pgCpu0 === undefined || pgCpu1 === undefined || server.external ? null : (pgCpu1 - pgCpu0) / 20,
    renewalsPerSecond: sum((w) => w.renewalsPerSecond),
    leaseLookupsPerSecond: sum((w) => w.leaseLookupsPerSecond),
    connections,
    dbMb,
    machine: machine(),
  });
} finally {
  for (const child of children) {
    if (child.exitCode === null) {
      child.send('stop');
      await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
  provider.stop();
  cleanup();
  await server.stop?.();
}
