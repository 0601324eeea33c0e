/**
 * The two reviews of a code validation step (5a and 5b) are asked at once (issue 19, part 5), and
 * the step's event is the same whichever answers first; a failing review fails the step as it did
 * when they ran one after the other, so retries and recorded sessions see the same calls.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentCircuit, agentFailure, type Agent, type AgentRequest, type AgentResponse } from '../../src/agents/agent.js';
import type { WorkflowEvent } from '../../src/core/events.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { openStore } from '../../src/store/index.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';

const OUTPUTS = resolve(import.meta.dirname, '..', '..', 'examples', 'demo', 'outputs');
const REVIEW_A = readFileSync(join(OUTPUTS, '09-code-review-5a-round2.md'), 'utf8');
const REVIEW_B = readFileSync(join(OUTPUTS, '10-code-review-5b-round2.md'), 'utf8');
const isA = (r: AgentRequest) => r.template.startsWith('step5a');

/** A promise resolved from outside, failing the test (not hanging it) if it never is. */
function latch(what: string): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    setTimeout(() => reject(new Error(`${what}: the reviews ran one after the other`)), 5000).unref();
  });
  return { promise, open };
}

/** Starts a workflow at step 5 (no checks) and runs it to the final approval gate with `reviewer` as the validator. */
async function runStep5(reviewer: (request: AgentRequest) => Promise<AgentResponse>, extra: Partial<Agent> = {}): Promise<WorkflowEvent[]> {
  const store = await openStore('memory:');
  try {
    const dir = mkdtempSync(join(tmpdir(), 'converge-parallel-reviews-'));
    const engine = createEngine({ store, config: ProjectConfigSchema.parse({ checks: [] }), baseDir: dir });
    const agent: Agent = { id: 'test-validator', provider: 'test', call: reviewer, ...extra };
    engine.executor.agentFor = () => ({ kind: 'agent', agent });
    const definition = { ...engine.definition, start: 'validate_code' };
    const state = await startWorkflow(store, engine.clock, { definition, requirements: 'Add truncateWords', workspace: { path: dir, type: 'shared' } });
    const outcome = await engine.runner.run(state.workflowId, { waitForHumans: false });
    expect(outcome.waitingFor).toBe('gate:final_approval');
    return await store.readEvents(state.workflowId);
  } finally {
    await store.close();
  }
}

const usage = (inputTokens: number) => ({ inputTokens, outputTokens: 1, cachedInputTokens: 0, costUsd: 0, provider: 'test' });

describe('the reviews of a validate step', () => {
  it('run at once, and are recorded in the templates order although 5b answers first', async () => {
    const bAsked = latch('5a waited for 5b');
    const indices: number[] = [];
    const events = await runStep5(async (request) => {
      indices.push(request.invocationIndex);
      if (!isA(request)) {
        bAsked.open();
        return { text: REVIEW_B, usage: usage(200) };
      }
      await bAsked.promise;
      return { text: REVIEW_A, usage: usage(100) };
    });
    const recorded = events.find((e) => e.type === 'validation_recorded');
    expect(recorded).toMatchObject({
      calls: 2,
      usage: [{ inputTokens: 100 }, { inputTokens: 200 }],
      reviews: [{ template: expect.stringMatching(/^step5a/), text: REVIEW_A }, { template: expect.stringMatching(/^step5b/), text: REVIEW_B }],
    });
    expect(indices.sort()).toEqual([0, 1]);
  });

  it('fail the step on 5a as before: 5b stopped, not counted (nor against the circuit), and the retry asks from the next call on', async () => {
    const bAsked = latch('5a failed before 5b was asked');
    let bStopped = false;
    const asked: Array<[number, number]> = [];
    const events = await runStep5(async (request) => {
      asked.push([request.attempt, request.invocationIndex]);
      if (request.attempt > 1) return { text: isA(request) ? REVIEW_A : REVIEW_B };
      if (isA(request)) {
        await bAsked.promise;
        throw agentFailure('rate_limited', 'Rate limited (test 429).', { retryAfterMs: 1 });
      }
      bAsked.open();
      await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve(), { once: true }));
      bStopped = true;
      throw agentFailure('timeout', 'stopped');
      // One timeout opens this circuit for 10 minutes: 5b's, stopped by Converge, must not count against the provider.
    }, { circuit: agentCircuit('test', { failures: 1, cool_down_s: 600 }) });
    expect(events.find((e) => e.type === 'step_failed')).toMatchObject({ calls: 1, usage: [], failure: { class: 'rate_limited' } });
    expect(bStopped).toBe(true);
    // As one after the other: the failed attempt made one call, so the retry's 5a is call #1 and its 5b #2.
    expect(asked.filter(([attempt]) => attempt === 2).map(([, index]) => index).sort()).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'validation_recorded')).toHaveLength(1);
  });

  it('fail the step on 5b after 5a has answered: both counted, 5a\'s usage kept', async () => {
    const bFailed = latch('5b failed before 5a answered');
    const asked: Array<[number, number]> = [];
    const events = await runStep5(async (request) => {
      asked.push([request.attempt, request.invocationIndex]);
      if (request.attempt > 1) return { text: isA(request) ? REVIEW_A : REVIEW_B };
      if (isA(request)) {
        await bFailed.promise;
        return { text: REVIEW_A, usage: usage(100) };
      }
      setTimeout(bFailed.open, 10);
      throw agentFailure('rate_limited', 'Rate limited (test 429).', { retryAfterMs: 1 });
    });
    expect(events.find((e) => e.type === 'step_failed')).toMatchObject({ calls: 2, usage: [{ inputTokens: 100 }], failure: { class: 'rate_limited' } });
    expect(asked.filter(([attempt]) => attempt === 2).map(([, index]) => index).sort()).toEqual([2, 3]);
  });
});
