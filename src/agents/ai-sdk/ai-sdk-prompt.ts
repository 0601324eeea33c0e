/**
 * Shapes the prompt so providers can reuse the part that repeats every round.
 *
 * The engine sends `prompt = staticPrompt + dynamic rest`. For Anthropic (and Claude on Bedrock)
 * the static part becomes its own text block carrying a cache breakpoint, and the rest follows as
 * a second block. The breakpoint is set whenever there is a static part, without counting tokens:
 * below the model's minimum (1,024 tokens for Sonnet/Opus, 2,048 for Haiku) Anthropic simply does
 * not cache, at no extra cost, so a local estimate would only add a way to be wrong.
 *
 * OpenAI and Gemini cache long shared prefixes on their own, and the static part already comes
 * first, so they get the plain prompt.
 */
import type { ModelMessage, TextPart } from 'ai';
import type { AiSdkProvider } from './ai-sdk-models.js';

export type PromptInput = { prompt: string } | { messages: ModelMessage[] };

export function buildPrompt(provider: AiSdkProvider, model: string, prompt: string, staticPrompt: string | undefined): PromptInput {
  const cacheMark = cacheMarkFor(provider, model);
  if (cacheMark === undefined || staticPrompt === undefined || staticPrompt === '' || !prompt.startsWith(staticPrompt)) {
    return { prompt };
  }
  const rest = prompt.slice(staticPrompt.length);
  const content: TextPart[] = [{ type: 'text', text: staticPrompt, providerOptions: cacheMark }];
  if (rest !== '') content.push({ type: 'text', text: rest });
  return { messages: [{ role: 'user', content }] };
}

function cacheMarkFor(provider: AiSdkProvider, model: string): TextPart['providerOptions'] {
  if (provider === 'anthropic') return { anthropic: { cacheControl: { type: 'ephemeral' } } };
  // Bedrock rejects cache points on models that do not support them, so only Claude gets one.
  if (provider === 'bedrock' && model.toLowerCase().includes('claude')) return { bedrock: { cachePoint: { type: 'default' } } };
  return undefined;
}
