/**
 * Time honesty (issue 18, part 3): a retry-after wait is a recorded duration from the failure. A
 * process that resumes it with its clock an hour behind waits that duration from the resume (±1 s),
 * not the hour its clock would give.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../src/core/events.js';
import { systemClock } from '../../src/engine/clock.js';
import type { Clock } from '../../src/engine/clock.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { openStore } from '../../src/store/index.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');
const RETRY_AFTER_MS = 3000;
const HOUR_MS = 3_600_000;

/** This machine's clock set back an hour: wall time behind, the monotonic clock and sleeps as ever. */
const hourBehind: Clock = {
  now: () => new Date(Date.now() - HOUR_MS).toISOString(),
  nowMs: () => Date.now() - HOUR_MS,
  elapsedMs: () => performance.now(),
  sleep: systemClock.sleep!,
};

describe('engine › a retry-after wait resumed with the clock set back', () => {
  it('waits the recorded retry-after from the resume (±1 s), not the hour the clock says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-timed-waits-'));
    cpSync(FIXTURE, dir, { recursive: true });
    // The plan converges at once; the programmer's first call is answered 429 with retry-after 3 s.
    writeFileSync(
      join(dir, 'session-retry.yaml'),
      [
        'planner:',
        '  - { file: outputs/plan-v2.md }',
        'validator:',
        '  - { file: outputs/plan-review-2.md }',
        '  - { file: outputs/code-review-a2.md }',
        '  - { file: outputs/code-review-b2.md }',
        'programmer:',
        `  - { fail: rate_limit, retry_after_ms: ${RETRY_AFTER_MS} }`,
        '  - { file: outputs/code-v2.md }',
        '',
      ].join('\n'),
    );
    const config = ProjectConfigSchema.parse({
      checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
      agents: { default: { provider: 'scripted', session: 'session-retry.yaml' } },
    });
    const store = await openStore(join(dir, 'store.db'));
    try {
      // The first process runs until the 429 is recorded, then stops (as a kill during the wait would).
      const stop = new AbortController();
      const first = createEngine({
        store,
        config,
        baseDir: dir,
        clock: systemClock,
        onEvents: (_state, events) => {
          if (events.some((e) => e.type === 'step_failed')) stop.abort();
        },
      });
      const started = await startWorkflow(store, first.clock, {
        definition: first.definition,
        requirements: 'Write the value file',
        workspace: { path: join(dir, 'project'), type: 'shared' },
        autoApprove: true,
      });
      const id = started.workflowId;
      const stopped = await first.runner.run(id, { signal: stop.signal });
      expect(stopped.waitingFor).toBe('interrupted');
      const failed = (await store.readEvents(id)).find((e) => e.type === 'step_failed')!;
      expect(failed).toMatchObject({ failure: { class: 'rate_limited', retryAfterMs: RETRY_AFTER_MS } });

      // The second process's clock is an hour behind: by it, the retry is due in an hour and 3 s.
      let retriedAt: number | undefined;
      const second = createEngine({
        store,
        config,
        baseDir: dir,
        clock: hourBehind,
        onEvents: (_state, events: readonly WorkflowEvent[]) => {
          if (retriedAt === undefined && events.some((e) => e.type === 'step_scheduled' && (e as { attempt?: number }).attempt === 2)) retriedAt = performance.now();
        },
      });
      const resumedAt = performance.now();
      const outcome = await second.runner.run(id);
      expect(outcome.status).toBe('completed');
      expect(retriedAt).toBeDefined();
      const waited = retriedAt! - resumedAt;
      // The acceptance bound of issue 18: no longer than the recorded retry-after, ±1 s.
      expect(waited).toBeLessThanOrEqual(RETRY_AFTER_MS + 1000);
      expect(waited).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 1000);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('takes its clock from a store that has one (PostgreSQL), whatever this machine says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-db-clock-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const inner = await openStore(':memory:');
    // A database whose clock is an hour ahead of this machine's.
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'databaseTime') return async () => new Date(Date.now() + HOUR_MS).toISOString();
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const config = ProjectConfigSchema.parse({
      checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
      agents: { default: { provider: 'scripted', session: 'session.yaml' } },
      lease_ttl_s: 12,
    });
    const engine = createEngine({ store, config, baseDir: dir });
    expect(engine.runner.leaseTtlMs).toBe(12_000);
    const started = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Write the value file',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      autoApprove: true,
    });
    expect((await engine.runner.run(started.workflowId)).status).toBe('completed');
    const last = (await store.readEvents(started.workflowId)).at(-1)!;
    // Stamped by the database's clock (the runner synced with it), give or take the run itself.
    expect(Math.abs(Date.parse(last.at) - (Date.now() + HOUR_MS))).toBeLessThan(60_000);
    await store.close();
  }, 60_000);
});
