/**
 * Whole workflows through every LLM provider, against local fake servers speaking each
 * provider's real wire format: usage, rate limits, 5xx failover, timeouts, malformed output, auth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer, FakeProviderName, FakeRoute } from '../../helpers/fake-llm/fake-llm-server.js';
import { HAPPY_PATH, harness } from './provider-harness.js';
import { showText } from '../../../src/interfaces/cli/show-format.js';
import type { AgentConfig } from '../../../src/agents/agent-config.js';

const KEY = 'sk-test-KEY-0123456789';
process.env.CONVERGE_TEST_KEY = KEY;
process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKE';
process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-access-key';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => fake.close());

const ROUTE: Record<FakeProviderName, FakeRoute> = {
  anthropic: 'anthropic',
  openai: 'openai-responses',
  'openai-chat': 'openai-chat',
  'openai-compatible': 'openai-chat',
  bedrock: 'bedrock',
  google: 'google',
};
const MODEL: Record<FakeProviderName, string> = {
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4.1',
  'openai-chat': 'gpt-4.1',
  'openai-compatible': 'llama3.1',
  bedrock: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  google: 'gemini-2.5-pro',
};

function agent(provider: FakeProviderName, extra: Record<string, unknown> = {}): AgentConfig {
  return { provider, model: MODEL[provider], base_url: fake.baseUrl(provider), api_key_env: 'CONVERGE_TEST_KEY', fallback: [], ...extra } as AgentConfig;
}

describe('a whole workflow through each provider', () => {
  it.each(Object.keys(ROUTE) as FakeProviderName[])('completes through %s and records usage', async (provider) => {
    fake.reset();
    fake.enqueue(ROUTE[provider], ...HAPPY_PATH().map((text) => ({ text, usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 800 } })));
    const h = await harness({ default: agent(provider) });
    const state = await h.run(await h.start());
    expect(state.status).toBe('completed');
    const usage = state.runs.flatMap((r) => r.usage);
    expect(usage).toHaveLength(5);
    expect(usage.every((u) => u.inputTokens === 1200 && u.outputTokens === 300)).toBe(true);
    if (provider === 'anthropic' || provider === 'openai-chat') expect(usage[0]!.cachedInputTokens).toBe(800);
    const show = showText(state);
    expect(show).toMatch(/TOKENS IN\/OUT\/CACHED/);
    expect(show).toMatch(/Tokens: 6000 in, 1500 out/);
  });
});

describe('failures, classified and recovered', () => {
  it('waits out a 429 with retry-after: 2 and then succeeds', async () => {
    fake.reset();
    fake.enqueue('anthropic', { status: 429, headers: { 'retry-after': '2' } }, ...HAPPY_PATH().map((text) => ({ text })));
    const h = await harness({ default: agent('anthropic') });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('completed');
    const events = await h.events(id);
    const failed = events.find((e) => e.type === 'step_failed');
    expect(failed).toMatchObject({ failure: { class: 'rate_limited', retryAfterMs: 2000 } });
    const retry = events.find((e) => e.type === 'step_scheduled' && e.recoveryStrategy === 'wait_and_retry');
    expect(retry).toMatchObject({ notBefore: new Date(Date.parse(failed!.at) + 2000).toISOString() });
    // The retry is scheduled and started in one write, once its backoff is over.
    expect(retry).toMatchObject({ agent: expect.stringContaining('anthropic') });
    expect(Date.parse(retry!.at)).toBeGreaterThanOrEqual(Date.parse(failed!.at) + 2000);
  });

  it('fails over to the fallback provider after the primary answers 500 three times', async () => {
    fake.reset();
    fake.enqueue('anthropic', { status: 500 }, { status: 500 }, { status: 500 });
    fake.enqueue('openai-chat', ...HAPPY_PATH().map((text) => ({ text })));
    const h = await harness({ default: { ...agent('anthropic'), fallback: [(({ fallback: _f, ...entry }) => entry)(agent('openai-chat'))] } });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status, state.escalation?.message).toBe('completed');
    expect(fake.requests.filter((r) => r.route === 'anthropic')).toHaveLength(3);
    const failures = (await h.events(id)).filter((e) => e.type === 'step_failed');
    expect(failures.map((e) => e.type === 'step_failed' && e.failure.class)).toEqual(['provider_down', 'provider_down', 'provider_down']);
    expect(state.runs.flatMap((r) => r.usage).every((u) => u.provider?.startsWith('openai-chat'))).toBe(true);
  });

  it('retries a hanging call with a longer timeout', async () => {
    fake.reset();
    fake.enqueue('anthropic', { hang: true }, ...HAPPY_PATH().map((text) => ({ text })));
    const h = await harness({ default: agent('anthropic') }, { edit: (def) => (def.timeouts = { step_s: 1 }) });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('completed');
    const scheduled = (await h.events(id)).filter((e) => e.type === 'step_scheduled' && e.stepId === 'plan');
    expect(scheduled.map((e) => e.type === 'step_scheduled' && [e.timeoutMs, e.recoveryStrategy ?? null])).toEqual([[1000, null], [2000, 'extended_timeout']]);
  });

  it('repairs a malformed JSON response with a repair prompt that quotes the error', async () => {
    fake.reset();
    fake.enqueue('anthropic', { malformed: true }, ...HAPPY_PATH().map((text) => ({ text })));
    const h = await harness({ default: agent('anthropic') });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('completed');
    const failed = (await h.events(id)).find((e) => e.type === 'step_failed');
    expect(failed).toMatchObject({ failure: { class: 'invalid_output' } });
    expect(state.runs[1]).toMatchObject({ stepId: 'plan', recoveryStrategy: 'repair_prompt' });
    const repairRequest = JSON.stringify(fake.requests[1]!.body);
    expect(repairRequest).toContain((failed as { failure: { message: string } }).failure.message.slice(0, 40).replace(/"/g, '\\"'));
  });

  it('escalates a 401 to a human at once', async () => {
    fake.reset();
    fake.enqueue('anthropic', { status: 401 });
    const h = await harness({ default: agent('anthropic') });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('waiting_for_human');
    expect(state.escalation).toMatchObject({ reason: 'failure' });
    expect(state.runs).toHaveLength(1);
    expect(JSON.stringify(await h.events(id))).not.toContain(KEY);
  });
});

describe('provider limits across concurrent workflows', () => {
  it('keeps 50 workflows within 4 requests in flight and completes them all', async () => {
    fake.reset();
    const [plan, review, code, alignment, standards] = HAPPY_PATH();
    // Calls interleave across workflows, so the fake answers by the role line of the prompt.
    const byRole: Array<[string, string]> = [
      ['Role: Planner', plan!],
      ['Role: Validator — implementation plan review', review!],
      ['Role: Programmer', code!],
      ['Role: Validator — code alignment review', alignment!],
      ['Role: Validator — code standardization review', standards!],
    ];
    fake.respond = (request) => {
      const body = JSON.stringify(request.body);
      const hit = byRole.find(([marker]) => body.includes(marker));
      return hit === undefined ? undefined : { text: hit[1], delayMs: 15 };
    };
    try {
      const h = await harness({ default: agent('anthropic', { max_concurrency: 4 }) });
      const ids = await Promise.all(Array.from({ length: 50 }, () => h.start()));
      const states = await Promise.all(ids.map((id) => h.run(id)));
      expect(states.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
      expect(fake.requests).toHaveLength(250);
      expect(fake.maxInFlight).toBeLessThanOrEqual(4);
      expect(fake.maxInFlight).toBe(4);
    } finally {
      fake.respond = undefined;
    }
  }, 120_000);
});
