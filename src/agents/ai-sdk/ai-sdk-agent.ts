/**
 * An agent backed by a cloud or local LLM through the Vercel AI SDK v6 (ARCHITECTURE decision 4).
 *
 * One call is one `generateText` request, with the SDK's own retries off (`maxRetries: 0`):
 * Converge's recovery policy owns retries, waits out `retry-after` and fails over between
 * providers (decision 8), and it can only do that when it sees every failure, classified.
 */
import { generateText } from 'ai';
import type { Agent, AgentRequest, AgentResponse } from '../agent.js';
import { agentFailure } from '../agent.js';
import { classifyAiSdkError } from './ai-sdk-errors.js';
import type { ErrorContext } from './ai-sdk-errors.js';
import { assertModelConfig, buildLanguageModel, providerKeyOf } from './ai-sdk-models.js';
import type { AiSdkAgentConfig, AiSdkProvider, BuiltModel } from './ai-sdk-models.js';
import { buildPrompt } from './ai-sdk-prompt.js';
import { toUsage } from './ai-sdk-usage.js';

export interface AiSdkAgentOptions {
  /** The role the entry belongs to, used in messages (`agents.planner: …`). */
  role: string;
  /** Where keys are read from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export class AiSdkAgent implements Agent {
  readonly id: string;
  readonly provider: string;
  readonly maxConcurrency?: number;
  readonly #config: Readonly<AiSdkAgentConfig & { provider: AiSdkProvider; model: string }>;
  readonly #role: string;
  readonly #env: NodeJS.ProcessEnv;
  #built: BuiltModel | undefined;

  /** Throws `CONFIG_INVALID` for an unusable entry; a missing key surfaces on the first call. */
  constructor(config: AiSdkAgentConfig, options: AiSdkAgentOptions) {
    assertModelConfig(config, options.role);
    this.#config = Object.freeze({ ...config });
    this.#role = options.role;
    this.#env = options.env ?? process.env;
    this.id = `${config.provider}:${config.model}`;
    this.provider = providerKeyOf(config);
    if (config.max_concurrency !== undefined) this.maxConcurrency = config.max_concurrency;
  }

  async call(request: AgentRequest): Promise<AgentResponse> {
    const config = this.#config;
    // Built on first use, so a fallback whose key is absent fails only if it is ever needed.
    this.#built ??= buildLanguageModel(config, { role: this.#role, env: this.#env });
    const built = this.#built;
    const limitMs = Math.min(request.timeoutMs, config.timeout_s !== undefined ? config.timeout_s * 1000 : Infinity);
    const timer = AbortSignal.timeout(limitMs);
    const signal = AbortSignal.any([request.signal, timer]);
    const context: ErrorContext = { provider: config.provider, model: config.model, providerKey: this.provider, secrets: built.secrets };

    let result: Awaited<ReturnType<typeof generateText>>;
    try {
      result = await generateText({
        model: built.model,
        ...buildPrompt(config.provider, config.model, request.prompt, request.staticPrompt, request.cacheBreakpoints),
        maxRetries: 0,
        abortSignal: signal,
        ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
        ...(config.max_output_tokens !== undefined ? { maxOutputTokens: config.max_output_tokens } : {}),
      });
    } catch (error) {
      const timedOutAfterMs = timer.aborted ? limitMs : request.signal.aborted ? request.timeoutMs : undefined;
      throw classifyAiSdkError(error, { ...context, ...(timedOutAfterMs !== undefined ? { timedOutAfterMs } : {}) });
    }

    const { usage } = toUsage(result.usage, {
      provider: config.provider,
      model: config.model,
      ...(config.price !== undefined ? { price: config.price } : {}),
    });
    if (result.text.trim() === '') {
      throw agentFailure(
        'invalid_output',
        `The ${config.provider} model ${config.model} answered with no text (finish reason: ${result.finishReason}).`,
        { provider: this.provider },
      );
    }
    return { text: result.text, usage };
  }
}
