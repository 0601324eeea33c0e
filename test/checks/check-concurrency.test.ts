/**
 * Checks of a validate step run several at once (issue 19, part 5): up to the configured bound,
 * a `serial` check alone, results in the definition's order whichever finishes first, and a
 * cancellation stops every running check.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChecks, type CheckProgress } from '../../src/checks/index.js';
import { CheckSchema, type Check } from '../../src/core/profile-schema.js';

const check = (id: string, script: string, extra: Record<string, unknown> = {}): Check =>
  CheckSchema.parse({ id, command: ['sh', '-c', script], timeout_s: 10, ...extra });

/** Creates `mine`, then waits for `theirs`: two of these deadlock unless they run at once. */
const waitFor = (mine: string, theirs: string): string => `touch ${mine}; while [ ! -e ${theirs} ]; do sleep 0.02; done`;

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'converge-check-concurrency-'));
});
afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** The progress as `started:id` / `finished:id`, and the most checks seen running at once. */
function recorder(): { events: string[]; peak: () => number; onProgress: (e: CheckProgress) => void } {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  return {
    events,
    peak: () => peak,
    onProgress: (e) => {
      events.push(`${e.type}:${e.check.id}`);
      running += e.type === 'started' ? 1 : -1;
      peak = Math.max(peak, running);
    },
  };
}

describe('runChecks, several at once', () => {
  it('runs two checks that each wait for the other, and keeps the results in the definition order', async () => {
    // `first` can only end after `second` has started, so serially it would time out; `second` ends first.
    const checks = [check('first', `${waitFor('a', 'b')}; sleep 0.2`, { timeout_s: 5 }), check('second', waitFor('b', 'a'), { timeout_s: 5 })];
    const seen = recorder();
    const results = await runChecks(checks, { workspace, concurrency: 2 }, seen.onProgress);
    expect(results.map((r) => [r.toolId, r.status])).toEqual([
      ['first', 'passed'],
      ['second', 'passed'],
    ]);
    expect(seen.events).toEqual(['started:first', 'started:second', 'finished:second', 'finished:first']);
  });

  it('does the same inside the bubblewrap sandbox when this machine has one', async () => {
    const checks = [check('first', waitFor('a', 'b'), { timeout_s: 5 }), check('second', waitFor('b', 'a'), { timeout_s: 5 })];
    const results = await runChecks(checks, { workspace, concurrency: 2, sandbox: 'auto' });
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed']);
    // Both ran in the same kind of sandbox (bwrap where it works, else none), each in its own.
    expect(new Set(results.map((r) => r.sandbox)).size).toBe(1);
  });

  it('never runs more checks at once than the bound, and one at a time with concurrency 1', async () => {
    const checks = ['a', 'b', 'c', 'd'].map((id) => check(id, 'sleep 0.05'));
    const two = recorder();
    await runChecks(checks, { workspace, concurrency: 2 }, two.onProgress);
    expect(two.peak()).toBe(2);
    expect(two.events.filter((e) => e.startsWith('started:'))).toEqual(['started:a', 'started:b', 'started:c', 'started:d']);

    const one = recorder();
    const results = await runChecks(checks, { workspace, concurrency: 1 }, one.onProgress);
    expect(one.peak()).toBe(1);
    expect(one.events).toEqual(['started:a', 'finished:a', 'started:b', 'finished:b', 'started:c', 'finished:c', 'started:d', 'finished:d']);
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
  });

  it('runs a serial check alone: after every check before it, before any check after it', async () => {
    const checks = [check('lint', 'sleep 0.1'), check('types', 'sleep 0.05'), check('build', 'touch built', { serial: true }), check('tests', 'test -e built'), check('docs', 'test -e built')];
    const seen = recorder();
    const results = await runChecks(checks, { workspace, concurrency: 4 }, seen.onProgress);
    expect(results.map((r) => [r.toolId, r.status])).toEqual([
      ['lint', 'passed'],
      ['types', 'passed'],
      ['build', 'passed'],
      ['tests', 'passed'],
      ['docs', 'passed'],
    ]);
    const at = (event: string) => seen.events.indexOf(event);
    expect(at('started:build')).toBeGreaterThan(Math.max(at('finished:lint'), at('finished:types')));
    expect(at('finished:build')).toBe(at('started:build') + 1);
    expect(Math.min(at('started:tests'), at('started:docs'))).toBeGreaterThan(at('finished:build'));
  });

  it('stops a check at its timeout while the one beside it goes on', async () => {
    const checks = [check('slow', 'sleep 30 & sleep 30; wait', { timeout_s: 0.5 }), check('quick', 'sleep 1', { timeout_s: 5 })];
    const results = await runChecks(checks, { workspace, concurrency: 2 });
    expect(results.map((r) => [r.toolId, r.status, r.summary])).toEqual([
      ['slow', 'error', 'timed out after 0.5s; the check and its child processes were killed'],
      ['quick', 'passed', 'exited with code 0'],
    ]);
  });

  it('kills every running check when cancelled, and starts none of those still waiting', async () => {
    const controller = new AbortController();
    const checks = [check('one', 'sleep 30'), check('two', 'sleep 30'), check('three', 'sleep 30')];
    let started = 0;
    const results = await runChecks(checks, { workspace, concurrency: 2, signal: controller.signal }, (e) => {
      if (e.type === 'started' && ++started === 2) setTimeout(() => controller.abort(), 100);
    });
    expect(results.map((r) => [r.status, r.summary])).toEqual([
      ['error', 'cancelled while running; the check was killed'],
      ['error', 'cancelled while running; the check was killed'],
      ['error', 'cancelled before it started'],
    ]);
  });
});
