/**
 * Bench 2 — concurrency under a provider limit. 1,000 workflows of the instant story run at once
 * in one worker process; every agent call goes over HTTP (the AI SDK's openai-compatible
 * provider, unmodified) to one fake provider process that takes a seeded-random 50–500 ms per
 * call and refuses anything above 32 concurrent requests. Converge is configured with the same
 * limit (`max_concurrency: 32`).
 *
 * Reported: makespan against the lower bound (sum of the provider's service times / 32), how
 * full the 32 slots were kept, 429s (must be 0: the limiter, not the provider, holds the line),
 * peak RSS, and RSS per waiting workflow.
 *
 *   node --expose-gc bench/concurrency.mjs [--workflows=1000] [--limit=32] [--profile] [--held [--held-workflows=10000]]
 *
 * --profile adds where the CPU went (slower, so not for the timed run).
 * --held measures what waiting workflows cost instead: the provider holds every answer back, and
 * once all workflows are either in one of the 32 calls or queued for a slot, memory is measured
 * after a full collection and compared with the same process before they started. It runs
 * `--held-workflows` workflows (default: --workflows), which must all reach the provider or its
 * queue: one worker drives them all, with no cap on how many it sees. Then the process's CPU
 * over 5 s while they all wait is measured, with the worker polling every 50 ms (nothing
 * changes, so a poll reads nothing; the runs' lease renewals are in it). --held-timeout=S.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_DIR, INSTANT_FIXTURE, args, dist, emit, tempCopy } from './lib/common.mjs';
import { profiled } from './lib/profile.mjs';

const a = args();
const workflows = Number(a.has('held') ? (a.get('held-workflows') ?? a.get('workflows') ?? 1000) : (a.get('workflows') ?? 1000));
const limit = Number(a.get('limit') ?? 32);
const seed = Number(a.get('seed') ?? 42);
const gc = globalThis.gc;

const { openStore } = await dist('store/index.js');
const { createEngine } = await dist('engine/create-engine.js');
const { startWorkflow } = await dist('engine/workflow-commands.js');
const { runWorker } = await dist('engine/worker.js');
const { ProjectConfigSchema } = await dist('workflows/project-config.js');

/** Starts the fake provider process and resolves with its URL. */
async function startProvider() {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'lib', 'fake-provider.mjs'), `--limit=${limit}`, `--seed=${seed}`], { stdio: ['ignore', 'pipe', 'inherit'] });
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
 * Memory of workflows that wait: every one is started, the provider answers none, and once
 * `limit` calls are in flight and the rest are queued for a slot, the heap and RSS growth over
 * the same process before the start, both after full collections, is divided by the workflows.
 */
async function measureWaiting(engine) {
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await sleep(100);
    }
    return process.memoryUsage();
  };
  const providerKey = Object.keys(engine.agents.limits())[0];
  await fetch(`${provider.url}/hold`, { method: 'POST' });
  const before = await settle();
  const stop = new AbortController();
  const pollMs = 50;
  let polls = 0;
  const poll = new Proxy(engine.store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === 'changeMarker') polls += 1;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  // One more than the workflows, so the worker keeps polling once they all wait (at its
  // concurrency it would only wait for a run to end).
  void runWorker({ ...engine, store: poll }, { concurrency: workflows + 1, pollMs, signal: stop.signal });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = a.get('held-timeout') !== undefined ? Number(a.get('held-timeout')) * 1000 : 120_000 + workflows * 30;
  for (;;) {
    const inFlight = (await stats()).inFlight;
    if (inFlight === limit && engine.limiter.waiting(providerKey) === workflows - limit) break;
    if (performance.now() - t0 > deadline) throw new Error(`workflows did not all reach the provider queue in ${deadline / 1000} s (in flight ${inFlight}, queued ${engine.limiter.waiting(providerKey)})`);
    await sleep(100);
  }
  const rampMs = performance.now() - t0;
  const rampCpu = process.cpuUsage(cpu0);
  const waiting = await settle();
  // The worker's cost while every workflow waits: its polls find nothing changed.
  const idleCpu0 = process.cpuUsage();
  const polls0 = polls;
  await sleep(5000);
  const idleCpu = process.cpuUsage(idleCpu0);
  const idlePolls = polls - polls0;
  stop.abort();
  return {
    bench: 'concurrency-waiting',
    workflows,
    limit,
    inFlight: limit,
    queued: engine.limiter.waiting(providerKey),
    gcExposed: gc !== undefined,
    rssBeforeMb: before.rss / 2 ** 20,
    rssWaitingMb: waiting.rss / 2 ** 20,
    rssPerWaitingKb: (waiting.rss - before.rss) / 1024 / workflows,
    heapPerWaitingKb: (waiting.heapUsed - before.heapUsed) / 1024 / workflows,
    externalPerWaitingKb: (waiting.external - before.external) / 1024 / workflows,
    startSeconds,
    rampSeconds: rampMs / 1000,
    rampCpuMsPerWorkflow: (rampCpu.user + rampCpu.system) / 1e3 / workflows,
    idleSeconds: 5,
    idlePolls,
    idleCpuMsPerSecond: (idleCpu.user + idleCpu.system) / 1e3 / 5,
  };
}

let startSeconds = 0;
const provider = await startProvider();
const stats = async () => (await fetch(`${provider.url}/stats`)).json();
const { dir, cleanup } = tempCopy(INSTANT_FIXTURE, 'concurrency');
const store = await openStore(join(dir, 'converge.db'));
try {
  const agent = { provider: 'openai-compatible', base_url: `${provider.url}/v1`, model: 'fake-model', max_concurrency: limit };
  const config = ProjectConfigSchema.parse({ definition: 'seven-step', profile: 'typescript', checks: [], agents: { default: agent } });
  const engine = createEngine({ store, config, baseDir: dir });
  const start = (n) =>
    startWorkflow(store, engine.clock, {
      definition: engine.definition,
      // The number lets the provider derive this workflow's seeded delays.
      requirements: `Write the value file (workflow #${n})`,
      workspace: { path: join(dir, 'project'), type: 'shared' },
      autoApprove: true,
    });

  // Warm-up: one workflow through the same path loads every module (AI SDK, providers) before the baseline.
  const warm = await start(workflows + 1);
  const warmOutcome = await engine.runner.run(warm.workflowId);
  if (warmOutcome.status !== 'completed') throw new Error(`warm-up workflow ended ${warmOutcome.status}`);
  const ids = [];
  const started = performance.now();
  for (let i = 0; i < workflows; i++) ids.push((await start(i)).workflowId);
  startSeconds = (performance.now() - started) / 1000;
  await fetch(`${provider.url}/reset`, { method: 'POST' });
  if (a.has('held')) {
    emit(await measureWaiting(engine));
    // The held calls never end, so the process is ended here rather than by the finally below.
    provider.stop();
    cleanup();
    process.exit(0);
  }

  // What one workflow's folded state costs in heap (each holds its own parsed copy of the
  // definition, its outputs and reports): part of what a waiting workflow keeps in memory.
  let stateHeapKb = null;
  if (gc) {
    const { loadState } = await dist('engine/workflow-log.js');
    gc();
    const before = process.memoryUsage().heapUsed;
    const states = [];
    for (const id of ids) states.push(await loadState(store, id));
    gc();
    stateHeapKb = (process.memoryUsage().heapUsed - before) / 1024 / states.length;
    states.length = 0;
  }
  gc?.();
  await sleep(200);
  gc?.();
  const baseline = process.memoryUsage();

  // RSS is sampled through the run; once every workflow is in flight and waiting, a forced GC
  // shows what they retain (the peak also holds garbage not yet collected).
  let peakRss = baseline.rss;
  let retained;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const lowerBoundGuessMs = (workflows * 10 * 275) / limit;
  const probe = setTimeout(() => {
    gc?.();
    const m = process.memoryUsage();
    retained = { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
  }, Math.min(lowerBoundGuessMs / 3, 30_000));

  const cpu0 = process.cpuUsage();
  const load0 = (await import('node:os')).loadavg()[0];
  const t0 = performance.now();
  let errors = 0;
  const { breakdown } = await profiled(a.has('profile'), () =>
    runWorker(engine, {
      concurrency: workflows,
      pollMs: 50,
      once: true,
      onError: () => errors++,
    }),
  );
  const makespanMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const load1 = (await import('node:os')).loadavg()[0];
  clearInterval(sampler);
  clearTimeout(probe);
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);

  const served = await stats();
  const statuses = await store.listWorkflows({ limit: workflows + 10 });
  const done = statuses.filter((w) => w.status === 'completed').length - 1; // minus the warm-up
  const lowerBoundMs = served.servedDelayMs / limit;
  const providerKey = Object.keys(engine.agents.limits())[0];
  emit({
    bench: 'concurrency',
    workflows,
    limit,
    seed,
    completed: done,
    runErrors: errors,
    calls: served.served,
    rejected429: served.rejected,
    unknownPrompts: served.unknown,
    providerMaxInFlight: served.maxInFlight,
    limiterPeak: engine.limiter.peak(providerKey),
    totalAgentMs: served.servedDelayMs,
    lowerBoundMs,
    makespanMs,
    ratio: makespanMs / lowerBoundMs,
    meanBusySlots: served.busySlotMs / makespanMs,
    baselineRssMb: baseline.rss / 2 ** 20,
    peakRssMb: peakRss / 2 ** 20,
    rssPerWorkflowKb: (peakRss - baseline.rss) / 1024 / workflows,
    retainedRssPerWorkflowKb: retained ? (retained.rss - baseline.rss) / 1024 / workflows : null,
    retainedHeapPerWorkflowKb: retained ? (retained.heapUsed - baseline.heapUsed) / 1024 / workflows : null,
    stateHeapKb,
    ...(breakdown ? { breakdown } : {}),
    gcExposed: gc !== undefined,
    // CPU this process spent during the makespan: with 2 cores shared, a run whose engine work
    // per call approaches the provider's pace becomes CPU-bound, which this shows.
    cpuSecondsDuringMakespan: (cpu.user + cpu.system) / 1e6,
    cpuMsPerCall: (cpu.user + cpu.system) / 1e3 / served.served,
    loadAverage: [load0, load1],
  });
} finally {
  await store.close();
  provider.stop();
  cleanup();
}
