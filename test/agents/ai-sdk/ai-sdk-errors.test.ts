import { APICallError, JSONParseError, RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { failureClassOf } from '../../../src/agents/agent.js';
import { classifyAiSdkError, retryAfterMsOf, scrubSecrets } from '../../../src/agents/ai-sdk/ai-sdk-errors.js';

const CONTEXT = { provider: 'anthropic', model: 'claude-sonnet-4-5', providerKey: 'anthropic', secrets: ['sk-ant-live-0123456789abcdef'] };

function apiError(statusCode: number | undefined, message = 'boom', responseHeaders?: Record<string, string>, cause?: unknown) {
  return new APICallError({
    message,
    url: 'https://api.example.test/v1/messages',
    requestBodyValues: {},
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(responseHeaders !== undefined ? { responseHeaders } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

describe('classifyAiSdkError', () => {
  it.each([
    [429, 'rate_limited'],
    [401, 'auth'],
    [403, 'auth'],
    [400, 'bad_request'],
    [404, 'bad_request'],
    [413, 'bad_request'],
    [422, 'bad_request'],
    [408, 'provider_down'],
    [500, 'provider_down'],
    [502, 'provider_down'],
    [503, 'provider_down'],
    [529, 'provider_down'],
    [200, 'invalid_output'],
    [409, 'unknown'],
  ] as const)('maps HTTP %i to %s', (status, expected) => {
    const error = classifyAiSdkError(apiError(status), CONTEXT);
    expect(failureClassOf(error)).toBe(expected);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).toContain('claude-sonnet-4-5');
  });

  it('maps a refused connection to provider_down', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = classifyAiSdkError(new TypeError('fetch failed', { cause: refused }), CONTEXT);
    expect(failureClassOf(error)).toBe('provider_down');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('maps a reset connection wrapped in an APICallError to provider_down', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(failureClassOf(classifyAiSdkError(apiError(undefined, 'Cannot connect to API: socket hang up', undefined, reset), CONTEXT))).toBe('provider_down');
  });

  it('maps an abort to timeout', () => {
    const abort = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(failureClassOf(classifyAiSdkError(abort, CONTEXT))).toBe('timeout');
  });

  it('maps a JSON parse error to invalid_output', () => {
    const error = new JSONParseError({ text: '{"a":', cause: new SyntaxError('Unexpected end') });
    expect(failureClassOf(classifyAiSdkError(error, CONTEXT))).toBe('invalid_output');
  });

  it('unwraps a RetryError to its last error', () => {
    const retry = new RetryError({ message: 'failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [apiError(500), apiError(429)] });
    expect(failureClassOf(classifyAiSdkError(retry, CONTEXT))).toBe('rate_limited');
  });

  it('maps anything else to unknown', () => {
    expect(failureClassOf(classifyAiSdkError(new Error('strange'), CONTEXT))).toBe('unknown');
  });

  it('never repeats a key the provider echoed, nor attaches the raw SDK error', () => {
    const error = classifyAiSdkError(apiError(401, 'Incorrect API key provided: sk-ant-live-0123456789abcdef'), CONTEXT);
    expect(error.message).not.toContain('sk-ant-live-0123456789abcdef');
    expect(error.cause).toBeUndefined();
  });

  it('records the limiter key in the details', () => {
    expect(classifyAiSdkError(apiError(500), { ...CONTEXT, providerKey: 'anthropic@proxy:8080' }).details.provider).toBe('anthropic@proxy:8080');
  });
});

describe('retryAfterMsOf', () => {
  const NOW = Date.parse('2026-01-01T00:00:00Z');

  it.each([
    [{ 'retry-after': '2' }, 2000],
    [{ 'Retry-After': '0.5' }, 500],
    [{ 'retry-after-ms': '1500', 'retry-after': '9' }, 1500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %j as %s ms', (headers, expected) => {
    expect(retryAfterMsOf(headers, NOW)).toBe(expected);
  });
});

describe('scrubSecrets', () => {
  it.each([
    ['the key sk-ant-live-0123456789abcdef is wrong', ['sk-ant-live-0123456789abcdef'], 'the key [redacted] is wrong'],
    ['Authorization: Bearer abc.def.ghi', [], 'Authorization: Bearer [redacted]'],
    ['Incorrect API key provided: sk-proj-abcd****wxyz', [], 'Incorrect API key provided: [redacted]'],
    ['cannot reach https://user:hunter2@proxy.local/v1', [], 'cannot reach https://[redacted]@proxy.local/v1'],
    ['GET https://gl.test/v1beta/models?key=AIzaSyD-123456789', [], 'GET https://gl.test/v1beta/models?key=[redacted]'],
    ['Credential=AKIAIOSFODNN7EXAMPLE/20260101, Signature=abcdef0123', [], 'Credential=[redacted], Signature=[redacted]'],
    ['skipping the sketchy parts', [], 'skipping the sketchy parts'],
  ])('scrubs %j', (text, secrets, expected) => {
    expect(scrubSecrets(text, secrets)).toBe(expected);
  });
});
