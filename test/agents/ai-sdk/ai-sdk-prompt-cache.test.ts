import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAiSdkAgent } from '../../../src/agents/ai-sdk/index.js';
import type { AiSdkAgentConfig } from '../../../src/agents/ai-sdk/index.js';
import { startFakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import { agentRequest } from './agent-request.js';
import { buildPrompt, cacheCuts, MAX_CACHE_BREAKPOINTS } from '../../../src/agents/ai-sdk/ai-sdk-prompt.js';

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

  describe('several cache breakpoints', () => {
    const HANDBOOK = 'Handbook shared by every step.\n';
    const WORKFLOW = 'Requirements and plan of this workflow.\n';
    const STEP = 'Inputs both reviews share.\n';
    const ASK = 'Review the code.';
    const prompt = HANDBOOK + WORKFLOW + STEP + ASK;
    const marks = [HANDBOOK.length, HANDBOOK.length + WORKFLOW.length, HANDBOOK.length + WORKFLOW.length + STEP.length];

    it('gives Anthropic one cached block per breakpoint, then the rest', () => {
      const built = buildPrompt('anthropic', 'claude-sonnet-4-5', prompt, HANDBOOK + WORKFLOW, marks);
      const cache = { anthropic: { cacheControl: { type: 'ephemeral' } } };
      expect(built).toEqual({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: HANDBOOK, providerOptions: cache },
              { type: 'text', text: WORKFLOW, providerOptions: cache },
              { type: 'text', text: STEP, providerOptions: cache },
              { type: 'text', text: ASK },
            ],
          },
        ],
      });
    });

    it('gives Bedrock Claude a cache point after each breakpoint', () => {
      const built = buildPrompt('bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0', prompt, undefined, marks);
      expect('messages' in built && built.messages[0]!.content).toHaveLength(4);
    });

    it('keeps the plain prompt for providers that cache prefixes on their own', () => {
      expect(buildPrompt('openai-chat', 'gpt-4.1', prompt, HANDBOOK, marks)).toEqual({ prompt });
    });

    it('cuts at the breakpoints inside the prompt and at the end of the static part, at most four, longest kept', () => {
      expect(cacheCuts(prompt, HANDBOOK + WORKFLOW)).toEqual([marks[1]]);
      expect(cacheCuts(prompt, HANDBOOK + WORKFLOW, [marks[2]!, marks[0]!, marks[0]!, 0, prompt.length + 5, 2.5])).toEqual(marks);
      expect(cacheCuts(prompt, 'not a prefix', [marks[0]!])).toEqual([marks[0]]);
      expect(cacheCuts(prompt, undefined, [1, 2, 3, 4, 5, 6])).toEqual([3, 4, 5, 6]);
      expect(MAX_CACHE_BREAKPOINTS).toBe(4);
    });
  });
});
