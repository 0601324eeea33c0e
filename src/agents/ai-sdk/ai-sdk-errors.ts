/**
 * Turns whatever the AI SDK throws into a classified agent failure. The recovery policy picks a
 * strategy from the class (ARCHITECTURE decision 8), so the class matters more than the wording;
 * the wording is one sentence for a person, naming provider, model and status, and never a secret.
 */
import {
  APICallError,
  EmptyResponseBodyError,
  InvalidResponseDataError,
  JSONParseError,
  NoContentGeneratedError,
  RetryError,
  TypeValidationError,
} from 'ai';
import type { FailureClass } from '../../core/definition-schema.js';
import type { ConvergeError } from '../../core/errors.js';
import { endSentence } from '../../core/messages.js';
import { agentFailure } from '../agent.js';

export interface ErrorContext {
  /** e.g. `anthropic` — as configured, not the limiter key. */
  provider: string;
  model: string;
  /** The limiter key, recorded in the failure's details. */
  providerKey: string;
  /** Credential values in use; removed from any text we repeat. */
  secrets: readonly string[];
  /** Set when the call was aborted: how long it had, for the message. */
  timedOutAfterMs?: number;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Longest provider text we repeat; enough for "max_tokens: 9999 > 8192", short enough for a log line. */
const MAX_DETAIL = 200;

export function classifyAiSdkError(error: unknown, context: ErrorContext): ConvergeError {
  const cause = unwrapRetry(error);
  const who = `${context.provider} model ${context.model}`;
  const fail = (failureClass: FailureClass, message: string, retryAfterMs?: number) =>
    // No `cause`: the SDK error holds the response body, which may echo a credential, and
    // loggers serialise causes. The message keeps what a person needs.
    agentFailure(failureClass, endSentence(scrubSecrets(message, context.secrets)), {
      provider: context.providerKey,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });

  if (context.timedOutAfterMs !== undefined || isAbort(cause)) {
    const after = context.timedOutAfterMs !== undefined ? ` within ${formatDuration(context.timedOutAfterMs)}` : '';
    return fail('timeout', `The ${who} did not answer${after}; the call was aborted.`);
  }
  if (APICallError.isInstance(cause)) return classifyApiCall(cause, who, fail);
  if (
    JSONParseError.isInstance(cause) ||
    TypeValidationError.isInstance(cause) ||
    InvalidResponseDataError.isInstance(cause) ||
    EmptyResponseBodyError.isInstance(cause) ||
    NoContentGeneratedError.isInstance(cause)
  ) {
    return fail('invalid_output', `The ${who} sent a response that could not be read (${cause.name}).`);
  }
  if (isNetworkError(cause)) {
    return fail('provider_down', `The ${who} could not be reached (${networkCode(cause) ?? 'network error'}).`);
  }
  const detail = cause instanceof Error ? `: ${clip(cause.message)}` : '';
  return fail('unknown', `The call to the ${who} failed${detail}`);
}

type Fail = (failureClass: FailureClass, message: string, retryAfterMs?: number) => ConvergeError;

function classifyApiCall(error: APICallError, who: string, fail: Fail): ConvergeError {
  const status = error.statusCode;
  const detail = error.message ? `: ${clip(error.message)}` : '';
  if (status === undefined) {
    // No HTTP status: the request never got an answer.
    if (isNetworkError(error) || error.isRetryable) return fail('provider_down', `The ${who} could not be reached${detail}`);
    return fail('unknown', `The call to the ${who} failed${detail}`);
  }
  const answered = `The ${who} answered HTTP ${status}`;
  // A 2xx that still failed means the body was not what the provider's schema says.
  if (status >= 200 && status < 300) return fail('invalid_output', `${answered} with a body that could not be read${detail}`);
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(error.responseHeaders);
    const wait = retryAfterMs !== undefined ? `; retry after ${formatDuration(retryAfterMs)}` : '';
    return fail('rate_limited', `${answered} (rate limited)${wait}.`, retryAfterMs);
  }
  if (status === 401 || status === 403) return fail('auth', `${answered} (not authorised)${detail}`);
  if (status === 408 || status === 529 || status >= 500) return fail('provider_down', `${answered} (unavailable)${detail}`);
  if (status === 400 || status === 404 || status === 413 || status === 422) return fail('bad_request', `${answered} (request rejected)${detail}`);
  return fail('unknown', `${answered}${detail}`);
}

/**
 * `retry-after-ms` (OpenAI) wins over `retry-after`, which is either delta-seconds (possibly
 * fractional) or an HTTP date. Header names are matched case-insensitively.
 */
export function retryAfterMsOf(headers: Record<string, string> | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.trim()]));
  const ms = lower.get('retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const after = lower.get('retry-after');
  if (after === undefined || after === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Math.ceil(Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Removes credentials from text we repeat: the exact values in use, bearer tokens, OpenAI-style
 * `sk-…` keys (providers echo them, half-masked, in 401 bodies), AWS key ids and SigV4 parts,
 * `user:pass@` in URLs and key-like query parameters.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 [redacted]')
    .replace(/\bsk-[-_A-Za-z0-9*.]{8,}/g, '[redacted]')
    .replace(/\bAIza[-_A-Za-z0-9]{20,}/g, '[redacted]')
    .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g, '[redacted]')
    .replace(/\b(Signature|Credential|X-Amz-Security-Token)=[^\s,&"]+/gi, '$1=[redacted]')
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi, '$1[redacted]@')
    .replace(/([?&](?:key|api_key|apikey|token|access_token|sig|signature)=)[^&\s]+/gi, '$1[redacted]');
}

function unwrapRetry(error: unknown): unknown {
  return RetryError.isInstance(error) ? (error.lastError ?? error) : error;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function networkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

function isNetworkError(error: unknown): boolean {
  if (networkCode(error) !== undefined) return true;
  if (!(error instanceof Error)) return false;
  const message = error.message.toLowerCase();
  return message.includes('fetch failed') || message.includes('failed to fetch') || message.startsWith('cannot connect to api');
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return oneLine.length > MAX_DETAIL ? `${oneLine.slice(0, MAX_DETAIL - 1)}…` : oneLine;
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
