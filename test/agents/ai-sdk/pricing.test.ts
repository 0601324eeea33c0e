// Mirrors src/agents/pricing.ts; it lives here because the AI SDK agents are its only user so far.
import { describe, expect, it } from 'vitest';
import { cacheMultipliers, costOf, normaliseModelId, priceOf } from '../../../src/agents/pricing.js';

describe('priceOf', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 3],
    ['claude-opus-4-5', 5],
    ['claude-opus-4-1', 15],
    ['claude-3-5-haiku-latest', 0.8],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 3],
    ['gpt-4o-mini-2024-07-18', 0.15],
    ['gpt-4o', 2.5],
    ['gpt-4.1-nano', 0.1],
    ['gpt-5-mini', 0.25],
    ['models/gemini-2.5-flash-lite', 0.1],
    ['gemini-2.5-pro', 1.25],
  ])('prices %s by the longest matching prefix (input %s $/M)', (model, input) => {
    expect(priceOf(model)?.input).toBe(input);
  });

  it('knows nothing of a local model', () => {
    expect(priceOf('llama3.1:8b')).toBeUndefined();
  });
});

describe('normaliseModelId', () => {
  it('strips Bedrock region and vendor prefixes and router paths', () => {
    expect(normaliseModelId('eu.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBe('claude-3-7-sonnet-20250219-v1:0');
    expect(normaliseModelId('openrouter/anthropic/Claude-Haiku-4-5')).toBe('claude-haiku-4-5');
  });
});

describe('costOf', () => {
  it('bills plain input, cache reads, cache writes and output at their own rates', () => {
    const cost = costOf({ inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteTokens: 2_000, outputTokens: 1_000 }, 'claude-sonnet-4-5');
    // 2,000 × 3 + 6,000 × 0.3 + 2,000 × 3.75 + 1,000 × 15 = 30,300 per million
    expect(cost).toEqual({ costUsd: expect.closeTo(0.0303, 10), priced: true });
  });

  it('uses the config price over the table, billing cache reads as input when it has no cached_input', () => {
    const cost = costOf({ inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 0 }, 'gpt-4o', { input: 1, output: 2 });
    expect(cost.costUsd).toBeCloseTo(1, 10);
  });

  it('returns 0 with priced false for an unknown model', () => {
    expect(costOf({ inputTokens: 100, outputTokens: 100 }, 'my-finetune')).toEqual({ costUsd: 0, priced: false });
  });

  it('never bills negative input when cache parts exceed the total', () => {
    expect(costOf({ inputTokens: 10, cachedInputTokens: 50, outputTokens: 0 }, 'gpt-4o').costUsd).toBeGreaterThanOrEqual(0);
  });
});

describe('cacheMultipliers', () => {
  it("gives each provider's cache read and write rates relative to input, 1× where the price has none", () => {
    expect(cacheMultipliers(priceOf('claude-sonnet-4-5')!)).toEqual({ read: expect.closeTo(0.1, 10), write: expect.closeTo(1.25, 10) });
    expect(cacheMultipliers(priceOf('gpt-5')!)).toEqual({ read: expect.closeTo(0.1, 10), write: 1 });
    expect(cacheMultipliers(priceOf('gpt-4o')!)).toEqual({ read: expect.closeTo(0.5, 10), write: 1 });
    expect(cacheMultipliers({ input: 1, output: 2 })).toEqual({ read: 1, write: 1 });
    expect(cacheMultipliers({ input: 0, output: 0 })).toEqual({ read: 1, write: 1 });
  });
});
