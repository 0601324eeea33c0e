/**
 * The worker process the recovery bench kills and restarts: `converge worker` over the bench's
 * SQLite store, with the instant fixture's recorded agents slowed to a seeded 100–700 ms per call
 * (so the kill finds every workflow mid-story, each at a different point) and a trace line per
 * call start and end, written before and after the call, like the scripted agent's trace_file.
 *
 *   node bench/lib/recovery-worker.mjs --dir=/tmp/… [--seed=7]
 *
 * Prints `{"ready":<ms since process start>}` when the worker loop begins.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { args, dist, hash32, instantEngine, seededRandom } from './common.mjs';

const a = args();
const dir = a.get('dir');
const seed = Number(a.get('seed') ?? 7);
const trace = join(dir, 'trace.log');

const { openStore } = await dist('store/index.js');
const { runWorker } = await dist('engine/worker.js');
const store = await openStore(join(dir, 'converge.db'));
const engine = await instantEngine({ store, dir, maxConcurrency: 1000 });

const agentFor = engine.executor.agentFor;
engine.executor.agentFor = (role, index, state) => {
  const choice = agentFor(role, index, state);
  if (choice.kind !== 'agent') return choice;
  const inner = choice.agent;
  return {
    kind: 'agent',
    agent: {
      id: inner.id,
      provider: inner.provider,
      async call(request) {
        const key = `${request.actionId} ${request.role} #${request.invocationIndex}`;
        appendFileSync(trace, `${key} start\n`);
        const delay = 100 + Math.round(seededRandom(hash32(`${seed}:${key}`))() * 600);
        await sleep(delay, undefined, { signal: request.signal }).catch(() => undefined);
        const response = await inner.call(request);
        appendFileSync(trace, `${key} end\n`);
        return response;
      },
    },
  };
};

process.stdout.write(`${JSON.stringify({ ready: Math.round(process.uptime() * 1000) })}\n`);
await runWorker(engine, { concurrency: 1000, pollMs: 20, once: true });
await store.close();
