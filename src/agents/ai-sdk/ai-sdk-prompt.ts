/**
 * Shapes the prompt so providers can reuse the parts that repeat across calls.
 *
 * The engine sends `prompt = staticPrompt + dynamic rest`. The built-in templates put a handbook
 * shared by every step first, then the workflow's inputs (requirements, workspace, plan), then, in
 * the code reviews and the refinement, the current code, then the step's own inputs and
 * instructions, and mark each of those boundaries as a cache breakpoint
 * (`RenderedParts.cacheBreakpoints`); `staticPrompt` ends at the workflow inputs.
 *
 * For Anthropic (and Claude on Bedrock) the prompt becomes one text block per breakpoint, each
 * carrying a cache mark, then the rest. A later call that repeats a prefix up to any of those
 * marks reads it from the cache: the handbook across workflows, the workflow's inputs across the
 * workflow's calls, the code across a round's two reviews and the refinement after them, a
 * round's review inputs across its two reviews (four marks, Anthropic's limit). The marks are set without
 * counting tokens: below the model's minimum (1,024 tokens for Sonnet/Opus, 2,048 for Haiku)
 * Anthropic simply does not cache, at no extra cost, so a local estimate would only add a way to
 * be wrong. Given only `staticPrompt`, the prompt gets the one mark at its end.
 *
 * OpenAI and Gemini cache long shared prefixes on their own, and the shared parts already come
 * first, so they get the plain prompt.
 */
import type { ModelMessage, TextPart } from 'ai';
import type { AiSdkProvider } from './ai-sdk-models.js';

export type PromptInput = { prompt: string } | { messages: ModelMessage[] };

/** Anthropic accepts at most four cache breakpoints in a request, and Bedrock four cache points. */
export const MAX_CACHE_BREAKPOINTS = 4;

export function buildPrompt(
  provider: AiSdkProvider,
  model: string,
  prompt: string,
  staticPrompt: string | undefined,
  breakpoints: readonly number[] = [],
): PromptInput {
  const cacheMark = cacheMarkFor(provider, model);
  if (cacheMark === undefined) return { prompt };
  const cuts = cacheCuts(prompt, staticPrompt, breakpoints);
  if (cuts.length === 0) return { prompt };
  const content: TextPart[] = [];
  let from = 0;
  for (const cut of cuts) {
    content.push({ type: 'text', text: prompt.slice(from, cut), providerOptions: cacheMark });
    from = cut;
  }
  if (from < prompt.length) content.push({ type: 'text', text: prompt.slice(from) });
  return { messages: [{ role: 'user', content }] };
}

/**
 * Where the prompt is cut into cached blocks: the given breakpoints inside the prompt and the end of
 * `staticPrompt` when it is a prefix of the prompt, ascending, the longest prefixes kept when there
 * are more than a request may mark.
 */
export function cacheCuts(prompt: string, staticPrompt: string | undefined, breakpoints: readonly number[] = []): number[] {
  const cuts = new Set(breakpoints.filter((at) => Number.isInteger(at) && at > 0 && at <= prompt.length));
  if (staticPrompt !== undefined && staticPrompt !== '' && prompt.startsWith(staticPrompt)) cuts.add(staticPrompt.length);
  return [...cuts].sort((a, b) => a - b).slice(-MAX_CACHE_BREAKPOINTS);
}

function cacheMarkFor(provider: AiSdkProvider, model: string): TextPart['providerOptions'] {
  if (provider === 'anthropic') return { anthropic: { cacheControl: { type: 'ephemeral' } } };
  // Bedrock rejects cache points on models that do not support them, so only Claude gets one.
  if (provider === 'bedrock' && model.toLowerCase().includes('claude')) return { bedrock: { cachePoint: { type: 'default' } } };
  return undefined;
}
