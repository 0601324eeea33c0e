/**
 * Picks the agent for a role from converge.yaml: the role's own entry, else `default`,
 * else `external` (Converge enforces the process while someone else does the thinking).
 */
import { resolve } from 'node:path';
import type { Role } from '../core/definition-schema.js';
import { ConvergeError } from '../core/errors.js';
import type { SandboxMode } from '../core/profile-schema.js';
import type { Agent } from './agent.js';
import type { AgentConfig, AgentsConfig } from './agent-config.js';
import { ScriptedAgent } from './scripted/scripted-agent.js';
import { createAiSdkAgent, providerKeyOf } from './ai-sdk/index.js';
import { createCommandAgent } from './command/index.js';
import { loadSession } from './scripted/scripted-session.js';
import { registerSecret, registerUrlCredentials } from '../store/record-redaction.js';
import type { LoadedSession } from './scripted/scripted-session.js';

/** `editsInPlace`: the external agent edits the workspace itself, so its code step's change is taken from there. */
export type AgentChoice = { kind: 'agent'; agent: Agent } | { kind: 'external'; editsInPlace?: boolean };

export interface AgentResolver {
  agentFor(role: Role, providerIndex: number): AgentChoice;
  /** The advisor for complex cases, when converge.yaml configures one. */
  advisor(): Agent | undefined;
  /** Concurrency limits per provider key, from `max_concurrency`. */
  limits(): Record<string, number>;
}

export function configFor(config: AgentsConfig, role: Role): AgentConfig {
  return config[role] ?? config.default ?? { provider: 'external', fallback: [] };
}

export interface AgentResolverOptions {
  /** converge.yaml's `sandbox`: command agents that set none of their own run in it. */
  sandbox?: SandboxMode;
}

export function createAgentResolver(config: AgentsConfig, baseDir: string, options: AgentResolverOptions = {}): AgentResolver {
  const sessions = new Map<string, LoadedSession>();
  const cache = new Map<string, AgentChoice>();

  const build = (entry: AgentConfig | Omit<AgentConfig, 'fallback'>, role: Role): AgentChoice => {
    registerAgentSecrets(entry);
    switch (entry.provider) {
      case 'external':
        return entry.edits_in_place === true ? { kind: 'external', editsInPlace: true } : { kind: 'external' };
      case 'scripted': {
        if (entry.session === undefined) {
          throw new ConvergeError('CONFIG_INVALID', `agents.${role}: a scripted agent needs \`session: <file>\`.`, {
            hint: 'Point it at a recorded session file (see examples/demo/session.yaml).',
          });
        }
        const path = resolve(baseDir, entry.session);
        let session = sessions.get(path);
        if (session === undefined) {
          session = loadSession(path);
          sessions.set(path, session);
        }
        return { kind: 'agent', agent: new ScriptedAgent(session) };
      }
      case 'anthropic':
      case 'openai':
      case 'openai-chat':
      case 'openai-compatible':
      case 'bedrock':
      case 'google':
        return { kind: 'agent', agent: createAiSdkAgent(entry, { role }) };
      case 'command':
        return { kind: 'agent', agent: createCommandAgent(entry, { role, ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }) }) };
    }
  };

  const chainFor = (role: Role) => {
    const primary = configFor(config, role);
    return [primary, ...primary.fallback];
  };

  // Build every configured agent once up front, so a bad config fails before the run starts.
  for (const role of ['planner', 'validator', 'programmer'] as const) {
    chainFor(role).forEach((entry, i) => cache.set(`${role}:${i}`, build(entry, role)));
  }

  return {
    agentFor(role, providerIndex) {
      const chain = chainFor(role);
      const index = Math.min(providerIndex, chain.length - 1);
      return cache.get(`${role}:${index}`) ?? build(chain[index]!, role);
    },
    advisor() {
      if (config.advisor === undefined) return undefined;
      const choice = cache.get('advisor:0') ?? build(config.advisor, 'advisor' as Role);
      cache.set('advisor:0', choice);
      return choice.kind === 'agent' ? choice.agent : undefined;
    },
    limits() {
      const limits: Record<string, number> = {};
      for (const role of ['planner', 'validator', 'programmer'] as const) {
        for (const entry of chainFor(role)) {
          if (entry.max_concurrency === undefined) continue;
          const key = entry.provider === 'scripted' || entry.provider === 'external' || entry.provider === 'command' ? entry.provider : providerKeyOf(entry);
          limits[key] = entry.max_concurrency;
        }
      }
      return limits;
    },
  };
}

/**
 * The key an agent is configured with never reaches the record, even when its variable has a
 * name that does not look like a key (`api_key_env: MY_LLM`), nor does a password in its base URL.
 */
function registerAgentSecrets(entry: Partial<Record<'api_key_env' | 'base_url', unknown>>): void {
  if (typeof entry.api_key_env === 'string') registerSecret(process.env[entry.api_key_env]);
  if (typeof entry.base_url === 'string') registerUrlCredentials(entry.base_url);
}
