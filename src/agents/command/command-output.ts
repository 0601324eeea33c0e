/**
 * Reads what a CLI coding agent printed: the JSON result of `claude -p --output-format json`,
 * the JSONL event stream of `codex exec --json`, the JSON of `gemini --output-format json`, or
 * plain text. Also classifies error text into the failure classes the recovery policy acts on.
 */
import type { FailureClass } from '../../core/definition-schema.js';
import type { OutputFormat } from './command-presets.js';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd?: number;
  model?: string;
}

export interface ParsedOutput {
  text: string;
  usage?: TokenUsage;
  /** The tool reported that the run failed (is_error, turn.failed, error), whatever its exit code. */
  error?: string;
  /** codex only: writes and commands its event stream reports as failed. */
  failedWrites: string[];
  failedCommands: string[];
  /** The structured output the format promises was not found. */
  unreadable: boolean;
}

export function parseOutput(format: OutputFormat, stdout: string): ParsedOutput {
  switch (format) {
    case 'text':
      return { text: stdout, failedWrites: [], failedCommands: [], unreadable: false };
    case 'claude-json':
      return parseClaudeResult(stdout);
    case 'codex-jsonl':
      return parseCodexEvents(stdout);
    case 'gemini-json':
      return parseGeminiResult(stdout);
  }
}

type Json = Record<string, unknown>;

/** `{type: "result", subtype, is_error, num_turns, result, total_cost_usd, usage, modelUsage, …}` */
export function parseClaudeResult(stdout: string): ParsedOutput {
  const result = lastJsonObject(stdout, (o) => o['type'] === 'result');
  if (result === undefined) return { text: stdout, failedWrites: [], failedCommands: [], unreadable: true };
  const text = typeof result['result'] === 'string' ? result['result'] : '';
  const usage = asObject(result['usage']);
  const models = Object.keys(asObject(result['modelUsage']) ?? {});
  const parsed: ParsedOutput = { text, failedWrites: [], failedCommands: [], unreadable: false };
  if (usage !== undefined) {
    const cacheRead = num(usage['cache_read_input_tokens']);
    // Anthropic counts cache reads and writes apart from input_tokens; Converge's inputTokens is the whole prompt.
    parsed.usage = {
      inputTokens: num(usage['input_tokens']) + num(usage['cache_creation_input_tokens']) + cacheRead,
      outputTokens: num(usage['output_tokens']),
      cachedInputTokens: cacheRead,
      ...(typeof result['total_cost_usd'] === 'number' ? { costUsd: result['total_cost_usd'] } : {}),
      ...(models[0] !== undefined ? { model: models[0] } : {}),
    };
  }
  const subtype = typeof result['subtype'] === 'string' ? result['subtype'] : 'unknown';
  if (result['is_error'] === true || subtype !== 'success') {
    parsed.error = `claude reported ${subtype}${text === '' ? '' : `: ${text}`}`;
  }
  return parsed;
}

/**
 * codex exits 0 even when its commands and writes failed, so the event stream is the evidence:
 * `item.completed` items of type file_change / command_execution with status "failed", and
 * `turn.failed` or a trailing `error` event for a run that did not finish.
 */
export function parseCodexEvents(stdout: string): ParsedOutput {
  const parsed: ParsedOutput = { text: '', failedWrites: [], failedCommands: [], unreadable: true };
  let lastMessage = '';
  let pendingError: string | undefined;
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  let sawUsage = false;
  for (const event of jsonLines(stdout)) {
    parsed.unreadable = false;
    const type = event['type'];
    if (type === 'turn.completed') {
      pendingError = undefined;
      const u = asObject(event['usage']);
      if (u !== undefined) {
        sawUsage = true;
        // OpenAI's input_tokens already include the cached part.
        usage.inputTokens += num(u['input_tokens']);
        usage.cachedInputTokens += num(u['cached_input_tokens']);
        usage.outputTokens += num(u['output_tokens']);
      }
    } else if (type === 'turn.failed') {
      parsed.error = `codex turn failed: ${str(asObject(event['error'])?.['message']) || 'no message'}`;
    } else if (type === 'error') {
      // Reported mid-stream (e.g. while reconnecting); fatal only if no turn completes after it.
      pendingError = `codex error: ${str(event['message']) || 'no message'}`;
    } else if (type === 'item.completed') {
      const item = asObject(event['item']) ?? {};
      if (item['type'] === 'agent_message') lastMessage = str(item['text']);
      else if (item['type'] === 'file_change' && item['status'] === 'failed') {
        const paths = (Array.isArray(item['changes']) ? item['changes'] : []).map((c) => str(asObject(c)?.['path'])).filter((p) => p !== '');
        parsed.failedWrites.push(`patch of ${paths.join(', ') || 'unknown files'} failed`);
      } else if (item['type'] === 'command_execution') noteCommand(item, parsed);
    }
  }
  if (parsed.error === undefined && pendingError !== undefined) parsed.error = pendingError;
  parsed.text = lastMessage;
  if (sawUsage) parsed.usage = usage;
  return parsed;
}

/** EROFS is what a sandbox's write refusal looks like; "permission denied" could as well be a read. */
const WRITE_REFUSED = /read-only file system/i;

function noteCommand(item: Json, parsed: ParsedOutput): void {
  const exitCode = item['exit_code'];
  const failed = item['status'] === 'failed' || item['status'] === 'declined' || (typeof exitCode === 'number' && exitCode !== 0);
  if (!failed) return;
  const output = str(item['aggregated_output']);
  const lastLine = output.trim().split('\n').pop() ?? '';
  const outcome = item['status'] === 'declined' ? 'was declined' : `failed (exit ${String(exitCode ?? '?')})`;
  const note = `\`${str(item['command'])}\` ${outcome}${lastLine === '' ? '' : `: ${lastLine.slice(0, 200)}`}`;
  parsed.failedCommands.push(note);
  if (WRITE_REFUSED.test(output)) parsed.failedWrites.push(note);
}

/** `{response, stats, error?}`; built from the Gemini CLI headless documentation. */
export function parseGeminiResult(stdout: string): ParsedOutput {
  const result = lastJsonObject(stdout, (o) => 'response' in o || 'error' in o);
  if (result === undefined) return { text: stdout, failedWrites: [], failedCommands: [], unreadable: true };
  const parsed: ParsedOutput = { text: str(result['response']), failedWrites: [], failedCommands: [], unreadable: false };
  const error = asObject(result['error']);
  if (error !== undefined) parsed.error = `gemini reported an error: ${str(error['message']) || JSON.stringify(error)}`;
  const models = asObject(asObject(result['stats'])?.['models']);
  if (models !== undefined) {
    const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
    for (const [name, stats] of Object.entries(models)) {
      const tokens = asObject(asObject(stats)?.['tokens']) ?? {};
      usage.inputTokens += num(tokens['prompt']);
      usage.outputTokens += num(tokens['candidates']);
      usage.cachedInputTokens += num(tokens['cached']);
      usage.model ??= name;
    }
    parsed.usage = usage;
  }
  return parsed;
}

export interface Classified {
  failureClass: FailureClass;
  retryAfterMs?: number;
}

/** An HTTP status only counts next to a word that makes it one ("line 512" is not a 5xx). */
const status = (codes: string): string => `\\b(?:HTTP|status|code|error)[\\s:=#"']{0,3}(?:${codes})\\b`;
const AUTH = new RegExp(
  [
    status('401|403'),
    '\\b401 Unauthorized|\\b403 Forbidden|unauthori[sz]ed|invalid[ _-]?(?:api[ _-]?)?key|incorrect api key',
    'authentication[_ ]?error|not logged in|please run /login',
  ].join('|'),
  'i',
);
const RATE_LIMITED = new RegExp(`${status('429')}|\\b429 Too Many|rate[ _-]?limit|too many requests`, 'i');
const PROVIDER_DOWN = new RegExp(
  [
    status('5\\d\\d'),
    '\\b5\\d\\d (?:Internal|Bad Gateway|Service|Gateway)|overloaded|service unavailable|bad gateway|gateway timeout|internal server error',
    'ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|fetch failed',
  ].join('|'),
  'i',
);

/** What an error text says about the provider: auth, rate limit, provider down, or unknown. */
export function classifyFailureText(text: string): Classified {
  if (AUTH.test(text)) return { failureClass: 'auth' };
  if (RATE_LIMITED.test(text)) {
    const match = /retry[- ]after\D{0,4}(\d+(?:\.\d+)?)\s*(ms|milliseconds?)?/i.exec(text);
    if (match?.[1] === undefined) return { failureClass: 'rate_limited' };
    const amount = Number(match[1]);
    return { failureClass: 'rate_limited', retryAfterMs: Math.round(match[2] === undefined ? amount * 1000 : amount) };
  }
  if (PROVIDER_DOWN.test(text)) return { failureClass: 'provider_down' };
  return { failureClass: 'unknown' };
}

function* jsonLines(text: string): Generator<Json> {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      const object = asObject(value);
      if (object !== undefined) yield object;
    } catch {
      // A progress line or a line cut by the output cap: not an event.
    }
  }
}

/** The whole stdout as one JSON object, else the last line that is one and passes `accept`. */
function lastJsonObject(text: string, accept: (o: Json) => boolean): Json | undefined {
  try {
    const whole = asObject(JSON.parse(text.trim()) as unknown);
    if (whole !== undefined && accept(whole)) return whole;
  } catch {
    // Not a single document; look line by line.
  }
  let found: Json | undefined;
  for (const object of jsonLines(text)) if (accept(object)) found = object;
  return found;
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
