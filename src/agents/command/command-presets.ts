/**
 * How each CLI coding agent is started: argv, environment, where the prompt goes, which files
 * it needs first and how its stdout is read. Pure: the agent creates the files and folders
 * listed here, so every preset is unit-tested without running anything.
 *
 * claude-code, codex and gemini were run headless against a stand-in for their API (the real-CLI
 * e2e tests do so on every CI run); aider is built from its documentation.
 *
 * Two choices every preset makes:
 * - `home`: `isolated` (the default) gives each run a private HOME / CODEX_HOME / GEMINI_CLI_HOME,
 *   so only keys Converge hands over work; `inherit` keeps the user's own, with its logins,
 *   settings, instruction files and MCP servers, and lets the CLI write its state folders there.
 * - `retries`: the CLI's own retries of a failed API call are bounded (1 by default), so that
 *   Converge's recovery policy, which sees every attempt, is the one that retries.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { agentFailure } from '../agent.js';
import type { AgentConfig } from '../agent-config.js';

/** One entry of an agent chain; `fallback` is the resolver's business and ignored here. */
export type CommandConfig = Omit<AgentConfig, 'fallback'> & { fallback?: AgentConfig['fallback'] };
export type PresetName = NonNullable<AgentConfig['preset']>;
export type OutputFormat = 'text' | 'claude-json' | 'codex-jsonl' | 'gemini-json';

export interface CommandInvocation {
  file: string;
  args: string[];
  /** Variables the preset sets on top of the scrubbed base (keys, base URLs, telemetry off, private homes). */
  env: Record<string, string>;
  /** Written to stdin; undefined means stdin from /dev/null. */
  stdin?: string;
  /** Folders to create before the run (absolute, inside the run folder). */
  dirs: string[];
  /** Files to write before the run (absolute, inside the run folder). */
  files: Array<{ path: string; content: string }>;
  output: OutputFormat;
  /** Workspace paths (prefixes) the tool writes for its own bookkeeping: never the agent's changes. */
  ignore: string[];
  /** Secret values handed to the tool, scrubbed from every message. */
  secrets: string[];
  /**
   * With `home: inherit`: the CLI's own state folders and files in the user's home, which it must
   * be able to write inside the sandbox (its login is refreshed there, its sessions kept).
   */
  writable: string[];
}

export interface InvocationContext {
  prompt: string;
  /** A private folder for this run, removed afterwards. */
  runDir: string;
  /** Where `api_key_env` and the default key variables are read. */
  source: NodeJS.ProcessEnv;
  /** The project's check commands, which the CLI may run to verify its own work. */
  checkCommands?: readonly string[];
  /** Reads a file of the user's (their codex config.toml); undefined when there is none. */
  readText?: (path: string) => string | undefined;
}

/** How often a CLI retries a failed API call itself unless `retries` says otherwise. */
export const DEFAULT_CLI_RETRIES = 1;

function retriesOf(config: CommandConfig): number {
  return config.retries ?? DEFAULT_CLI_RETRIES;
}

/** The user's home as the CLI would find it. */
function userHome(source: NodeJS.ProcessEnv): string {
  return source['HOME'] !== undefined && source['HOME'] !== '' ? source['HOME'] : homedir();
}

/**
 * The key handed to the CLI. Isolated, the CLI has no other login, so its usual variable is read
 * too; inherited, the user's own login is meant, so only a key `api_key_env` names explicitly.
 */
function keyFor(config: CommandConfig, source: NodeJS.ProcessEnv, defaultName: string): string | undefined {
  if (config.home === 'inherit' && config.api_key_env === undefined) return undefined;
  return readKey(config, source, defaultName);
}

/**
 * One argv string may hold at most 128 KiB on Linux (MAX_ARG_STRLEN), and a prompt that starts
 * with "-" would be read as an option. Past either, a preset passes the prompt another way.
 */
const MAX_PROMPT_ARG_BYTES = 100_000;

export function fitsInArgv(prompt: string): boolean {
  return !prompt.startsWith('-') && Buffer.byteLength(prompt) <= MAX_PROMPT_ARG_BYTES;
}

export function buildInvocation(config: CommandConfig, context: InvocationContext): CommandInvocation {
  switch (config.preset) {
    case 'claude-code':
      return claudeCode(config, context);
    case 'codex':
      return codex(config, context);
    case 'gemini':
      return gemini(config, context);
    case 'aider':
      return aider(config, context);
    case undefined:
      return generic(config, context);
  }
}

const PRESET_EXECUTABLES: Readonly<Record<PresetName, string>> = { 'claude-code': 'claude', codex: 'codex', gemini: 'gemini', aider: 'aider' };

/** The program a command agent starts: the first word of `command`, else its preset's CLI. */
export function commandExecutable(config: CommandConfig): string | undefined {
  return config.command?.[0] ?? (config.preset === undefined ? undefined : PRESET_EXECUTABLES[config.preset]);
}

/** A display name for ids and messages: the preset, else the command's executable. */
export function commandName(config: CommandConfig): string {
  if (config.preset !== undefined) return config.preset;
  const first = config.command?.[0] ?? 'command';
  return first.split(/[\\/]/).pop() ?? first;
}

function claudeCode(config: CommandConfig, context: InvocationContext): CommandInvocation {
  const inherit = config.home === 'inherit';
  const home = inherit ? userHome(context.source) : join(context.runDir, 'home');
  const tmp = join(context.runDir, 'claude-tmp');
  const key = keyFor(config, context.source, 'ANTHROPIC_API_KEY');
  const env: Record<string, string> = {
    // A temp folder per run: otherwise it shares /tmp/claude-<uid>, refused when another uid owns it.
    CLAUDE_CODE_TMPDIR: tmp,
    // Its own retries are bounded: a 401 took 3 minutes through its default ten.
    CLAUDE_CODE_MAX_RETRIES: String(retriesOf(config)),
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  if (!inherit) env['HOME'] = home;
  if (key !== undefined) env['ANTHROPIC_API_KEY'] = key;
  // Claude Code appends /v1/messages itself; a base URL ending in /v1 would double it.
  if (config.base_url !== undefined) env['ANTHROPIC_BASE_URL'] = config.base_url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const viaArg = fitsInArgv(context.prompt);
  // stream-json (which needs --verbose with -p) prints each message as it happens, for live
  // activity; the last line is the same result object `json` prints.
  const args = ['-p', ...(viaArg ? [context.prompt] : []), '--output-format', 'stream-json', '--verbose'];
  // acceptEdits lets it edit files but not run commands: the project's checks are allowed by name.
  const allowed = (context.checkCommands ?? []).map((command) => `Bash(${command}:*)`);
  if (allowed.length > 0) args.push('--allowedTools', ...allowed);
  args.push('--permission-mode', 'acceptEdits');
  if (config.model !== undefined) args.push('--model', config.model);
  const state = join(home, '.claude');
  return {
    ...executable(config, 'claude', args),
    env,
    ...(viaArg ? {} : { stdin: context.prompt }),
    dirs: inherit ? [tmp, state] : [home, tmp],
    files: [],
    output: 'claude-json',
    ignore: [],
    secrets: key === undefined ? [] : [key],
    writable: inherit ? [state, join(home, '.claude.json')] : [],
  };
}

function codex(config: CommandConfig, context: InvocationContext): CommandInvocation {
  const inherit = config.home === 'inherit';
  const home = inherit ? (context.source['CODEX_HOME'] ?? join(userHome(context.source), '.codex')) : join(context.runDir, 'codex-home');
  const key = keyFor(config, context.source, 'OPENAI_API_KEY');
  // Its own temp folder: codex refuses to put its sandbox helpers in a CODEX_HOME under the temp
  // folder, and without them its sandboxed writes (apply_patch) fail.
  const tmp = join(context.runDir, 'tmp');
  // CODEX_API_KEY serves its built-in provider in `exec`; OPENAI_API_KEY is the env_key of ours.
  const env: Record<string, string> = { CODEX_HOME: home, TMPDIR: tmp };
  if (key !== undefined) Object.assign(env, { OPENAI_API_KEY: key, CODEX_API_KEY: key });
  const viaArg = fitsInArgv(context.prompt);
  // Inherited, the user's config.toml stays as it is: Converge's settings go on the command line.
  const overrides = inherit ? codexOverrides(config, key !== undefined, context.readText?.(join(home, 'config.toml'))) : [];
  const args = ['exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', ...overrides.flatMap((o) => ['-c', o]), viaArg ? context.prompt : '-'];
  return {
    ...executable(config, 'codex', args),
    env,
    // stdin must be /dev/null or codex waits for more input; "-" is the documented way to read the prompt from it.
    ...(viaArg ? {} : { stdin: context.prompt }),
    dirs: [home, tmp],
    files: inherit ? [] : [{ path: join(home, 'config.toml'), content: codexConfigToml(config) }],
    output: 'codex-jsonl',
    ignore: [],
    secrets: key === undefined ? [] : [key],
    writable: inherit ? [home] : [],
  };
}

/** OpenAI's API, for codex's provider entry when no base_url is given. */
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * CODEX_HOME/config.toml of an isolated run: the model, Converge's own provider entry (codex
 * ignores retry settings on its built-in `openai` provider, so there is always one), bounded
 * retries, and no traffic to OpenAI's own services.
 */
export function codexConfigToml(config: CommandConfig): string {
  const lines: string[] = [];
  if (config.model !== undefined) lines.push(`model = ${toml(config.model)}`);
  // OPENAI_BASE_URL is not honoured by codex: a base URL needs a provider entry of its own.
  lines.push('model_provider = "converge"', 'check_for_update_on_startup = false', '');
  lines.push(
    '[model_providers.converge]',
    'name = "converge"',
    `base_url = ${toml(config.base_url ?? OPENAI_BASE_URL)}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    `request_max_retries = ${retriesOf(config)}`,
    `stream_max_retries = ${retriesOf(config)}`,
    '',
  );
  lines.push(
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    '[otel]',
    'exporter = "none"',
    'trace_exporter = "none"',
    'metrics_exporter = "none"',
    '',
    '[features]',
    'plugins = false',
    'apps = false',
    'remote_plugin = false',
    '',
  );
  return lines.join('\n');
}

/**
 * `-c key=value` overrides for a run with the user's CODEX_HOME: the model and base URL Converge
 * was given, and bounded retries on the provider that will be used. That is Converge's entry when
 * base_url is set, else the custom provider the user's config.toml selects; codex ignores
 * overrides of its built-in providers, whose own retries then stay.
 */
export function codexOverrides(config: CommandConfig, withKey: boolean, userConfig: string | undefined): string[] {
  const retries = retriesOf(config);
  const out = ['check_for_update_on_startup=false'];
  if (config.model !== undefined) out.push(`model=${toml(config.model)}`);
  if (config.base_url !== undefined) {
    // Without a key of Converge's, the user's own login (auth.json) authenticates.
    const auth = withKey ? 'env_key = "OPENAI_API_KEY"' : 'requires_openai_auth = true';
    out.push('model_provider="converge"', `model_providers.converge={ name = "converge", base_url = ${toml(config.base_url)}, ${auth}, wire_api = "responses", request_max_retries = ${retries}, stream_max_retries = ${retries} }`);
    return out;
  }
  const provider = /^\s*model_provider\s*=\s*["']([A-Za-z0-9_-]+)["']/m.exec(topLevelToml(userConfig ?? ''))?.[1];
  if (provider !== undefined && !['openai', 'oss', 'ollama', 'lmstudio'].includes(provider)) {
    out.push(`model_providers.${provider}.request_max_retries=${retries}`, `model_providers.${provider}.stream_max_retries=${retries}`);
  }
  return out;
}

/** A TOML text up to its first table header: the top-level keys. */
function topLevelToml(text: string): string {
  const header = /^\s*\[/m.exec(text);
  return header === null ? text : text.slice(0, header.index);
}

/**
 * Gemini CLI 0.61: `gemini -p … --output-format json`, API-key auth from GEMINI_API_KEY, its home
 * moved by GEMINI_CLI_HOME, and settings Converge must impose (its retries: general.maxAttempts,
 * default 10) in a system settings file, which overrides the user's.
 */
function gemini(config: CommandConfig, context: InvocationContext): CommandInvocation {
  const inherit = config.home === 'inherit';
  const key = keyFor(config, context.source, 'GEMINI_API_KEY');
  const home = inherit ? userHome(context.source) : join(context.runDir, 'gemini-home');
  const systemSettings = join(context.runDir, 'gemini-system-settings.json');
  const env: Record<string, string> = { GEMINI_CLI_SYSTEM_SETTINGS_PATH: systemSettings };
  if (!inherit) env['GEMINI_CLI_HOME'] = home;
  if (key !== undefined) env['GEMINI_API_KEY'] = key;
  if (config.base_url !== undefined) env['GOOGLE_GEMINI_BASE_URL'] = config.base_url.replace(/\/+$/, '');
  const settings: Record<string, unknown> = { general: { maxAttempts: Math.min(10, retriesOf(config) + 1) } };
  if (!inherit) {
    Object.assign(settings, { privacy: { usageStatisticsEnabled: false }, telemetry: { enabled: false } });
    if (key !== undefined) settings['security'] = { auth: { selectedType: 'gemini-api-key' } };
  }
  const viaArg = fitsInArgv(context.prompt);
  // Piped stdin is prepended to the -p text, so a long prompt goes there with a pointer to it.
  // --skip-trust: headless, an untrusted folder drops auto_edit and then exits (code 55).
  const args = ['-p', viaArg ? context.prompt : 'Follow the instructions given above.', '--output-format', 'json', '--approval-mode', 'auto_edit', '--skip-trust'];
  const files = [{ path: systemSettings, content: `${JSON.stringify(settings, null, 2)}\n` }];
  // auto_edit approves its file tools; a policy rule allows the project's checks by command prefix.
  const checks = context.checkCommands ?? [];
  if (checks.length > 0) {
    const policy = join(context.runDir, 'gemini-policy.toml');
    files.push({ path: policy, content: ['[[rule]]', 'toolName = "run_shell_command"', `commandPrefix = [${checks.map(toml).join(', ')}]`, 'decision = "allow"', 'priority = 900', ''].join('\n') });
    args.push('--policy', policy);
  }
  if (config.model !== undefined) args.push('--model', config.model);
  const state = join(home, '.gemini');
  return {
    ...executable(config, 'gemini', args),
    env,
    ...(viaArg ? {} : { stdin: context.prompt }),
    dirs: inherit ? [state] : [home],
    files,
    output: 'gemini-json',
    ignore: [],
    secrets: key === undefined ? [] : [key],
    writable: inherit ? [state] : [],
  };
}

/** Built from the aider documentation (scripting, options); not run here. */
function aider(config: CommandConfig, context: InvocationContext): CommandInvocation {
  const anthropic = config.model !== undefined && /^(anthropic\/|claude|sonnet|opus|haiku)/i.test(config.model);
  const keyName = anthropic ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  const key = readKey(config, context.source, keyName);
  const env: Record<string, string> = {};
  if (key !== undefined) env[keyName] = key;
  if (config.base_url !== undefined) env[anthropic ? 'ANTHROPIC_BASE_URL' : 'OPENAI_API_BASE'] = config.base_url;
  const promptFile = join(context.runDir, 'prompt.md');
  const viaArg = fitsInArgv(context.prompt);
  const args = [
    ...(viaArg ? ['--message', context.prompt] : ['--message-file', promptFile]),
    '--yes-always',
    '--no-auto-commits',
    '--no-dirty-commits',
    // Aider would otherwise add .aider* to .gitignore and keep its chat history in the workspace.
    '--no-gitignore',
    '--chat-history-file',
    join(context.runDir, 'aider-chat.md'),
    '--input-history-file',
    join(context.runDir, 'aider-input'),
    '--no-check-update',
    '--no-analytics',
    '--no-pretty',
    '--no-stream',
  ];
  if (config.model !== undefined) args.push('--model', config.model);
  return {
    ...executable(config, 'aider', args),
    env,
    dirs: [],
    files: viaArg ? [] : [{ path: promptFile, content: context.prompt }],
    output: 'text',
    // Its repository-map cache (.aider.tags.cache.v4/) is bookkeeping, not code.
    ignore: ['.aider'],
    secrets: key === undefined ? [] : [key],
    writable: [],
  };
}

/** Your own command: the prompt goes to stdin (default), into a file, or into an argument. */
function generic(config: CommandConfig, context: InvocationContext): CommandInvocation {
  const argv = config.command;
  if (argv === undefined || argv[0] === undefined) {
    throw agentFailure('bad_request', 'A command agent needs `preset` (claude-code, codex, gemini, aider) or `command: [executable, …args]`.');
  }
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  // A generic command gets the key under the name the user chose for it.
  if (config.api_key_env !== undefined) {
    const key = readKey(config, context.source, config.api_key_env);
    if (key !== undefined) {
      env[config.api_key_env] = key;
      secrets.push(key);
    }
  }
  const base = { env, dirs: [], output: 'text' as const, ignore: [], secrets, writable: [] };
  const [file, ...rest] = argv;
  switch (config.prompt_via ?? 'stdin') {
    case 'stdin':
      return { ...base, file, args: rest, stdin: context.prompt, files: [] };
    case 'file': {
      const path = join(context.runDir, 'prompt.md');
      return { ...base, file, args: placeArg(rest, '{prompt_file}', path), files: [{ path, content: context.prompt }] };
    }
    case 'arg':
      return { ...base, file, args: placeArg(rest, '{prompt}', context.prompt), files: [] };
  }
}

/** Replaces the placeholder wherever it appears; appends the value as the last argument when none does. */
function placeArg(args: readonly string[], placeholder: string, value: string): string[] {
  if (!args.some((a) => a.includes(placeholder))) return [...args, value];
  return args.map((a) => a.split(placeholder).join(value));
}

/** `command` on a preset replaces the executable (e.g. `[npx, claude]` or an absolute path); the preset adds its arguments. */
function executable(config: CommandConfig, fallback: string, args: string[]): { file: string; args: string[] } {
  const [file, ...prefix] = config.command ?? [fallback];
  return { file: file ?? fallback, args: [...prefix, ...args] };
}

/**
 * The key named by `api_key_env`; without it, the variable the tool itself reads. A name that is
 * set in the config but missing from the environment is a configuration error, not a retry.
 */
function readKey(config: CommandConfig, source: NodeJS.ProcessEnv, defaultName: string): string | undefined {
  const name = config.api_key_env ?? defaultName;
  const value = source[name];
  if (value !== undefined && value !== '') return value;
  if (config.api_key_env !== undefined) {
    throw agentFailure('auth', `api_key_env names ${name}, but that environment variable is not set for Converge.`);
  }
  return undefined;
}

function toml(value: string): string {
  return JSON.stringify(value);
}
