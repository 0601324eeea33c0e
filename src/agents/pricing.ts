/**
 * What a model call cost, in USD. The table holds list prices per million tokens for common
 * models; `agents.<role>.price` in converge.yaml overrides it (negotiated rates, new models,
 * self-hosted servers that cost nothing).
 *
 * Token semantics follow AI SDK v6: `inputTokens` is the whole prompt, cache reads and cache
 * writes included; `cachedInputTokens` and `cacheWriteTokens` are the parts of it that were read
 * from or written to the provider's prompt cache. Each part is billed at its own rate.
 *
 * An unknown model costs 0 and comes back with `priced: false`: a budget cannot be enforced on a
 * price nobody told us, and guessing one would make reports look authoritative when they are not.
 * Callers may warn once and ask for a `price:` entry.
 */

/** USD per million tokens. Snake case because it is the shape of `price:` in converge.yaml. */
export interface Price {
  input: number;
  output: number;
  /** Cache reads; when absent they are billed as ordinary input. */
  cached_input?: number;
  /** Cache writes (Anthropic, Bedrock); when absent they are billed as ordinary input. */
  cache_write?: number;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
}

export interface Cost {
  costUsd: number;
  /** False when neither an override nor the table knew the model; `costUsd` is then 0. */
  priced: boolean;
}

/**
 * Matched by the longest prefix of the normalised model id, so dated snapshots
 * (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`) find their family.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = Object.freeze({
  // Anthropic: cache reads are 10 % of input, 5-minute cache writes 125 %.
  'claude-opus-4-5': { input: 5, output: 25, cached_input: 0.5, cache_write: 6.25 },
  'claude-opus-4': { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  'claude-3-opus': { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  'claude-sonnet-4': { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  'claude-3-7-sonnet': { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  'claude-3-5-sonnet': { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  'claude-haiku-4': { input: 1, output: 5, cached_input: 0.1, cache_write: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cached_input: 0.08, cache_write: 1 },
  'claude-3-haiku': { input: 0.25, output: 1.25, cached_input: 0.03, cache_write: 0.3 },
  // OpenAI: cached input is billed at a discount (0.1× for the GPT-5 family, 0.25× for GPT-4.1,
  // 0.5× for GPT-4o), cache writes cost nothing extra.
  'gpt-5-nano': { input: 0.05, output: 0.4, cached_input: 0.005 },
  'gpt-5-mini': { input: 0.25, output: 2, cached_input: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cached_input: 0.125 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cached_input: 0.025 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cached_input: 0.1 },
  'gpt-4.1': { input: 2, output: 8, cached_input: 0.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cached_input: 0.075 },
  'gpt-4o': { input: 2.5, output: 10, cached_input: 1.25 },
  'o4-mini': { input: 1.1, output: 4.4, cached_input: 0.275 },
  'o3-mini': { input: 1.1, output: 4.4, cached_input: 0.55 },
  o3: { input: 2, output: 8, cached_input: 0.5 },
  // Google: the ≤200k-token prompt tier; implicit cache hits at 0.1× (2.5), writes free.
  'gemini-2.5-pro': { input: 1.25, output: 10, cached_input: 0.125 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cached_input: 0.01 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cached_input: 0.03 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cached_input: 0.025 },
});

/**
 * Strips what providers put around a model name: a path (`models/gemini-2.5-pro`,
 * `anthropic/claude-…` on routers), and Bedrock's region and vendor prefixes
 * (`us.anthropic.claude-sonnet-4-…-v1:0`).
 */
export function normaliseModelId(model: string): string {
  let id = model.trim().toLowerCase();
  id = id.slice(id.lastIndexOf('/') + 1);
  id = id.replace(/^(?:us|eu|apac|au|jp|global)\./, '');
  id = id.replace(/^(?:anthropic|openai|google|meta|amazon|mistral)\./, '');
  return id;
}

/** The table entry for a model, or undefined when no prefix matches. */
export function priceOf(model: string, table: Readonly<Record<string, Price>> = DEFAULT_PRICES): Price | undefined {
  const id = normaliseModelId(model);
  let best: string | undefined;
  for (const prefix of Object.keys(table)) {
    if (id.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * What a cache read and a cache write cost relative to ordinary input for this price: Anthropic
 * 0.1× and 1.25× (5-minute entries), OpenAI and Gemini their cached-input discount and 1× (writes
 * are free). A price without cache rates bills both as ordinary input (1×).
 */
export function cacheMultipliers(price: Price): { read: number; write: number } {
  if (price.input === 0) return { read: 1, write: 1 };
  return { read: (price.cached_input ?? price.input) / price.input, write: (price.cache_write ?? price.input) / price.input };
}

export function costOf(usage: TokenCounts, model: string, override?: Price): Cost {
  const price = override ?? priceOf(model);
  if (price === undefined) return { costUsd: 0, priced: false };
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  // Providers may report cache parts that exceed the total (rounding, odd proxies): never bill negative input.
  const plain = Math.max(0, usage.inputTokens - cached - written);
  const micro =
    plain * price.input +
    cached * (price.cached_input ?? price.input) +
    written * (price.cache_write ?? price.input) +
    usage.outputTokens * price.output;
  return { costUsd: micro / 1_000_000, priced: true };
}
