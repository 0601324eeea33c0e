/**
 * Whether the agents of a workflow can run on this machine, asked before anything is recorded:
 * the key variable of each model provider, and the program of each command agent. A workflow
 * whose agent cannot even start would otherwise be recorded, fail at its first step and
 * escalate to a person, who could do nothing but fix the environment and start again.
 *
 * A primary agent that cannot run refuses the start. A fallback or the advisor only warns: the
 * primary may never fail, and when it does the recovery policy reaches a person anyway.
 * scripted and external agents need nothing from the machine.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Role } from '../core/definition-schema.js';
import { ConvergeError } from '../core/errors.js';
import type { AgentConfig, AgentsConfig } from './agent-config.js';
import { DEFAULT_KEY_ENV, isAiSdkProvider } from './ai-sdk/index.js';
import { commandExecutable } from './command/index.js';

type Entry = Omit<AgentConfig, 'fallback'>;

export interface AgentEntry {
  /** Where it is configured: `agents.default`, `agents.planner.fallback[0]`, `agents.advisor`. */
  source: string;
  /** The roles of the workflow it serves. */
  roles: string[];
  /** False for a fallback and for the advisor, which only warn. */
  primary: boolean;
  config: Entry;
}

export type AgentNeed = { kind: 'key'; name: string; set: boolean } | { kind: 'cli'; name: string; path: string | undefined };

export interface AgentProblem {
  source: string;
  roles: string[];
  primary: boolean;
  need: AgentNeed;
  message: string;
}

export interface ReadinessOptions {
  env?: NodeJS.ProcessEnv;
  /** Where a command given as a relative path (`./agent.sh`) is found: the workflow's workspace. */
  workspace: string;
}

/** The configured agents that `roles` use, each once, primaries first; implicit external agents are left out. */
export function agentEntries(config: AgentsConfig, roles: readonly Role[]): AgentEntry[] {
  const bySource = new Map<string, { roles: string[]; config: AgentConfig }>();
  for (const role of new Set(roles)) {
    const source = config[role] !== undefined ? `agents.${role}` : config.default !== undefined ? 'agents.default' : undefined;
    const entry = config[role] ?? config.default;
    if (source === undefined || entry === undefined) continue;
    const known = bySource.get(source);
    if (known === undefined) bySource.set(source, { roles: [role], config: entry });
    else known.roles.push(role);
  }
  const primaries: AgentEntry[] = [];
  const others: AgentEntry[] = [];
  for (const [source, { roles: served, config: entry }] of bySource) {
    primaries.push({ source, roles: served, primary: true, config: entry });
    entry.fallback.forEach((fallback, i) => others.push({ source: `${source}.fallback[${i}]`, roles: served, primary: false, config: fallback }));
  }
  if (config.advisor !== undefined) others.push({ source: 'agents.advisor', roles: ['advisor'], primary: false, config: config.advisor });
  return [...primaries, ...others];
}

/** What one agent needs from the machine: key variables (by name, never their values) and a program. */
export function agentNeeds(entry: Entry, options: ReadinessOptions): AgentNeed[] {
  const env = options.env ?? process.env;
  const key = (name: string): AgentNeed => ({ kind: 'key', name, set: (env[name] ?? '').trim() !== '' });
  if (entry.provider === 'command') {
    const file = commandExecutable(entry);
    // A preset without api_key_env may use the tool's own login, so no variable is required.
    const keys = entry.api_key_env !== undefined ? [key(entry.api_key_env)] : [];
    return file === undefined ? keys : [{ kind: 'cli', name: file, path: findExecutable(file, env, options.workspace) }, ...keys];
  }
  if (!isAiSdkProvider(entry.provider)) return [];
  if (entry.api_key_env !== undefined) return [key(entry.api_key_env)];
  if (entry.provider === 'bedrock') return [key('AWS_ACCESS_KEY_ID'), key('AWS_SECRET_ACCESS_KEY')];
  const name = DEFAULT_KEY_ENV[entry.provider];
  return name === undefined ? [] : [key(name)];
}

export function agentProblems(config: AgentsConfig, roles: readonly Role[], options: ReadinessOptions): AgentProblem[] {
  const problems: AgentProblem[] = [];
  for (const entry of agentEntries(config, roles)) {
    for (const need of agentNeeds(entry.config, options)) {
      const missing = need.kind === 'key' ? !need.set : need.path === undefined;
      if (missing) problems.push({ source: entry.source, roles: entry.roles, primary: entry.primary, need, message: problemText(entry, need) });
    }
  }
  return problems;
}

/**
 * Throws AGENT_NOT_READY when a primary agent cannot run, listing every such agent; returns
 * the problems of fallbacks and the advisor for the caller to print as warnings.
 */
export function assertAgentsReady(config: AgentsConfig, roles: readonly Role[], options: ReadinessOptions): AgentProblem[] {
  const problems = agentProblems(config, roles, options);
  const blocking = problems.filter((p) => p.primary);
  if (blocking.length === 0) return problems;
  const headline =
    blocking.length === 1
      ? `The workflow was not started: ${blocking[0]!.message}.`
      : `The workflow was not started: ${blocking.length} of its agents cannot run.\n${blocking.map((p) => `  ${p.message}`).join('\n')}`;
  const keys = blocking.filter((p) => p.need.kind === 'key').map((p) => p.need.name);
  const clis = blocking.filter((p) => p.need.kind === 'cli').map((p) => p.need.name);
  const fixes = [
    ...(keys.length > 0 ? [`set ${keys.join(', ')} in the environment (\`export ${keys[0]}=…\`)`] : []),
    ...(clis.length > 0 ? [`install ${clis.join(', ')} or put ${clis.length === 1 ? 'it' : 'them'} on PATH`] : []),
    'or change `agents` in converge.yaml',
  ];
  throw new ConvergeError('AGENT_NOT_READY', headline, {
    hint: `${capitalize(fixes.join(', '))}; nothing was recorded. \`converge doctor\` checks every agent.`,
    details: { problems: blocking.map(({ source, roles: served, need }) => ({ source, roles: served, [need.kind === 'key' ? 'variable' : 'program']: need.name })) },
  });
}

function problemText(entry: AgentEntry, need: AgentNeed): string {
  const who = `${entry.source} (${entry.config.provider}${entry.config.model !== undefined ? ` ${entry.config.model}` : ''}, for ${entry.roles.join(', ')})`;
  if (need.kind === 'key') return `${who} needs the environment variable ${need.name}, which is not set`;
  return need.name.includes('/') ? `${who} runs ${need.name}, which is not an executable file` : `${who} runs \`${need.name}\`, which is not on PATH`;
}

/** The file `spawn` would start: a path (relative ones from the workspace), else the first match on PATH. */
export function findExecutable(file: string, env: NodeJS.ProcessEnv, workspace: string): string | undefined {
  if (file.includes('/')) {
    const path = isAbsolute(file) ? file : resolve(workspace, file);
    return isExecutable(path) ? path : undefined;
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, file);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
