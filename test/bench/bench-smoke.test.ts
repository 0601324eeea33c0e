/**
 * Smoke test of the benchmarks' moving parts — no timing here (timing lives in bench/ only):
 * the instant fixture still tells its ten-transition story through the built engine, the fake
 * provider of the concurrency bench still recognises every prompt Converge renders, and the
 * LangGraph graph still runs the same ten steps. A template or fixture change that would quietly
 * break a benchmark fails here instead.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const built = existsSync(join(ROOT, 'dist', 'engine', 'create-engine.js'));

/** The bench modules are plain .mjs; a non-literal specifier keeps them out of type-checking. */
async function benchModule(path: string): Promise<any> {
  const url: string = pathToFileURL(join(ROOT, 'bench', path)).href;
  return import(url);
}

describe.skipIf(!built)('bench › smoke (needs dist/: npm test builds it)', () => {
  it('the instant story makes ten transitions and the fake provider answers each prompt as the recorded session does', async () => {
    const common = await benchModule('lib/common.mjs');
    const { answerFor } = await benchModule('lib/fake-answers.mjs');
    const { openMemoryStore } = await import(pathToFileURL(join(ROOT, 'dist', 'store', 'index.js')).href);
    const { dir, cleanup } = common.tempCopy(common.INSTANT_FIXTURE, 'smoke');
    const store = await openMemoryStore();
    try {
      const batches: Array<{ t: number; types: string[] }> = [];
      const engine = await common.instantEngine({
        store,
        dir,
        onEvents: (_state: unknown, events: Array<{ type: string }>) => batches.push({ t: batches.length, types: events.map((e) => e.type) }),
      });
      // Which recorded output each call got, by role and invocation index (session.yaml order).
      const session: Record<string, string[]> = {
        planner: ['plan-v1', 'plan-v2'],
        validator: ['plan-review-1', 'plan-review-2', 'code-review-a1', 'code-review-b1', 'code-review-a2', 'code-review-b2'],
        programmer: ['code-v1', 'code-v2'],
      };
      const mismatches: string[] = [];
      const agentFor = engine.executor.agentFor;
      engine.executor.agentFor = (role: string, index: number, state: unknown) => {
        const choice = agentFor(role, index, state);
        if (choice.kind !== 'agent') return choice;
        const inner = choice.agent;
        return {
          kind: 'agent',
          agent: {
            id: inner.id,
            provider: inner.provider,
            call: async (request: { role: string; invocationIndex: number; prompt: string; template: string }) => {
              const expected = session[request.role]?.[request.invocationIndex];
              const answered = answerFor(request.prompt);
              if (answered !== expected) mismatches.push(`${request.template}: fake answers ${answered}, session gives ${expected}`);
              return inner.call(request);
            },
          },
        };
      };
      const started = await common.startInstant(engine, dir, 'Write the value file (workflow #3)');
      const outcome = await engine.runner.run(started.workflowId);
      expect(outcome.status).toBe('completed');
      expect(common.transitionMarks(batches)).toHaveLength(common.CONVERGE_TRANSITIONS);
      expect(mismatches).toEqual([]);
    } finally {
      await store.close();
      cleanup();
    }
  });

  it('the LangGraph graph runs the same ten steps, one durable checkpoint after each', async () => {
    const { buildGraph, loadScript, openSaver, LANGGRAPH_TRANSITIONS } = await benchModule('lib/langgraph-graph.mjs');
    const { INSTANT_FIXTURE } = await benchModule('lib/common.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'converge-bench-smoke-lg-'));
    try {
      const steps: number[] = [];
      const { saver, db, synchronous } = openSaver(join(dir, 'lg.db'), (metadata: { step: number }) => steps.push(metadata.step));
      const graph = buildGraph(loadScript(INSTANT_FIXTURE)).compile({ checkpointer: saver });
      const out = await graph.invoke({ requirements: 'Write the value file' }, { configurable: { thread_id: 't1' }, durability: 'sync' });
      db.close();
      expect(out.status).toBe('completed');
      expect(out.decisions).toEqual([
        'invoke planner: step 1',
        'validate plan round 1',
        'invoke planner: step 3',
        'validate plan round 2',
        'plan approved',
        'invoke programmer: step 4',
        'validate code round 1',
        'invoke programmer: step 6',
        'validate code round 2',
        'complete',
      ]);
      expect(steps.filter((s) => s >= 1)).toHaveLength(LANGGRAPH_TRANSITIONS);
      expect(synchronous).toBe(1); // NORMAL, as Converge's store
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the statistics the tables use', async () => {
    const { median, percentile, seededRandom, markdownTable } = await benchModule('lib/common.mjs');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([...Array(100).keys()].map((i) => i + 1), 99)).toBe(99);
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([a(), a()]).toEqual([b(), b()]);
    expect(markdownTable(['a|b'], [['x']])).toBe('| a\\|b |\n| --- |\n| x |');
  });
});
