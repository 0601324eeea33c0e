import { describe, expect, it } from 'vitest';
import { classifyCliError, classifyFailureText, parseClaudeResult, parseCodexEvents, parseGeminiResult } from '../../../src/agents/command/index.js';
import { scrubSecrets } from '../../../src/agents/command/index.js';

const lines = (...events: unknown[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('parseClaudeResult', () => {
  it('reads result, usage and cost from the JSON result', () => {
    const parsed = parseClaudeResult(
      JSON.stringify({
        type: 'result',
        subtype: 'success',
        is_error: false,
        num_turns: 2,
        result: 'Done.',
        total_cost_usd: 0.5,
        usage: { input_tokens: 10, cache_creation_input_tokens: 20, cache_read_input_tokens: 70, output_tokens: 5 },
        modelUsage: { 'claude-opus-4-1': {} },
      }),
    );
    expect(parsed).toMatchObject({ text: 'Done.', unreadable: false, usage: { inputTokens: 100, cachedInputTokens: 70, outputTokens: 5, costUsd: 0.5, model: 'claude-opus-4-1' } });
    expect(parsed.error).toBeUndefined();
  });

  it.each([
    ['is_error, whatever the subtype says', { subtype: 'success', is_error: true, result: 'API Error: 401 Invalid API key' }, { message: 'API Error: 401 Invalid API key', status: 401 }],
    ['the API status when given', { subtype: 'success', is_error: true, result: 'Failed.', api_error_status: 529 }, { message: 'Failed.', status: 529 }],
    ['an error subtype', { subtype: 'error_max_turns', is_error: false }, { message: 'the run ended with error_max_turns', subtype: 'error_max_turns' }],
  ])('reports %s as an error in its own words', (_name, fields, error) => {
    expect(parseClaudeResult(JSON.stringify({ type: 'result', ...fields })).error).toEqual(error);
  });

  it('reads the result line at the end of a stream-json run', () => {
    const stream = lines({ type: 'system', subtype: 'init' }, { type: 'assistant', message: { content: [{ type: 'text', text: 'Working.' }] } }, { type: 'result', subtype: 'success', is_error: false, result: 'Done.' });
    expect(parseClaudeResult(stream)).toMatchObject({ text: 'Done.', unreadable: false });
  });

  it('finds the result line among other output', () => {
    expect(parseClaudeResult(`warming up\n${JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'ok' })}\n`).text).toBe('ok');
  });

  it('marks output without a result as unreadable', () => {
    expect(parseClaudeResult('Segmentation fault').unreadable).toBe(true);
  });
});

describe('parseCodexEvents', () => {
  it('takes the last agent message as text and sums turn usage', () => {
    const parsed = parseCodexEvents(
      lines(
        { type: 'thread.started', thread_id: 't' },
        { type: 'item.completed', item: { id: '1', type: 'agent_message', text: 'Looking.' } },
        { type: 'item.completed', item: { id: '2', type: 'agent_message', text: 'Done: added greet().' } },
        { type: 'turn.completed', usage: { input_tokens: 100, cached_input_tokens: 40, output_tokens: 9 } },
      ),
    );
    expect(parsed).toMatchObject({ text: 'Done: added greet().', usage: { inputTokens: 100, cachedInputTokens: 40, outputTokens: 9 }, failedWrites: [], failedCommands: [] });
  });

  it('collects failed patches and read-only command failures as failed writes', () => {
    const parsed = parseCodexEvents(
      lines(
        { type: 'item.completed', item: { id: '1', type: 'command_execution', command: 'touch a', aggregated_output: 'touch: a: Read-only file system', exit_code: 1, status: 'failed' } },
        { type: 'item.completed', item: { id: '2', type: 'command_execution', command: 'npm test', aggregated_output: '1 failing', exit_code: 1, status: 'failed' } },
        { type: 'item.completed', item: { id: '3', type: 'file_change', changes: [{ path: 'a.ts', kind: 'add' }], status: 'failed' } },
        { type: 'item.completed', item: { id: '4', type: 'command_execution', command: 'ls', aggregated_output: '', exit_code: 0, status: 'completed' } },
      ),
    );
    expect(parsed.failedWrites).toEqual(['`touch a` failed (exit 1): touch: a: Read-only file system', 'patch of a.ts failed']);
    expect(parsed.failedCommands).toHaveLength(2);
  });

  it.each([
    ['turn.failed', [{ type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized' } }], { message: 'unexpected status 401 Unauthorized', status: 401 }],
    ['a trailing error event', [{ type: 'error', message: 'stream disconnected' }], { message: 'stream disconnected' }],
    ['an error followed by a completed turn', [{ type: 'error', message: 'Reconnecting... 1/5' }, { type: 'turn.completed', usage: {} }], undefined],
  ])('judges %s', (_name, events, error) => {
    expect(parseCodexEvents(lines(...events)).error).toEqual(error);
  });
});

describe('parseGeminiResult', () => {
  it('reads response, error and per-model token stats', () => {
    const parsed = parseGeminiResult(
      JSON.stringify({ response: 'ok', stats: { models: { 'gemini-2.5-pro': { tokens: { prompt: 50, candidates: 7, cached: 10 } } } } }),
    );
    expect(parsed).toMatchObject({ text: 'ok', usage: { inputTokens: 50, outputTokens: 7, cachedInputTokens: 10, model: 'gemini-2.5-pro' } });
    expect(parseGeminiResult(JSON.stringify({ response: '', error: { type: 'ApiError', message: 'quota' } })).error).toEqual({ message: 'quota' });
  });

  it('reads the provider\'s own message out of an API error body', () => {
    const body = JSON.stringify({ error: { code: 401, message: 'Invalid API key provided.', status: 'UNAUTHENTICATED' } });
    expect(parseGeminiResult(JSON.stringify({ error: { type: 'Error', message: body } })).error).toEqual({ message: 'Invalid API key provided.', status: 401 });
  });

  it('reads a pretty-printed error after other output, with its status', () => {
    const stdout = `Loaded cached credentials.\n${JSON.stringify({ session_id: 's', error: { type: 'FatalAuthenticationError', message: 'API key not valid.', code: 401 } }, null, 2)}\n`;
    expect(parseGeminiResult(stdout).error).toEqual({ message: 'API key not valid.', status: 401 });
  });
});

describe('classifyCliError', () => {
  it.each([
    [{ message: 'Failed to authenticate. API Error: 401 Invalid API key', status: 401 }, 'auth'],
    [{ message: 'Something odd', status: 429 }, 'rate_limited'],
    [{ message: 'API Error: 500 The server had an error', status: 500 }, 'provider_down'],
    [{ message: 'We’re currently experiencing high demand, which may cause temporary errors.' }, 'provider_down'],
    [{ message: 'prompt is too long', status: 400 }, 'bad_request'],
    [{ message: 'the run ended with error_max_turns', subtype: 'error_max_turns' }, 'invalid_output'],
    [{ message: 'Something failed', kind: 'connection_failed' }, 'provider_down'],
    [{ message: 'API Error: Can’t reach the API server — check your internet or DNS (EAI_AGAIN)' }, 'provider_down'],
    [{ message: 'Segmentation fault' }, 'unknown'],
  ])('classes %j as %s', (error, failureClass) => {
    expect(classifyCliError(error).failureClass).toBe(failureClass);
  });

  it('keeps the retry-after a 429 gives', () => {
    expect(classifyCliError({ message: 'Rate limited; retry after 12 s', status: 429 })).toEqual({ failureClass: 'rate_limited', retryAfterMs: 12_000 });
  });
});

describe('classifyFailureText', () => {
  it.each([
    ['HTTP 401 Unauthorized', 'auth'],
    ['Invalid API key · Please run /login', 'auth'],
    ['403 Forbidden', 'auth'],
    ['429 Too Many Requests', 'rate_limited'],
    ['rate_limit_error: slow down', 'rate_limited'],
    ['API Error: 529 {"type":"overloaded_error"}', 'provider_down'],
    ['HTTP status 503', 'provider_down'],
    ['connect ECONNREFUSED 127.0.0.1:8080', 'provider_down'],
    ['error at line 512 of parser.ts', 'unknown'],
    ['expected 401 items, got 400', 'unknown'],
    ['Segmentation fault', 'unknown'],
  ])('classifies "%s" as %s', (text, failureClass) => {
    expect(classifyFailureText(text).failureClass).toBe(failureClass);
  });

  it('reads retry-after in seconds or milliseconds', () => {
    expect(classifyFailureText('HTTP 429; retry-after: 3').retryAfterMs).toBe(3000);
    expect(classifyFailureText('rate limited, retry after 250 ms').retryAfterMs).toBe(250);
  });
});

describe('scrubSecrets', () => {
  it('removes known values and key-shaped strings', () => {
    const out = scrubSecrets('api_key=abc123456 sk-proj-ABCDEFGHIJKLMNOP Authorization: Bearer eyJhbGciOiJIUzI1NiJ9 mine: hunter2hunter2', ['hunter2hunter2']);
    expect(out).toBe('api_key=[redacted] [redacted] Authorization: Bearer [redacted] mine: [redacted]');
  });
});
