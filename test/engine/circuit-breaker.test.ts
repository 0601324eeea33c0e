import { describe, expect, it } from 'vitest';
import { agentFailure, failureClassOf } from '../../src/agents/agent.js';
import { CircuitBreaker } from '../../src/engine/circuit-breaker.js';
import type { Clock } from '../../src/engine/clock.js';

/** A clock that only moves when someone sleeps on it. */
function testClock(): Clock & { slept: number[] } {
  let now = Date.parse('2026-12-06T10:00:00Z');
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now).toISOString(),
    nowMs: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const down = () => Promise.reject(agentFailure('provider_down', 'API Error: 500 The server had an error.'));
const ok = () => Promise.resolve('ok');
const A = { key: 'command:claude-code@127.0.0.1:8787', failures: 2, coolDownMs: 5000 };
const B = { key: 'command:codex@127.0.0.1:8787' };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('CircuitBreaker', () => {
  it('opens one agent\'s circuit after its own threshold, leaving other agents closed', async () => {
    const breaker = new CircuitBreaker(testClock());
    await failure(breaker.run(A, down));
    expect(breaker.state(A)).toBe('closed');
    await failure(breaker.run(A, down));
    expect(breaker.state(A)).toBe('open');
    expect(breaker.state(B)).toBe('closed');
  });

  it('waits for the probe time when asked to, then probes and closes on success', async () => {
    const clock = testClock();
    const breaker = new CircuitBreaker(clock);
    await failure(breaker.run(A, down));
    await failure(breaker.run(A, down));
    await expect(breaker.run(A, ok, { wait: true, deadlineMs: clock.nowMs() + 60_000 })).resolves.toBe('ok');
    expect(clock.slept).toEqual([5000]);
    expect(breaker.state(A)).toBe('closed');
  });

  it('refuses at once, quoting the error that opened it, when the probe is past the deadline', async () => {
    const clock = testClock();
    const breaker = new CircuitBreaker(clock);
    await failure(breaker.run(A, down));
    await failure(breaker.run(A, down));
    const refused = (await failure(breaker.run(A, ok, { wait: true, deadlineMs: clock.nowMs() + 1000 }))) as Error & { details: Record<string, unknown> };
    expect(clock.slept).toEqual([]);
    expect(failureClassOf(refused)).toBe('provider_down');
    expect(refused.message).toMatch(/^API Error: 500 The server had an error\.\nNot tried again: 2 failures in a row/);
    expect(refused.details['retryAfterMs']).toBe(5000);
  });

  it('refuses at once without waiting when the caller has somewhere else to go', async () => {
    const clock = testClock();
    const breaker = new CircuitBreaker(clock);
    await failure(breaker.run(A, down));
    await failure(breaker.run(A, down));
    expect(failureClassOf(await failure(breaker.run(A, ok)))).toBe('provider_down');
    expect(clock.slept).toEqual([]);
  });

  it('reopens after a failed probe', async () => {
    const clock = testClock();
    const breaker = new CircuitBreaker(clock);
    await failure(breaker.run(A, down));
    await failure(breaker.run(A, down));
    await failure(breaker.run(A, down, { wait: true }));
    expect(clock.slept).toEqual([5000]);
    expect(breaker.state(A)).toBe('open');
  });
});
