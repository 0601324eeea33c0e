/**
 * One suite, every provider: each row is a real AI SDK provider pointed at the fake LLM server,
 * which answers in that provider's own wire format.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failureClassOf } from '../../../src/agents/agent.js';
import { createAiSdkAgent } from '../../../src/agents/ai-sdk/index.js';
import type { AiSdkAgentConfig } from '../../../src/agents/ai-sdk/index.js';
import { costOf } from '../../../src/agents/pricing.js';
import { startFakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer, FakeProviderName, FakeRoute } from '../../helpers/fake-llm/fake-llm-server.js';
import { agentRequest, failureOf } from './agent-request.js';

const SECRET = 'sk-ant-test-7f3c9b1e4d2a8f6c-do-not-leak';
const ACCESS_KEY_ID = 'AKIAFAKE7F3C9B1E4D2A';

interface ProviderCase {
  provider: FakeProviderName;
  model: string;
  route: FakeRoute;
  /** The variable holding the secret for this provider. */
  keyEnv: string;
  extra?: Partial<AiSdkAgentConfig>;
  env?: Record<string, string>;
}

const CASES: ProviderCase[] = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', route: 'anthropic', keyEnv: 'ANTHROPIC_API_KEY' },
  { provider: 'openai', model: 'gpt-4.1', route: 'openai-responses', keyEnv: 'OPENAI_API_KEY' },
  { provider: 'openai-chat', model: 'gpt-4o-mini', route: 'openai-chat', keyEnv: 'OPENAI_API_KEY' },
  {
    provider: 'openai-compatible',
    model: 'llama3.1:8b',
    route: 'openai-chat',
    keyEnv: 'LOCAL_LLM_KEY',
    // A local model has no list price: the config supplies one.
    extra: { api_key_env: 'LOCAL_LLM_KEY', price: { input: 0.5, output: 1.5, cached_input: 0.05 } },
  },
  {
    provider: 'bedrock',
    model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    route: 'bedrock',
    keyEnv: 'AWS_SECRET_ACCESS_KEY',
    env: { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_REGION: 'eu-west-1' },
  },
  { provider: 'google', model: 'gemini-2.5-flash', route: 'google', keyEnv: 'GOOGLE_GENERATIVE_AI_API_KEY' },
];

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

function agentFor(c: ProviderCase, envOverride?: NodeJS.ProcessEnv) {
  const config: AiSdkAgentConfig = { provider: c.provider, model: c.model, base_url: fake.baseUrl(c.provider), ...c.extra };
  const env = envOverride ?? { ...c.env, [c.keyEnv]: SECRET };
  return createAiSdkAgent(config, { role: 'planner', env });
}

describe.each(CASES)('AiSdkAgent with $provider', (c) => {
  describe('a successful answer', () => {
    it('returns the text, the usage with cached tokens and its cost', async () => {
      fake.enqueue(c.route, { text: '## Plan\n1. Build it.', usage: { inputTokens: 2000, outputTokens: 120, cachedInputTokens: 1500 } });
      const response = await agentFor(c).call(agentRequest());
      expect(response.text).toBe('## Plan\n1. Build it.');
      const expectedCost = costOf({ inputTokens: 2000, outputTokens: 120, cachedInputTokens: 1500 }, c.model, c.extra?.price).costUsd;
      expect(expectedCost).toBeGreaterThan(0);
      expect(response.usage).toEqual({
        inputTokens: 2000,
        outputTokens: 120,
        cachedInputTokens: 1500,
        costUsd: expect.closeTo(expectedCost, 12),
        provider: c.provider,
        model: c.model,
      });
    });

    it('sends the prompt to the model once, with the key from the environment', async () => {
      await agentFor(c).call(agentRequest({ prompt: 'Plan the signup form.' }));
      expect(fake.requests).toHaveLength(1);
      const [request] = fake.requests;
      expect(request!.route).toBe(c.route);
      expect(request!.model).toBe(c.model);
      expect(JSON.stringify(request!.body)).toContain('Plan the signup form.');
      const headers = JSON.stringify(request!.headers);
      expect(headers).toContain(c.provider === 'bedrock' ? ACCESS_KEY_ID : SECRET);
    });
  });

  describe('a failing provider', () => {
    it('classifies 429 with retry-after: 2 as rate_limited with retryAfterMs 2000', async () => {
      fake.enqueue(c.route, { status: 429, headers: { 'retry-after': '2' } });
      const error = await failureOf(agentFor(c));
      expect(failureClassOf(error)).toBe('rate_limited');
      expect(error.details.retryAfterMs).toBe(2000);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(c.model);
    });

    it('classifies 500 as provider_down and does not retry on its own', async () => {
      fake.enqueue(c.route, { status: 500 });
      const error = await failureOf(agentFor(c));
      expect(failureClassOf(error)).toBe('provider_down');
      expect(error.message).toMatch(/HTTP 500/);
      expect(fake.requests).toHaveLength(1);
    });

    it('classifies a hang past timeoutMs as timeout', async () => {
      fake.enqueue(c.route, { hang: true });
      const error = await failureOf(agentFor(c), agentRequest({ timeoutMs: 150 }));
      expect(failureClassOf(error)).toBe('timeout');
      expect(error.message).toContain('150 ms');
    });

    it('classifies a hang aborted by the caller signal as timeout', async () => {
      fake.enqueue(c.route, { hang: true });
      const error = await failureOf(agentFor(c), agentRequest({ signal: AbortSignal.timeout(100) }));
      expect(failureClassOf(error)).toBe('timeout');
    });

    it('classifies a malformed JSON body as invalid_output', async () => {
      fake.enqueue(c.route, { malformed: true });
      const error = await failureOf(agentFor(c));
      expect(failureClassOf(error)).toBe('invalid_output');
    });

    it('classifies an empty answer as invalid_output', async () => {
      fake.enqueue(c.route, { text: '' });
      const error = await failureOf(agentFor(c));
      expect(failureClassOf(error)).toBe('invalid_output');
    });

    it('classifies 401 as auth without repeating the key the provider echoed', async () => {
      fake.enqueue(c.route, { status: 401 });
      const error = await failureOf(agentFor(c));
      expect(failureClassOf(error)).toBe('auth');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('401');
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain(ACCESS_KEY_ID);
      expect(JSON.stringify({ ...error.details, cause: String(error.cause) })).not.toContain(SECRET);
    });
  });

  describe('a missing key', () => {
    it(`fails as auth naming ${c.keyEnv}, without calling the provider`, async () => {
      const error = await failureOf(agentFor(c, { ...c.env, OTHER: SECRET }));
      expect(failureClassOf(error)).toBe('auth');
      expect(error.message).toContain(`agents.planner: the environment variable ${c.keyEnv} is not set`);
      expect(error.message).not.toContain(SECRET);
      expect(fake.requests).toHaveLength(0);
    });
  });
});
