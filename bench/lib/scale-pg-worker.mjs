/**
 * One worker process of bench/scale-pg.mjs: the distributed worker (`runQueueWorker`, what
 * `converge worker` runs on PostgreSQL) over the PostgreSQL store, its pg-boss queue and shared
 * provider slots, answering the coordinator's questions over IPC:
 *
 *   status   runs in progress, calls queued for a provider slot, store calls so far, RSS
 *   measure  heap and RSS after three full collections, and this process's CPU so far
 *   stop     a graceful stop (drain 1 s), then exit
 *
 * Runs in progress are counted by wrapping `runner.run` and the store calls by a proxy: bench
 * instrumentation, not Converge's code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { args, dist } from './common.mjs';

const a = args();
const url = a.get('url');
const { openStore } = await dist('store/index.js');
const { createEngine } = await dist('engine/create-engine.js');
const { runQueueWorker } = await dist('engine/queue-worker.js');
const { openPostgresScaleOut } = await dist('store/postgres/postgres-queue.js');
const { ProjectConfigSchema } = await dist('workflows/project-config.js');

const store = await openStore(url);
const calls = { changeMarker: 0, listWorkflows: 0, leaseHolder: 0, leaseHolders: 0, renewLease: 0, renewLeases: 0 };
const counted = new Proxy(store, {
  get(target, property) {
    const value = Reflect.get(target, property, target);
    if (typeof property === 'string' && property in calls) calls[property] += 1;
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
const agent = { provider: 'openai-compatible', base_url: `${a.get('provider')}/v1`, model: 'fake-model', max_concurrency: Number(a.get('limit')) };
const config = ProjectConfigSchema.parse({ definition: 'seven-step', profile: 'typescript', checks: [], agents: { default: agent } });
const engine = createEngine({ store: counted, config, baseDir: a.get('dir') });
const providerKey = Object.keys(engine.agents.limits())[0];
let active = 0;
const run = engine.runner.run.bind(engine.runner);
engine.runner.run = async (...argv) => {
  active += 1;
  try {
    return await run(...argv);
  } finally {
    active -= 1;
  }
};
const scale = await openPostgresScaleOut(store);

const settled = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(100);
  }
  return process.memoryUsage();
};
const baseline = await settled();
const stop = new AbortController();
let errors = 0;
const worker = runQueueWorker(engine, scale.queue, {
  concurrency: Number(a.get('concurrency')),
  slots: scale.slots,
  signal: stop.signal,
  drainMs: 1000,
  onError: () => (errors += 1),
});

process.on('message', async (message) => {
  if (message === 'status') {
    process.send({ active, waiting: engine.limiter.waiting(providerKey), errors, calls: { ...calls }, rss: process.memoryUsage().rss, cpu: process.cpuUsage() });
  } else if (message === 'measure') {
    const m = await settled();
    process.send({ baseline, rss: m.rss, heapUsed: m.heapUsed, external: m.external, cpu: process.cpuUsage(), maxRss: process.resourceUsage().maxRSS * 1024 });
  } else if (message === 'stop') {
    stop.abort();
    await Promise.race([worker.catch(() => undefined), sleep(5000)]);
    await scale.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    process.exit(0);
  }
});
process.send('ready');
