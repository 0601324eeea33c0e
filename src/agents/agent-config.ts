/**
 * Agent configuration, per role, as written in converge.yaml. Secrets never appear here:
 * only the *name* of the environment variable that holds a key.
 */
import { z } from 'zod';
import { SandboxModeSchema } from '../core/profile-schema.js';

/** `https://user:key@host/…`: credentials in a URL. */
function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

export const PROVIDERS = [
  'scripted',
  'external',
  'anthropic',
  'openai',
  'openai-chat',
  'openai-compatible',
  'bedrock',
  'google',
  'command',
] as const;
export const ProviderSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof ProviderSchema>;

const BaseAgentConfigSchema = z.strictObject({
  provider: ProviderSchema,
  model: z.string().optional(),
  base_url: z
    .string()
    .url()
    // A key in the URL ends up in logs, error messages and the audit trail, and the provider
    // libraries do not send it as a key anyway: it would only fail later, at call time.
    .refine((url) => !hasCredentials(url), 'has a user name or password in it; put the key in an environment variable and name that variable in api_key_env')
    .optional(),
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, not the key itself')
    .optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_output_tokens: z.number().int().positive().optional(),
  max_concurrency: z.number().int().positive().optional(),
  requests_per_minute: z.number().positive().optional(),
  tokens_per_minute: z.number().positive().optional(),
  timeout_s: z.number().positive().optional(),
  /** scripted: the session file of recorded outputs. */
  session: z.string().optional(),
  /** command: a preset (claude-code, codex, gemini, aider) or a generic command. */
  preset: z.enum(['claude-code', 'codex', 'gemini', 'aider']).optional(),
  command: z.array(z.string()).min(1).optional(),
  prompt_via: z.enum(['stdin', 'file', 'arg']).optional(),
  env_allow: z.array(z.string()).optional(),
  /** command: overrides converge.yaml's `sandbox` for this agent (it keeps the network either way). */
  sandbox: SandboxModeSchema.optional(),
  /**
   * command presets: `isolated` (default) gives each run a private home, so only the key Converge
   * hands over works; `inherit` uses the user's own (subscription logins, settings, MCP servers).
   */
  home: z.enum(['isolated', 'inherit']).optional(),
  /** command presets: how often the CLI itself retries a failed API call (default 1); Converge's recovery retries after that. */
  retries: z.number().int().min(0).max(9).optional(),
  /** This agent's circuit: consecutive provider failures that open it, and how long it stays open before a probe. */
  circuit_breaker: z
    .strictObject({ failures: z.number().int().positive().optional(), cool_down_s: z.number().positive().optional() })
    .optional(),
  /**
   * external: the person or coding agent who submits the result edits the workspace itself, so a
   * code step's change is taken from the workspace (default false: from the result's file blocks).
   */
  edits_in_place: z.boolean().optional(),
  /** Prices in USD per million tokens, overriding the built-in table. */
  price: z
    .strictObject({ input: z.number().min(0), output: z.number().min(0), cached_input: z.number().min(0).optional() })
    .optional(),
});

export const AgentConfigSchema = BaseAgentConfigSchema.extend({
  /** Providers tried in order when this one is down. */
  fallback: z.array(BaseAgentConfigSchema).default([]),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const AgentsConfigSchema = z.strictObject({
  default: AgentConfigSchema.optional(),
  planner: AgentConfigSchema.optional(),
  validator: AgentConfigSchema.optional(),
  programmer: AgentConfigSchema.optional(),
  advisor: AgentConfigSchema.optional(),
});
export type AgentsConfig = z.infer<typeof AgentsConfigSchema>;
