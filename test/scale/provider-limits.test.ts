/**
 * A provider's `max_concurrency` holds across worker processes: three workers of concurrency 8
 * (24 runs at once) never have more than 4 calls in flight at the provider. Measured at the
 * provider itself, a fake LLM server in this process that also refuses any fifth call with 429.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { copyFixture } from '../e2e/helpers/cli.js';
import { startFakeLlmServer } from '../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer } from '../helpers/fake-llm/fake-llm-server.js';
import { PG_URL, allLogProblems, assertCliWired, countCompleted, createDatabase, dropDatabase, killWorkers, named, noticeSkip, spawnWorker, startWorkflows } from './scale-helpers.js';
import type { WorkerProcess } from './scale-helpers.js';

noticeSkip('provider-limits.test.ts');

const WORKFLOWS = 24;
const LIMIT = 4;
const KEY = 'sk-test-KEY-0123456789';

describe.skipIf(PG_URL === undefined)('provider limits › three workers of concurrency 8 and max_concurrency 4', () => {
  let url: string;
  let dir: string;
  let store: Store;
  let fake: FakeLlmServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    assertCliWired();
    fake = await startFakeLlmServer({ concurrencyLimit: LIMIT });
    dir = copyFixture('scale');
    const output = (name: string) => readFileSync(join(dir, 'outputs', name), 'utf8');
    // Calls of many workflows interleave, so the fake answers by the role line of the prompt.
    const byRole: Array<[string, string]> = [
      ['Role: Planner', output('plan-v2.md')],
      ['Role: Validator — implementation plan review', output('plan-review-2.md')],
      ['Role: Programmer', output('code-v2.md')],
      ['Role: Validator — code alignment review', output('code-review-a2.md')],
      ['Role: Validator — code standardization review', output('code-review-b2.md')],
    ];
    fake.respond = (request) => {
      const body = JSON.stringify(request.body);
      const hit = byRole.find(([marker]) => body.includes(marker));
      return hit === undefined ? undefined : { text: hit[1], delayMs: 100 };
    };
    const agent = {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      base_url: fake.baseUrl('anthropic'),
      api_key_env: 'CONVERGE_TEST_KEY',
      max_concurrency: LIMIT,
    };
    writeFileSync(join(dir, 'converge.yaml'), stringify({ definition: 'seven-step', profile: 'typescript', checks: [], agents: { default: agent } }));
    process.env.CONVERGE_TEST_KEY = KEY;
    url = await createDatabase(PG_URL!, 'limits');
    store = await openPostgresStore(url);
    await startWorkflows(store, dir, WORKFLOWS);
  }, 120_000);

  afterAll(async () => {
    await killWorkers(workers);
    await fake?.close();
    await store?.close();
    if (url !== undefined) await dropDatabase(url);
  });

  it(named(`keeps at most ${LIMIT} calls in flight at the provider across all workers`), async () => {
    for (let i = 0; i < 3; i++) workers.push(spawnWorker(dir, url, ['--once'], { CONVERGE_TEST_KEY: KEY }));
    const exits = await Promise.all(workers.map((w) => w.child));
    const stderr = workers.map((w) => w.stderr()).join('\n');
    expect(exits.map((e) => e.exitCode), stderr).toEqual([0, 0, 0]);
    expect(stderr).toMatch(new RegExp(`provider limits across all workers: anthropic\\S* ≤ ${LIMIT}`));

    expect(await countCompleted(store)).toBe(WORKFLOWS);
    expect(fake.requests).toHaveLength(WORKFLOWS * 5);
    expect(fake.rejected).toBe(0);
    expect(fake.maxInFlight).toBeLessThanOrEqual(LIMIT);
    // Reached, not just respected: the 24 runs competed for the 4 slots.
    expect(fake.maxInFlight).toBe(LIMIT);
    const ids = (await store.listWorkflows({ limit: 1000 })).map((w) => w.id);
    expect(await allLogProblems(store, ids)).toEqual([]);
  }, 180_000);
});
