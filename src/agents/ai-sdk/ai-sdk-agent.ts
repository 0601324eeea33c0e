/**
 * An agent backed by a cloud or local LLM through the Vercel AI SDK v6 (ARCHITECTURE decision 4).
 *
 * One call is one `generateText` request, with the SDK's own retries off (`maxRetries: 0`):
 * Converge's recovery policy owns retries, waits out `retry-after` and fails over between
 * providers (decision 8), and it can only do that when it sees every failure, classified.
 *
 * A reply cut at the model's output limit (finish reason `length`) is continued: the model gets
 * its own partial answer back and is asked to go on from where it stopped, and the parts are
 * joined. Still cut after MAX_CONTINUATIONS, it is `invalid_output` — truncated, never complete.
 */
import { generateText } from 'ai';
import type { LanguageModelUsage, ModelMessage } from 'ai';
import type { Agent, AgentCircuit, AgentRequest, AgentResponse } from '../agent.js';
import { agentCircuit, agentFailure } from '../agent.js';
import { classifyAiSdkError } from './ai-sdk-errors.js';
import type { ErrorContext } from './ai-sdk-errors.js';
import { assertModelConfig, buildLanguageModel, providerKeyOf } from './ai-sdk-models.js';
import type { AiSdkAgentConfig, AiSdkProvider, BuiltModel } from './ai-sdk-models.js';
import { buildPrompt } from './ai-sdk-prompt.js';
import type { PromptInput } from './ai-sdk-prompt.js';
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
  readonly circuit: AgentCircuit;
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
    // One circuit per provider (its host included) and model.
    this.circuit = agentCircuit(`${this.provider}:${config.model}`, config.circuit_breaker);
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

    const generate = async (prompt: PromptInput): Promise<Awaited<ReturnType<typeof generateText>>> => {
      try {
        return await generateText({
          model: built.model,
          ...prompt,
          maxRetries: 0,
          abortSignal: signal,
          ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
          ...(config.max_output_tokens !== undefined ? { maxOutputTokens: config.max_output_tokens } : {}),
        });
      } catch (error) {
        const timedOutAfterMs = timer.aborted ? limitMs : request.signal.aborted ? request.timeoutMs : undefined;
        throw classifyAiSdkError(error, { ...context, ...(timedOutAfterMs !== undefined ? { timedOutAfterMs } : {}) });
      }
    };

    const prompt = buildPrompt(config.provider, config.model, request.prompt, request.staticPrompt, request.cacheBreakpoints);
    let result = await generate(prompt);
    const usages = [result.usage];
    let text = result.text;
    for (let round = 0; result.finishReason === 'length' && round < MAX_CONTINUATIONS; round++) {
      result = await generate({ messages: [...messagesOf(prompt), { role: 'assistant', content: text }, { role: 'user', content: CONTINUE_PROMPT }] });
      usages.push(result.usage);
      text += result.text;
    }
    const { usage } = toUsage(sumUsage(usages), {
      provider: config.provider,
      model: config.model,
      ...(config.price !== undefined ? { price: config.price } : {}),
    });
    if (result.finishReason === 'length') {
      throw agentFailure(
        'invalid_output',
        `truncated: the ${config.provider} model ${config.model} stopped at its output limit ${MAX_CONTINUATIONS + 1} times ` +
          `(${text.length} characters so far); a cut-off answer is never recorded as complete. Raise max_output_tokens, or ask for a shorter answer.`,
        { provider: this.provider },
      );
    }
    if (text.trim() === '') {
      throw agentFailure(
        'invalid_output',
        `The ${config.provider} model ${config.model} answered with no text (finish reason: ${result.finishReason}).`,
        { provider: this.provider },
      );
    }
    return { text, usage };
  }
}

/** Continuations of one reply cut at the output limit, before it counts as truncated. */
export const MAX_CONTINUATIONS = 2;

const CONTINUE_PROMPT =
  'Your reply was cut off at the output limit. Continue exactly where it stopped, mid-word if need be: ' +
  'do not repeat anything already written, do not start over, and add no preamble.';

function messagesOf(prompt: PromptInput): ModelMessage[] {
  return 'messages' in prompt ? prompt.messages : [{ role: 'user', content: prompt.prompt }];
}

/** The usage of a continued reply: every request's tokens, as each was billed. */
function sumUsage(parts: readonly LanguageModelUsage[]): LanguageModelUsage {
  if (parts.length === 1) return parts[0]!;
  const add = (pick: (u: LanguageModelUsage) => number | undefined) => parts.reduce((sum, u) => sum + (pick(u) ?? 0), 0);
  return {
    inputTokens: add((u) => u.inputTokens),
    outputTokens: add((u) => u.outputTokens),
    totalTokens: add((u) => u.totalTokens),
    inputTokenDetails: {
      cacheReadTokens: add((u) => u.inputTokenDetails?.cacheReadTokens ?? u.cachedInputTokens),
      cacheWriteTokens: add((u) => u.inputTokenDetails?.cacheWriteTokens),
      noCacheTokens: add((u) => u.inputTokenDetails?.noCacheTokens),
    },
    outputTokenDetails: {
      textTokens: add((u) => u.outputTokenDetails?.textTokens),
      reasoningTokens: add((u) => u.outputTokenDetails?.reasoningTokens),
    },
  } as LanguageModelUsage;
}
