/**
 * LLM agents through the Vercel AI SDK v6: Anthropic, OpenAI (Responses and chat-completions),
 * any OpenAI-compatible server (Ollama, vLLM, LM Studio), Amazon Bedrock and Google Gemini.
 *
 * @example
 * const agent = createAiSdkAgent({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, { role: 'planner' });
 */
import type { Agent } from '../agent.js';
import type { AiSdkAgent, AiSdkAgentOptions } from './ai-sdk-agent.js';
import { assertModelConfig, loadProviderPackage, providerKeyOf } from './ai-sdk-models.js';
import type { AiSdkAgentConfig } from './ai-sdk-models.js';

export type { AiSdkAgent, AiSdkAgentOptions } from './ai-sdk-agent.js';
export { AI_SDK_PROVIDERS, DEFAULT_KEY_ENV, isAiSdkProvider, providerKeyOf } from './ai-sdk-models.js';
export type { AiSdkAgentConfig, AiSdkProvider } from './ai-sdk-models.js';

/**
 * Throws `CONFIG_INVALID` for an entry without a model (or an openai-compatible one without `base_url`).
 *
 * The AI SDK and the provider's package (most of a second to load) are imported on the agent's
 * first call, not here: every process that builds an engine — a worker restarting after a crash,
 * `converge status` — creates its agents, and most never call a model.
 */
export function createAiSdkAgent(config: AiSdkAgentConfig, options: AiSdkAgentOptions): Agent {
  assertModelConfig(config, options.role);
  let agent: Promise<AiSdkAgent> | undefined;
  const load = async (): Promise<AiSdkAgent> => {
    const [{ AiSdkAgent }] = await Promise.all([import('./ai-sdk-agent.js'), loadProviderPackage(config.provider)]);
    return new AiSdkAgent(config, options);
  };
  // The same identity AiSdkAgent gives itself, known before it is loaded.
  return {
    id: `${config.provider}:${config.model}`,
    provider: providerKeyOf(config),
    ...(config.max_concurrency !== undefined ? { maxConcurrency: config.max_concurrency } : {}),
    async call(request) {
      agent ??= load();
      return (await agent).call(request);
    },
  };
}
