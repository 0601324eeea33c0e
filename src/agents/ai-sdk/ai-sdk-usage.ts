/**
 * Maps AI SDK v6 usage to Converge's `Usage` and prices it.
 *
 * v6 reports `inputTokens` as the whole prompt, with the cache parts in `inputTokenDetails`
 * (Anthropic `cache_read_input_tokens`, OpenAI `prompt_tokens_details.cached_tokens`, Bedrock
 * `cacheReadInputTokens`, Gemini `cachedContentTokenCount`). Converge keeps the same meaning:
 * `cachedInputTokens` is the part of `inputTokens` read from the cache.
 */
import type { LanguageModelUsage } from 'ai';
import type { Usage } from '../../core/records.js';
import { costOf } from '../pricing.js';
import type { Price } from '../pricing.js';

export interface PricedUsage {
  usage: Usage;
  /** False when the model has no known price (`costUsd` is then 0). */
  priced: boolean;
}

export function toUsage(raw: LanguageModelUsage, context: { provider: string; model: string; price?: Price }): PricedUsage {
  const inputTokens = raw.inputTokens ?? 0;
  const outputTokens = raw.outputTokens ?? 0;
  // `cachedInputTokens` is the deprecated v5 name; older provider packages may still fill only it.
  const cachedInputTokens = raw.inputTokenDetails?.cacheReadTokens ?? raw.cachedInputTokens ?? 0;
  const cacheWriteTokens = raw.inputTokenDetails?.cacheWriteTokens ?? 0;
  const { costUsd, priced } = costOf({ inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens }, context.model, context.price);
  return {
    usage: { inputTokens, outputTokens, cachedInputTokens, costUsd, provider: context.provider, model: context.model },
    priced,
  };
}
