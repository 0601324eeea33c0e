/**
 * A CLI coding agent (Claude Code, Codex, Gemini CLI, Aider, or your own script) run in the
 * workspace with the rendered prompt. It edits files itself; its changes are taken from the
 * workspace (git, else a folder walk), never from what it says it did. Its stdout is its text.
 *
 * Judging a run: a timeout or abort wins; then the tool's own verdict in its structured output
 * (is_error, turn.failed, Gemini's error), quoted in its own words and classed by the provider
 * status it reports; then the exit code; then, for codex, which exits 0 even when its sandbox
 * refused every write, the event stream against the actual changes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import { endSentence } from '../../core/messages.js';
import type { SandboxMode } from '../../core/profile-schema.js';
import type { SandboxKind, Usage } from '../../core/records.js';
import { DEFAULT_KILL_GRACE_MS, TailBuffer, buildSandboxEnv, launchProcess } from '../../sandbox/index.js';
import type { LaunchResult, SandboxHost } from '../../sandbox/index.js';
import type { Agent, AgentCircuit, AgentRequest, AgentResponse } from '../agent.js';
import { agentCircuit, agentFailure } from '../agent.js';
import { costOf } from '../pricing.js';
import { redactKnownSecrets, scrubSecrets, secretValues } from './command-env.js';
import { classifyCliError, classifyFailureText, parseOutput } from './command-output.js';
import type { Classified, CliError } from './command-output.js';
import { activityReader } from './command-activity.js';
import type { ParsedOutput } from './command-output.js';
import { buildInvocation, commandName } from './command-presets.js';
import type { CommandConfig, CommandInvocation } from './command-presets.js';
import { collectChanges, describeOmissions, snapshotWorkspace } from '../../workspace/index.js';
import type { PathNote, WorkspaceProbe } from '../../workspace/index.js';

/** The agent's text is kept up to this size (its tail: summaries and errors come last). */
export const MAX_TEXT_BYTES = 1024 * 1024;
/** Structured output (a JSON result, a JSONL event stream) is kept whole up to this size. */
const MAX_STRUCTURED_STDOUT_BYTES = 16 * 1024 * 1024;
const STDERR_CAP_BYTES = 64 * 1024;
/** A quoted error text is cut here (at a word boundary): enough for a provider's message, not a dump. */
const MAX_QUOTED_CHARS = 600;
/** Lines of stderr quoted when a run fails without a structured error. */
const QUOTED_LINES = 8;
/** stderr lines that say nothing about a failure (codex prints this one even with stdin from /dev/null). */
const HARMLESS_STDERR = /^Reading (?:additional input|prompt) from stdin/i;
/** Terminal colour codes some CLIs print even into a pipe. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
/** Used only when the request carries no usable timeout. */
const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

export interface CommandAgentOptions {
  role: string;
  /** Where pass-through variables and keys are read; `process.env` unless a test supplies one. */
  env?: NodeJS.ProcessEnv;
  /** How long the process group gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** converge.yaml's `sandbox`, used when the agent's own config sets none; `auto` when absent. */
  sandbox?: SandboxMode;
  /** Which sandbox this machine offers; the process-wide host unless a test brings its own. */
  sandboxHost?: SandboxHost;
}

/** A finished run: the launcher's verdict, the tail of stdout and of stderr. */
type CommandRun = LaunchResult & { stdout: string; stderr: string; transcript: Transcript };
type Transcript = NonNullable<AgentResponse['transcript']>;
/** A transcript keeps this many entries; a run that does more is summarised by its first ones. */
const MAX_TRANSCRIPT = 500;

export interface CommandAgentResponse extends AgentResponse {
  files: NonNullable<AgentResponse['files']>;
  /** Changed paths the path guard refused (a symlink leading out of the workspace). */
  refused: PathNote[];
  /** Changed paths inside the workspace that a file change cannot carry (binary, too large, symlink). */
  skipped: PathNote[];
  /** How the changes were found. */
  snapshot: WorkspaceProbe['method'];
  sandbox: SandboxKind;
}

export class CommandAgent implements Agent {
  readonly id: string;
  /** One key for every command agent, matching `max_concurrency` of `provider: command`. */
  readonly provider = 'command';
  readonly maxConcurrency?: number;
  /** `timeout_s`: this agent's time for a step, longer or shorter than the definition's. */
  readonly stepTimeoutMs?: number;
  readonly circuit: AgentCircuit;
  readonly #config: CommandConfig;
  readonly #role: string;
  readonly #name: string;
  readonly #source: NodeJS.ProcessEnv;
  readonly #killGraceMs: number;
  readonly #sandbox: SandboxMode;
  readonly #sandboxHost: SandboxHost | undefined;

  constructor(config: CommandConfig, options: CommandAgentOptions) {
    if (config.preset === undefined && (config.command === undefined || config.command.length === 0)) {
      throw new ConvergeError('CONFIG_INVALID', `agents.${options.role}: a command agent needs \`preset\` or \`command\`.`, {
        hint: 'Use `preset: claude-code` (or codex, gemini, aider), or `command: [my-agent, --flag]` with `prompt_via: stdin | file | arg`.',
      });
    }
    this.#config = Object.freeze({ ...config });
    this.#role = options.role;
    this.#name = commandName(config);
    this.#source = options.env ?? process.env;
    this.#killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.#sandbox = config.sandbox ?? options.sandbox ?? 'auto';
    this.#sandboxHost = options.sandboxHost;
    this.id = `command:${this.#name}${config.model === undefined ? '' : `:${config.model}`}`;
    if (config.timeout_s !== undefined) this.stepTimeoutMs = config.timeout_s * 1000;
    // One circuit per CLI and the provider it calls: one failing gateway leaves the others alone.
    this.circuit = agentCircuit(`${this.id}${config.base_url === undefined ? '' : `@${hostOf(config.base_url)}`}`, config.circuit_breaker);
    if (config.max_concurrency !== undefined) this.maxConcurrency = config.max_concurrency;
  }

  async call(request: AgentRequest): Promise<CommandAgentResponse> {
    checkWorkspace(request.workspace);
    if (request.signal.aborted) throw this.#stopped('abort', request);
    const runDir = mkdtempSync(join(tmpdir(), 'converge-command-'));
    // Apart from the run folder, which the sandboxed agent may write: it must not edit the
    // "before" its changes are measured against.
    const scratch = mkdtempSync(join(tmpdir(), 'converge-snapshot-'));
    try {
      const invocation = buildInvocation(this.#config, {
        prompt: request.prompt,
        runDir,
        source: this.#source,
        ...(request.checkCommands === undefined ? {} : { checkCommands: request.checkCommands }),
        readText,
      });
      for (const dir of invocation.dirs) mkdirSync(dir, { recursive: true });
      for (const file of invocation.files) {
        mkdirSync(dirname(file.path), { recursive: true });
        writeFileSync(file.path, file.content, { mode: 0o600 });
      }
      const probe = await snapshotWorkspace(request.workspace, scratch, invocation.ignore);
      const run = await this.#launch(request, invocation, runDir);
      return await this.#judge(request, invocation, run, probe);
    } finally {
      for (const dir of [runDir, scratch]) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    }
  }

  /** The agent keeps the network (it calls its provider) and may write its private run folder (HOME, CODEX_HOME). */
  async #launch(request: AgentRequest, invocation: CommandInvocation, runDir: string): Promise<CommandRun> {
    const stdout = new TailBuffer(invocation.output === 'text' ? MAX_TEXT_BYTES : MAX_STRUCTURED_STDOUT_BYTES);
    const stderr = new TailBuffer(STDERR_CAP_BYTES);
    const onActivity = request.onActivity;
    const secrets = [...invocation.secrets, ...secretValues(this.#source)];
    // What its event stream says it did: shown live, and kept whole as the step's transcript.
    const transcript: Transcript = [];
    const activity = activityReader(invocation.output, (text, entry) => {
      if (transcript.length < MAX_TRANSCRIPT) transcript.push({ at: new Date().toISOString(), kind: entry.kind, text: redactKnownSecrets(entry.text, secrets) });
      onActivity?.(redactKnownSecrets(text, secrets));
    });
    try {
      const run = await launchProcess({
        file: invocation.file,
        args: invocation.args,
        cwd: request.workspace,
        env: buildSandboxEnv({ source: this.#source, allow: this.#config.env_allow ?? [], values: invocation.env }),
        ...(invocation.stdin === undefined ? {} : { stdin: invocation.stdin }),
        timeoutMs: this.#timeoutMs(request),
        signal: request.signal,
        killGraceMs: this.#killGraceMs,
        onStdout: (chunk) => {
          stdout.push(chunk);
          activity(chunk);
        },
        onStderr: (chunk) => stderr.push(chunk),
        sandbox: {
          mode: this.#sandbox,
          workspace: request.workspace,
          network: true,
          writable: [runDir, ...invocation.writable],
          ...(this.#sandboxHost === undefined ? {} : { host: this.#sandboxHost }),
        },
      });
      return { ...run, stdout: stdout.toString(), stderr: stderr.toString(), transcript };
    } catch (error) {
      // `sandbox: bwrap` without a working bwrap: a retry on this machine cannot help.
      if (!isConvergeError(error) || error.code !== 'CONFIG_INVALID') throw error;
      throw agentFailure('bad_request', `The ${this.#role} agent (${this.#name}) did not start: ${error.message} ${error.hint ?? ''}`.trim(), {
        provider: this.provider,
      });
    }
  }

  async #judge(request: AgentRequest, invocation: CommandInvocation, run: CommandRun, probe: WorkspaceProbe): Promise<CommandAgentResponse> {
    const secrets = [...invocation.secrets, ...secretValues(this.#source)];
    if (run.stoppedBy !== undefined) throw this.#stopped(run.stoppedBy, request);
    if (run.spawnError !== undefined) {
      // A missing or non-executable program will not start on a retry either.
      const { code = 'error', message } = run.spawnError;
      const text = `The ${this.#role} agent could not start \`${invocation.file}\` (${code}): ${endSentence(message)} Install it or point \`command:\` at it.`;
      throw agentFailure('bad_request', scrubSecrets(text, secrets), { provider: this.provider });
    }
    const parsed = parseOutput(invocation.output, run.stdout);
    // Gemini CLI prints its error document on stderr.
    const error = parsed.error ?? (run.exitCode !== 0 && invocation.output !== 'text' ? parseOutput(invocation.output, run.stderr).error : undefined);
    if (error !== undefined) throw this.#reported(error, secrets, invocation);
    if (run.exitCode !== 0) {
      const what = run.signal !== undefined ? `was ended by ${run.signal}` : `exited with code ${String(run.exitCode)}`;
      throw this.#failed(what, run, secrets, invocation, parsed.text);
    }
    if (parsed.unreadable) throw this.#failed(`printed no ${invocation.output} result on stdout`, run, secrets, invocation, '', 'invalid_output');
    const changes = collectChanges(request.workspace, await probe.changes(), invocation.ignore);
    if (invocation.output === 'codex-jsonl' && changes.files.length === 0) this.#judgeCodex(request, parsed, secrets);
    const usage = this.#usage(parsed);
    return {
      // The text goes into the event log: the keys this agent was handed must not.
      text: redactKnownSecrets(tail(parsed.text, MAX_TEXT_BYTES), secrets) + describeOmissions(changes),
      files: changes.files,
      refused: changes.refused,
      skipped: changes.skipped,
      snapshot: probe.method,
      sandbox: run.sandbox,
      ...(usage === undefined ? {} : { usage }),
      ...(run.transcript.length === 0 ? {} : { transcript: run.transcript }),
    };
  }

  /**
   * codex exits 0 when its sandbox refused every write. No changes plus failed writes (or, for a
   * step that must produce files, failed commands) is a failure. Class `unknown`, not
   * `invalid_output`: a repair prompt about output format cannot fix a sandbox that refused writes.
   */
  #judgeCodex(request: AgentRequest, parsed: ParsedOutput, secrets: readonly string[]): void {
    const evidence = parsed.failedWrites.length > 0 ? parsed.failedWrites : request.expect === 'files' ? parsed.failedCommands : [];
    if (evidence.length === 0) return;
    const list = evidence.slice(-5).map((e) => `- ${e}`).join('\n');
    const message = `The ${this.#role} agent (codex) exited 0 but changed no files, and its event stream reports failures:\n${list}`;
    throw agentFailure('unknown', scrubSecrets(message, secrets), { provider: this.provider });
  }

  /** The CLI said it failed: its own words, classed by the status it reports. */
  #reported(error: CliError, secrets: readonly string[], invocation: CommandInvocation): ConvergeError {
    const status = error.status !== undefined && !error.message.includes(String(error.status)) ? ` (HTTP ${error.status})` : '';
    const message = `The ${this.#role} agent (${this.#name}) failed${status}: ${quote(error.message)}`;
    return this.#failure(classifyCliError(error), message, secrets, invocation);
  }

  /** No structured error: the exit code, and what the CLI last said on stderr (or in its text). */
  #failed(what: string, run: CommandRun, secrets: readonly string[], invocation: CommandInvocation, said: string, as?: 'invalid_output'): ConvergeError {
    const stderr = lastLines(run.stderr, QUOTED_LINES);
    // Structured output is events and JSON, not words: its text is quoted instead of the raw stream.
    const stdout = invocation.output === 'text' ? lastLines(run.stdout, QUOTED_LINES) : quote(said.trim());
    const evidence = stderr !== '' ? stderr : stdout;
    const classified: Classified = as !== undefined ? { failureClass: as } : classifyFailureText(`${what}\n${run.stderr.slice(-4096)}\n${invocation.output === 'text' ? run.stdout.slice(-4096) : said}`);
    const message = `The ${this.#role} agent (${this.#name}) ${what}${evidence === '' ? '.' : `. Last output:\n${evidence}`}`;
    return this.#failure(classified, message, secrets, invocation);
  }

  #failure(classified: Classified, message: string, secrets: readonly string[], invocation: CommandInvocation): ConvergeError {
    // A private home has no login: say how to use one, or which key is missing.
    const hint =
      classified.failureClass === 'auth' && this.#config.preset !== undefined && this.#config.home !== 'inherit' && invocation.secrets.length === 0
        ? `\nNo key was handed to it and its home is private to the run (home: isolated): set api_key_env, or home: inherit to use your own login.`
        : '';
    return agentFailure(classified.failureClass, scrubSecrets(message, secrets) + hint, {
      provider: this.provider,
      ...(classified.retryAfterMs === undefined ? {} : { retryAfterMs: classified.retryAfterMs }),
    });
  }

  #stopped(reason: 'timeout' | 'abort', request: AgentRequest): ConvergeError {
    const reasonName = (request.signal.reason as { name?: unknown } | undefined)?.name;
    if (reason === 'timeout' || reasonName === 'TimeoutError') {
      const seconds = Math.round(this.#timeoutMs(request) / 1000);
      const message = `The ${this.#role} agent (${this.#name}) did not finish within ${seconds} s; its processes were stopped.`;
      return agentFailure('timeout', message, { provider: this.provider });
    }
    const message = `The ${this.#role} agent (${this.#name}) was cancelled; its processes were stopped.`;
    return agentFailure('interrupted', message, { provider: this.provider });
  }

  /** The request's timeout decides (recovery may extend it); `timeout_s` only fills in when it has none. */
  #timeoutMs(request: AgentRequest): number {
    if (Number.isFinite(request.timeoutMs) && request.timeoutMs > 0) return request.timeoutMs;
    return this.#config.timeout_s !== undefined ? this.#config.timeout_s * 1000 : DEFAULT_TIMEOUT_MS;
  }

  #usage(parsed: ParsedOutput): Usage | undefined {
    if (parsed.usage === undefined) return undefined;
    const { inputTokens, outputTokens, cachedInputTokens } = parsed.usage;
    const model = this.#config.model ?? parsed.usage.model;
    // Claude Code reports its cost; for the others it is priced from the model, as for API agents.
    const priced = model === undefined ? 0 : costOf({ inputTokens, outputTokens, cachedInputTokens }, model, this.#config.price).costUsd;
    const costUsd = parsed.usage.costUsd ?? priced;
    return { inputTokens, outputTokens, cachedInputTokens, costUsd, provider: this.provider, ...(model === undefined ? {} : { model }) };
  }
}

function checkWorkspace(workspace: string): void {
  let isDir = false;
  try {
    isDir = statSync(workspace).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new ConvergeError('WORKSPACE_INVALID', `The workspace ${workspace} is not a folder, so no command agent can run in it.`, {
      hint: 'Check the workflow’s workspace path.',
    });
  }
}

/** The last lines of a stream that are words, not JSON events or harmless notices, each cut at a word. */
function lastLines(text: string, count: number): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(ANSI, ''))
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('{') && !HARMLESS_STDERR.test(line.trim()))
    .slice(-count)
    .map((line) => quote(line, 300))
    .join('\n');
}

/** `text` whole when short, else cut at the last word boundary before `max` characters, with "…". */
export function quote(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.search(/\s\S*$/);
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function tail(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= maxBytes) return text;
  return buffer.subarray(buffer.length - maxBytes).toString('utf8').replace(/^\uFFFD+/, '');
}
