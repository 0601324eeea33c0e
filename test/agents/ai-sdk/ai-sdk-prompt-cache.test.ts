import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAiSdkAgent } from '../../../src/agents/ai-sdk/index.js';
import type { AiSdkAgentConfig } from '../../../src/agents/ai-sdk/index.js';
import { startFakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import { agentRequest } from './agent-request.js';

const STATIC = 'You are the planner. Follow the rubric below.\n'.repeat(40);
const DYNAMIC = 'Requirements: add a login page.';
const ENV = { ANTHROPIC_API_KEY: 'k-anthropic', OPENAI_API_KEY: 'k-openai', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' };

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

async function send(config: Omit<AiSdkAgentConfig, 'base_url'>, prompt = STATIC + DYNAMIC, staticPrompt: string | undefined = STATIC) {
  const agent = createAiSdkAgent({ ...config, base_url: fake.baseUrl(config.provider as 'anthropic') }, { role: 'planner', env: ENV });
  await agent.call(agentRequest({ prompt, ...(staticPrompt !== undefined ? { staticPrompt } : {}) }));
  return fake.requests[0]!.body;
}

describe('prompt caching', () => {
  describe('anthropic', () => {
    it('marks the static part with cache_control and sends the dynamic rest after it', async () => {
      const body = await send({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
      expect(body.messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: STATIC, cache_control: { type: 'ephemeral' } },
            { type: 'text', text: DYNAMIC },
          ],
        },
      ]);
    });

    it('sends one plain block when there is no static part', async () => {
      const body = await send({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, DYNAMIC, undefined);
      expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: DYNAMIC }] }]);
    });

    it('sends one plain block when the static part is not a prefix of the prompt', async () => {
      const body = await send({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, DYNAMIC, 'something else');
      expect(JSON.stringify(body)).not.toContain('cache_control');
    });

    it('forwards temperature and max_output_tokens', async () => {
      const body = await send({ provider: 'anthropic', model: 'claude-sonnet-4-5', temperature: 0.2, max_output_tokens: 900 });
      expect(body).toMatchObject({ temperature: 0.2, max_tokens: 900 });
    });
  });

  describe('bedrock', () => {
    it('adds a cache point after the static part of a Claude model', async () => {
      const body = await send({ provider: 'bedrock', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' });
      expect(body.messages[0].content).toEqual([{ text: STATIC }, { cachePoint: { type: 'default' } }, { text: DYNAMIC }]);
    });

    it('adds no cache point for a model without prompt caching', async () => {
      const body = await send({ provider: 'bedrock', model: 'meta.llama3-70b-instruct-v1:0' });
      expect(JSON.stringify(body)).not.toContain('cachePoint');
    });
  });

  describe('openai', () => {
    it('sends the plain prompt, static part first, for automatic prefix caching', async () => {
      const body = await send({ provider: 'openai-chat', model: 'gpt-4.1' });
      expect(body.messages).toEqual([{ role: 'user', content: STATIC + DYNAMIC }]);
    });
  });
});
