/**
 * How each CLI coding agent is started: argv, environment, where the prompt goes, which files
 * it needs first and how its stdout is read. Pure: the agent creates the files and folders
 * listed here, so every preset is unit-tested without running anything.
 *
 * claude-code and codex follow /work/shared/spec/cli-agents.md (both were run headless against
 * a stand-in API). gemini and aider are built from their documentation and were not run here.
 */
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
}

export interface InvocationContext {
  prompt: string;
  /** A private folder for this run, removed afterwards. */
  runDir: string;
  /** Where `api_key_env` and the default key variables are read. */
  source: NodeJS.ProcessEnv;
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
  const home = join(context.runDir, 'home');
  const tmp = join(context.runDir, 'claude-tmp');
  const key = readKey(config, context.source, 'ANTHROPIC_API_KEY');
  const env: Record<string, string> = {
    // Its own HOME and temp folder per run: otherwise it shares /tmp/claude-<uid> and the user's settings.
    HOME: home,
    CLAUDE_CODE_TMPDIR: tmp,
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  if (key !== undefined) env['ANTHROPIC_API_KEY'] = key;
  // Claude Code appends /v1/messages itself; a base URL ending in /v1 would double it.
  if (config.base_url !== undefined) env['ANTHROPIC_BASE_URL'] = config.base_url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const viaArg = fitsInArgv(context.prompt);
  // Without a prompt argument, `claude -p` reads the prompt from stdin.
  const args = ['-p', ...(viaArg ? [context.prompt] : []), '--output-format', 'json', '--permission-mode', 'acceptEdits'];
  if (config.model !== undefined) args.push('--model', config.model);
  return {
    ...executable(config, 'claude', args),
    env,
    ...(viaArg ? {} : { stdin: context.prompt }),
    dirs: [home, tmp],
    files: [],
    output: 'claude-json',
    ignore: [],
    secrets: key === undefined ? [] : [key],
  };
}

function codex(config: CommandConfig, context: InvocationContext): CommandInvocation {
  const home = join(context.runDir, 'codex-home');
  const key = readKey(config, context.source, 'OPENAI_API_KEY');
  // CODEX_API_KEY serves its built-in provider in `exec`; OPENAI_API_KEY is the env_key of ours.
  const env: Record<string, string> = { CODEX_HOME: home };
  if (key !== undefined) Object.assign(env, { OPENAI_API_KEY: key, CODEX_API_KEY: key });
  const viaArg = fitsInArgv(context.prompt);
  const args = ['exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', viaArg ? context.prompt : '-'];
  return {
    ...executable(config, 'codex', args),
    env,
    // stdin must be /dev/null or codex waits for more input; "-" is the documented way to read the prompt from it.
    ...(viaArg ? {} : { stdin: context.prompt }),
    dirs: [home],
    files: [{ path: join(home, 'config.toml'), content: codexConfigToml(config) }],
    output: 'codex-jsonl',
    ignore: [],
    secrets: key === undefined ? [] : [key],
  };
}

/** CODEX_HOME/config.toml: the model, a custom provider when base_url is set, and no traffic to OpenAI's own services. */
export function codexConfigToml(config: CommandConfig): string {
  const lines: string[] = [];
  if (config.model !== undefined) lines.push(`model = ${toml(config.model)}`);
  // OPENAI_BASE_URL is not honoured by codex: a base URL needs a provider entry of its own.
  if (config.base_url !== undefined) lines.push('model_provider = "converge"');
  lines.push('check_for_update_on_startup = false', '');
  if (config.base_url !== undefined) {
    lines.push(
      '[model_providers.converge]',
      'name = "converge"',
      `base_url = ${toml(config.base_url)}`,
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      '',
    );
  }
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

/** Built from the Gemini CLI documentation (headless mode); not run here. */
function gemini(config: CommandConfig, context: InvocationContext): CommandInvocation {
  const key = readKey(config, context.source, 'GEMINI_API_KEY');
  const env: Record<string, string> = {};
  if (key !== undefined) env['GEMINI_API_KEY'] = key;
  if (config.base_url !== undefined) env['GOOGLE_GEMINI_BASE_URL'] = config.base_url;
  const viaArg = fitsInArgv(context.prompt);
  // Piped stdin is prepended to the -p text, so a long prompt goes there with a pointer to it.
  const args = ['-p', viaArg ? context.prompt : 'Follow the instructions given above.', '--output-format', 'json', '--approval-mode', 'auto_edit'];
  if (config.model !== undefined) args.push('--model', config.model);
  return {
    ...executable(config, 'gemini', args),
    env,
    ...(viaArg ? {} : { stdin: context.prompt }),
    dirs: [],
    files: [],
    output: 'gemini-json',
    ignore: [],
    secrets: key === undefined ? [] : [key],
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
  const base = { env, dirs: [], output: 'text' as const, ignore: [], secrets };
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
