/** The fake must be faithful enough that the real AI SDK providers accept it, streaming included. */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlmServer } from './fake-llm-server.js';
import type { FakeLlmServer } from './fake-llm-server.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer({ defaultText: 'default answer' });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.concurrencyLimit = undefined;
});

const post = (path: string, body: unknown) =>
  fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('startFakeLlmServer', () => {
  describe('streaming', () => {
    it('streams Anthropic SSE with cache usage that streamText reads', async () => {
      fake.enqueue('anthropic', { text: 'a streamed answer that spans several chunks', usage: { inputTokens: 3000, cachedInputTokens: 2000, cacheWriteTokens: 500 } });
      const model = createAnthropic({ apiKey: 'k', baseURL: fake.baseUrl('anthropic') })('claude-haiku-4-5');
      const result = streamText({ model, prompt: 'hi', maxRetries: 0 });
      expect(await result.text).toBe('a streamed answer that spans several chunks');
      const usage = await result.usage;
      expect(usage).toMatchObject({ inputTokens: 3000, inputTokenDetails: { cacheReadTokens: 2000, cacheWriteTokens: 500 } });
      expect(fake.requests[0]!.body.stream).toBe(true);
    });

    it('streams chat-completions chunks ending in [DONE]', async () => {
      fake.enqueue('openai-chat', { text: 'streamed from a compatible server', usage: { inputTokens: 50, cachedInputTokens: 10 } });
      const provider = createOpenAICompatible({ name: 'local', baseURL: fake.baseUrl('openai-compatible'), includeUsage: true });
      const result = streamText({ model: provider('llama3'), prompt: 'hi', maxRetries: 0 });
      expect(await result.text).toBe('streamed from a compatible server');
      expect(await result.usage).toMatchObject({ inputTokens: 50, inputTokenDetails: { cacheReadTokens: 10 } });
    });
  });

  describe('scripting', () => {
    it('answers the default text when the queue is empty, and queued behaviours in order', async () => {
      fake.enqueue('any', { text: 'first' });
      const texts = [];
      for (let i = 0; i < 2; i++) {
        const response = await post('/v1/chat/completions', { model: 'm', messages: [] });
        texts.push(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content);
      }
      expect(texts).toEqual(['first', 'default answer']);
    });

    it('answers 404 for a route it does not know', async () => {
      expect((await post('/v1/embeddings', {})).status).toBe(404);
    });
  });

  describe('concurrency', () => {
    it('tracks the most requests in flight at once', async () => {
      fake.enqueue('openai-chat', { delayMs: 100 }, { delayMs: 100 }, { delayMs: 100 });
      await Promise.all([1, 2, 3].map(() => post('/v1/chat/completions', { model: 'm', messages: [] }).then((r) => r.text())));
      expect(fake.maxInFlight).toBe(3);
      expect(fake.inFlight).toBe(0);
    });

    it('refuses requests over the limit with 429 and retry-after', async () => {
      fake.concurrencyLimit = 1;
      fake.enqueue('openai-chat', { delayMs: 150 });
      const [first, second] = await Promise.all([
        post('/v1/chat/completions', { model: 'm', messages: [] }),
        new Promise((resolve) => setTimeout(resolve, 30)).then(() => post('/v1/chat/completions', { model: 'm', messages: [] })),
      ]);
      expect(first.status).toBe(200);
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(fake.rejected).toBe(1);
      expect(fake.maxInFlight).toBe(1);
    });
  });
});
