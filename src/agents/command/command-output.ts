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

/** A failure the CLI reported in its structured output, in its own words. */
export interface CliError {
  message: string;
  /** The provider's HTTP status, when the CLI says it. */
  status?: number;
  /** Claude Code's result subtype (error_max_turns, error_during_execution) when it is not `success`. */
  subtype?: string;
  /** Claude Code's `api_error`: what went wrong with its API calls (`connection_failed`, …). */
  kind?: string;
}

export interface ParsedOutput {
  text: string;
  usage?: TokenUsage;
  /** The tool reported that the run failed (is_error, turn.failed, error), whatever its exit code. */
  error?: CliError;
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
  // is_error first: a run that failed on its API calls still says `subtype: "success"`.
  const subtype = typeof result['subtype'] === 'string' ? result['subtype'] : 'unknown';
  if (result['is_error'] === true || subtype !== 'success') {
    const errors = Array.isArray(result['errors']) ? result['errors'].filter((e): e is string => typeof e === 'string') : [];
    const message = text.trim() || errors.join('\n') || `the run ended with ${subtype}`;
    const status = httpStatusOf(result['api_error_status']) ?? statusInText(message);
    const kind = str(result['api_error']);
    parsed.error = { message, ...(status === undefined ? {} : { status }), ...(subtype === 'success' ? {} : { subtype }), ...(kind === '' ? {} : { kind }) };
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
  let pendingError: CliError | undefined;
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
      const message = str(asObject(event['error'])?.['message']) || 'the turn failed without a message';
      parsed.error = codexError(message);
    } else if (type === 'error') {
      // Reported mid-stream (e.g. while reconnecting); fatal only if no turn completes after it.
      pendingError = codexError(str(event['message']) || 'an error without a message');
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

/** codex's messages carry the status as "unexpected status 401 Unauthorized: …". */
function codexError(message: string): CliError {
  const status = statusInText(message);
  return { message, ...(status === undefined ? {} : { status }) };
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

/** `{session_id, response, stats, error?: {type, message, code?}}`, pretty-printed (Gemini CLI 0.61). */
export function parseGeminiResult(stdout: string): ParsedOutput {
  const result = lastJsonObject(stdout, (o) => 'response' in o || 'error' in o);
  if (result === undefined) return { text: stdout, failedWrites: [], failedCommands: [], unreadable: true };
  const parsed: ParsedOutput = { text: str(result['response']), failedWrites: [], failedCommands: [], unreadable: false };
  const error = asObject(result['error']);
  if (error !== undefined) {
    const raw = str(error['message']) || str(error['type']) || 'an error without a message';
    // An API error arrives as the provider's JSON body inside the message: its own message is the text.
    const inner = asObject(asObject(parseOr(raw))?.['error']);
    const message = str(inner?.['message']) || raw;
    const status = httpStatusOf(error['code']) ?? httpStatusOf(inner?.['code']) ?? httpStatusOf(error['status']) ?? statusInText(message);
    parsed.error = { message, ...(status === undefined ? {} : { status }) };
  }
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
    'ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|fetch failed|can.t reach the API',
    // codex, once its own retries of a 5xx are spent; stream cuts it could not recover from.
    'experiencing high demand|stream disconnected|server error|temporarily unavailable',
  ].join('|'),
  'i',
);

/**
 * The class of a failure the CLI reported: its provider's status when it gives one, else what its
 * words say; a run that hit its turn limit produced no usable output.
 */
export function classifyCliError(error: CliError): Classified {
  const byText = classifyFailureText(error.message);
  const status = error.status;
  if (status === 401 || status === 403) return { failureClass: 'auth' };
  if (status === 429) return { failureClass: 'rate_limited', ...(byText.retryAfterMs === undefined ? {} : { retryAfterMs: byText.retryAfterMs }) };
  if (status !== undefined && (status >= 500 || status === 408)) return { failureClass: 'provider_down' };
  if (status === 400 || status === 404 || status === 413 || status === 422) return byText.failureClass === 'unknown' ? { failureClass: 'bad_request' } : byText;
  if (byText.failureClass !== 'unknown') return byText;
  if (error.subtype === 'error_max_turns') return { failureClass: 'invalid_output' };
  const kind = error.kind ?? '';
  if (/auth|permission|credential/i.test(kind)) return { failureClass: 'auth' };
  if (/rate/i.test(kind)) return { failureClass: 'rate_limited' };
  if (/connect|overload|server|timeout|unavailable/i.test(kind)) return { failureClass: 'provider_down' };
  return byText;
}

/** A status the CLI put in a field: an HTTP error status, not an exit code. */
function httpStatusOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : undefined;
  return n !== undefined && n >= 400 && n <= 599 ? n : undefined;
}

/** "API Error: 500 …", "unexpected status 401 Unauthorized", "[429 Too Many Requests]". */
function statusInText(text: string): number | undefined {
  const match = /\b(?:API Error|(?:unexpected )?status(?: code)?|HTTP(?:\/[\d.]+)?)[:\s]+([45]\d\d)\b/i.exec(text) ?? /\[([45]\d\d) [A-Z][A-Za-z ]+\]/.exec(text);
  return match?.[1] === undefined ? undefined : httpStatusOf(Number(match[1]));
}

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
  if (found !== undefined) return found;
  // A pretty-printed document after other output: from the last line that opens one.
  const start = text.lastIndexOf('\n{');
  if (start < 0) return undefined;
  try {
    const tail = asObject(JSON.parse(text.slice(start + 1).trim()) as unknown);
    return tail !== undefined && accept(tail) ? tail : undefined;
  } catch {
    return undefined;
  }
}

function parseOr(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
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
