/**
 * Builds the AI SDK language model for one agent entry of converge.yaml.
 *
 * Secrets come only from the environment, by the variable *name* the config gives
 * (`api_key_env`) or the provider's conventional default. Every option is passed explicitly, so
 * the providers never fall back to reading `process.env` on their own: the `env` handed to us is
 * the whole truth, which is what makes tests and per-workflow environments predictable.
 */
import type { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import type { createAnthropic } from '@ai-sdk/anthropic';
import type { createGoogleGenerativeAI } from '@ai-sdk/google';
import type { createOpenAI } from '@ai-sdk/openai';
import type { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { ConvergeError } from '../../core/errors.js';
import { agentFailure } from '../agent.js';
import type { AgentConfig } from '../agent-config.js';

export const AI_SDK_PROVIDERS = ['anthropic', 'openai', 'openai-chat', 'openai-compatible', 'bedrock', 'google'] as const;
export type AiSdkProvider = (typeof AI_SDK_PROVIDERS)[number];

/** A primary entry or one of its fallbacks (which carry no `fallback` of their own). */
export type AiSdkAgentConfig = Omit<AgentConfig, 'fallback'>;

/** The variable read when `api_key_env` is absent; undefined means a key is optional. */
export const DEFAULT_KEY_ENV: Readonly<Record<AiSdkProvider, string | undefined>> = Object.freeze({
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  'openai-chat': 'OPENAI_API_KEY',
  // Local servers (Ollama, vLLM, LM Studio) usually take no key.
  'openai-compatible': undefined,
  // Bedrock signs with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY unless api_key_env names a bearer key.
  bedrock: undefined,
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
});

export interface ModelContext {
  role: string;
  env: NodeJS.ProcessEnv;
}

export interface BuiltModel {
  model: LanguageModel;
  /** Credential values in use, so error messages can be scrubbed of them. */
  secrets: string[];
}

/**
 * A provider package takes 0.15–0.3 s to load, so each is imported when the first agent of its
 * kind is about to call (`loadProviderPackage`), not when the process starts: a worker restarting
 * after a crash, or a command that calls no model, does not wait for providers it does not use.
 */
interface ProviderFactories {
  anthropic: typeof createAnthropic;
  openai: typeof createOpenAI;
  'openai-compatible': typeof createOpenAICompatible;
  google: typeof createGoogleGenerativeAI;
  bedrock: typeof createAmazonBedrock;
}

const loaded: Partial<ProviderFactories> = {};

/** Imports the package `buildLanguageModel` needs for this provider (once per process). */
export async function loadProviderPackage(provider: AiSdkProvider): Promise<void> {
  switch (provider) {
    case 'anthropic':
      loaded.anthropic ??= (await import('@ai-sdk/anthropic')).createAnthropic;
      return;
    case 'openai':
    case 'openai-chat':
      loaded.openai ??= (await import('@ai-sdk/openai')).createOpenAI;
      return;
    case 'openai-compatible':
      loaded['openai-compatible'] ??= (await import('@ai-sdk/openai-compatible')).createOpenAICompatible;
      return;
    case 'google':
      loaded.google ??= (await import('@ai-sdk/google')).createGoogleGenerativeAI;
      return;
    case 'bedrock':
      loaded.bedrock ??= (await import('@ai-sdk/amazon-bedrock')).createAmazonBedrock;
      return;
  }
}

function factory<K extends keyof ProviderFactories>(name: K): ProviderFactories[K] {
  const create = loaded[name];
  if (create === undefined) throw new Error(`Internal error: the ${name} provider package was not loaded (await loadProviderPackage first).`);
  return create;
}

export function isAiSdkProvider(provider: string): provider is AiSdkProvider {
  return (AI_SDK_PROVIDERS as readonly string[]).includes(provider);
}

/** Checks what can be checked without the environment; a bad entry fails before the run starts. */
export function assertModelConfig(config: AiSdkAgentConfig, role: string): asserts config is AiSdkAgentConfig & { provider: AiSdkProvider; model: string } {
  if (!isAiSdkProvider(config.provider)) {
    throw new ConvergeError('CONFIG_INVALID', `agents.${role}: "${config.provider}" is not an AI SDK provider.`, {
      hint: `Use one of ${AI_SDK_PROVIDERS.join(', ')}.`,
    });
  }
  if (config.model === undefined || config.model.trim() === '') {
    throw new ConvergeError('CONFIG_INVALID', `agents.${role}: the ${config.provider} agent needs \`model: <name>\`.`, {
      hint: 'For example `model: claude-sonnet-4-5` or `model: gpt-4.1`.',
    });
  }
  if (config.provider === 'openai-compatible' && config.base_url === undefined) {
    throw new ConvergeError('CONFIG_INVALID', `agents.${role}: an openai-compatible agent needs \`base_url\`.`, {
      hint: 'For Ollama: `base_url: http://localhost:11434/v1`.',
    });
  }
}

/**
 * The key shared limits are counted under: the provider, plus the host when `base_url` points
 * elsewhere, because two Ollama boxes (or a proxy and the real API) do not share a rate limit.
 */
export function providerKeyOf(config: AiSdkAgentConfig): string {
  if (config.base_url === undefined) return config.provider;
  try {
    return `${config.provider}@${new URL(config.base_url).host}`;
  } catch {
    return config.provider;
  }
}

/**
 * Throws a classified `auth` failure when a required key is missing from the environment.
 * The provider's package must have been loaded with `loadProviderPackage`.
 */
export function buildLanguageModel(config: AiSdkAgentConfig, context: ModelContext): BuiltModel {
  assertModelConfig(config, context.role);
  const baseURL = config.base_url;
  const model = config.model;
  switch (config.provider) {
    case 'anthropic': {
      const apiKey = requireKey(config, context);
      return { model: factory('anthropic')({ apiKey, ...(baseURL ? { baseURL } : {}) })(model), secrets: [apiKey] };
    }
    case 'openai': {
      const apiKey = requireKey(config, context);
      // The default OpenAI model speaks the Responses API (/v1/responses).
      return { model: factory('openai')({ apiKey, ...(baseURL ? { baseURL } : {}) })(model), secrets: [apiKey] };
    }
    case 'openai-chat': {
      const apiKey = requireKey(config, context);
      return { model: factory('openai')({ apiKey, ...(baseURL ? { baseURL } : {}) }).chat(model), secrets: [apiKey] };
    }
    case 'openai-compatible': {
      const apiKey = optionalKey(config, context);
      const provider = factory('openai-compatible')({
        name: 'openai-compatible',
        baseURL: baseURL!,
        supportsStructuredOutputs: true,
        ...(apiKey !== undefined ? { apiKey } : {}),
      });
      return { model: provider(model), secrets: apiKey !== undefined ? [apiKey] : [] };
    }
    case 'google': {
      const apiKey = requireKey(config, context);
      return { model: factory('google')({ apiKey, ...(baseURL ? { baseURL } : {}) })(model), secrets: [apiKey] };
    }
    case 'bedrock':
      return buildBedrockModel(config as AiSdkAgentConfig & { model: string }, context);
  }
}

function buildBedrockModel(config: AiSdkAgentConfig & { model: string }, context: ModelContext): BuiltModel {
  const { env } = context;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const baseURL = config.base_url;
  if (config.api_key_env !== undefined) {
    // A Bedrock API key is a bearer token and replaces SigV4 signing.
    const apiKey = requireKey(config, context);
    return { model: factory('bedrock')({ region, apiKey, ...(baseURL ? { baseURL } : {}) })(config.model), secrets: [apiKey] };
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  for (const [name, value] of [
    ['AWS_ACCESS_KEY_ID', accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', secretAccessKey],
  ] as const) {
    if (value === undefined || value === '') throw missingKey(config, context, name);
  }
  const bedrock = factory('bedrock')({
    region,
    // An empty key switches the provider to SigV4 instead of reading AWS_BEARER_TOKEN_BEDROCK itself.
    apiKey: '',
    credentialProvider: async () => ({
      accessKeyId: accessKeyId!,
      secretAccessKey: secretAccessKey!,
      ...(sessionToken ? { sessionToken } : {}),
    }),
    ...(baseURL ? { baseURL } : {}),
  });
  return {
    model: bedrock(config.model),
    secrets: [accessKeyId!, secretAccessKey!, ...(sessionToken ? [sessionToken] : [])],
  };
}

function keyEnvOf(config: AiSdkAgentConfig): string | undefined {
  return config.api_key_env ?? DEFAULT_KEY_ENV[config.provider as AiSdkProvider];
}

function requireKey(config: AiSdkAgentConfig, context: ModelContext): string {
  const name = keyEnvOf(config);
  const value = name === undefined ? undefined : context.env[name];
  if (name === undefined || value === undefined || value.trim() === '') {
    throw missingKey(config, context, name ?? 'api_key_env');
  }
  return value.trim();
}

/** openai-compatible: a key only when `api_key_env` names one, and then it must be set. */
function optionalKey(config: AiSdkAgentConfig, context: ModelContext): string | undefined {
  return config.api_key_env === undefined ? undefined : requireKey(config, context);
}

function missingKey(config: AiSdkAgentConfig, context: ModelContext, variable: string) {
  return agentFailure(
    'auth',
    `agents.${context.role}: the environment variable ${variable} is not set, so the ${config.provider} agent (${config.model}) cannot authenticate.`,
    { provider: providerKeyOf(config) },
  );
}
