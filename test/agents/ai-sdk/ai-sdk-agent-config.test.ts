import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failureClassOf } from '../../../src/agents/agent.js';
import { createAiSdkAgent } from '../../../src/agents/ai-sdk/index.js';
import { startFakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import { agentRequest, failureOf } from './agent-request.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

/** A port nothing listens on: bind one, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createAiSdkAgent', () => {
  describe('identity', () => {
    it('names the agent <provider>:<model> and counts limits under the provider', () => {
      const agent = createAiSdkAgent({ provider: 'anthropic', model: 'claude-sonnet-4-5', max_concurrency: 3 }, { role: 'planner', env: {} });
      expect(agent).toMatchObject({ id: 'anthropic:claude-sonnet-4-5', provider: 'anthropic', maxConcurrency: 3 });
    });

    it('adds the base_url host to the limiter key, without credentials', () => {
      const agent = createAiSdkAgent(
        { provider: 'openai-compatible', model: 'qwen2.5-coder', base_url: 'http://user:pw@gpu-box:11434/v1' },
        { role: 'programmer', env: {} },
      );
      expect(agent.provider).toBe('openai-compatible@gpu-box:11434');
    });
  });

  describe('an unusable entry', () => {
    it('refuses an entry without a model', () => {
      expect(() => createAiSdkAgent({ provider: 'openai' }, { role: 'validator', env: {} })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('agents.validator') }),
      );
    });

    it('refuses an openai-compatible entry without base_url', () => {
      expect(() => createAiSdkAgent({ provider: 'openai-compatible', model: 'llama3' }, { role: 'planner', env: {} })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    });

    it('refuses a provider that is not an AI SDK one', () => {
      expect(() => createAiSdkAgent({ provider: 'scripted', model: 'x' }, { role: 'planner', env: {} })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    });
  });

  describe('an openai-compatible server without a key (Ollama)', () => {
    it('sends no Authorization header and prices an unknown model at 0', async () => {
      const agent = createAiSdkAgent({ provider: 'openai-compatible', model: 'llama3.1:8b', base_url: fake.baseUrl('openai-compatible') }, { role: 'planner', env: {} });
      const response = await agent.call(agentRequest());
      expect(fake.requests[0]!.headers.authorization).toBeUndefined();
      expect(response.usage).toMatchObject({ costUsd: 0, provider: 'openai-compatible', model: 'llama3.1:8b' });
    });
  });

  describe('api_key_env', () => {
    it('reads the key from the named variable instead of the default one', async () => {
      const agent = createAiSdkAgent(
        { provider: 'anthropic', model: 'claude-haiku-4-5', base_url: fake.baseUrl('anthropic'), api_key_env: 'TEAM_CLAUDE_KEY' },
        { role: 'planner', env: { TEAM_CLAUDE_KEY: 'team-key-123', ANTHROPIC_API_KEY: 'personal-key' } },
      );
      await agent.call(agentRequest());
      expect(fake.requests[0]!.headers['x-api-key']).toBe('team-key-123');
    });

    it('uses a named Bedrock key as a bearer token instead of SigV4', async () => {
      const agent = createAiSdkAgent(
        { provider: 'bedrock', model: 'amazon.nova-pro-v1:0', base_url: fake.baseUrl('bedrock'), api_key_env: 'BEDROCK_KEY' },
        { role: 'planner', env: { BEDROCK_KEY: 'bedrock-bearer-1' } },
      );
      await agent.call(agentRequest());
      expect(fake.requests[0]!.headers.authorization).toBe('Bearer bedrock-bearer-1');
    });
  });

  describe('timeouts', () => {
    it('applies timeout_s when it is shorter than the request timeout', async () => {
      fake.enqueue('anthropic', { hang: true });
      const agent = createAiSdkAgent(
        { provider: 'anthropic', model: 'claude-haiku-4-5', base_url: fake.baseUrl('anthropic'), timeout_s: 0.2 },
        { role: 'planner', env: { ANTHROPIC_API_KEY: 'k' } },
      );
      const error = await failureOf(agent, agentRequest({ timeoutMs: 60_000 }));
      expect(failureClassOf(error)).toBe('timeout');
      expect(error.message).toContain('200 ms');
    });
  });

  describe('an unreachable server', () => {
    it('fails as provider_down', async () => {
      const agent = createAiSdkAgent(
        { provider: 'openai-chat', model: 'gpt-4.1', base_url: `http://127.0.0.1:${await closedPort()}/v1` },
        { role: 'planner', env: { OPENAI_API_KEY: 'sk-unreachable-0000000000' } },
      );
      const error = await failureOf(agent);
      expect(failureClassOf(error)).toBe('provider_down');
      expect(error.message).not.toContain('sk-unreachable-0000000000');
    });
  });
});
