/**
 * LLM agents through the Vercel AI SDK v6: Anthropic, OpenAI (Responses and chat-completions),
 * any OpenAI-compatible server (Ollama, vLLM, LM Studio), Amazon Bedrock and Google Gemini.
 *
 * @example
 * const agent = createAiSdkAgent({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, { role: 'planner' });
 */
import type { Agent } from '../agent.js';
import { AiSdkAgent } from './ai-sdk-agent.js';
import type { AiSdkAgentConfig } from './ai-sdk-models.js';

export { AiSdkAgent } from './ai-sdk-agent.js';
export type { AiSdkAgentOptions } from './ai-sdk-agent.js';
export { retryAfterMsOf, scrubSecrets } from './ai-sdk-errors.js';
export { AI_SDK_PROVIDERS, DEFAULT_KEY_ENV, isAiSdkProvider, providerKeyOf } from './ai-sdk-models.js';
export type { AiSdkAgentConfig, AiSdkProvider } from './ai-sdk-models.js';

/** Throws `CONFIG_INVALID` for an entry without a model (or an openai-compatible one without `base_url`). */
export function createAiSdkAgent(config: AiSdkAgentConfig, options: { role: string; env?: NodeJS.ProcessEnv }): Agent {
  return new AiSdkAgent(config, options);
}
