/**
 * Wire formats of the fake LLM server: what each real API answers, trimmed to the fields the
 * AI SDK providers read. Usage is given once in Converge's terms (total input incl. cache parts)
 * and translated here into each provider's own accounting, so the same numbers must come back
 * out of every provider.
 */
import { randomUUID } from 'node:crypto';

export type FakeRoute = 'anthropic' | 'openai-responses' | 'openai-chat' | 'bedrock' | 'google';

export interface FakeUsage {
  /** Whole prompt, cache reads and writes included. */
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
}

export const DEFAULT_USAGE: FakeUsage = { inputTokens: 1200, outputTokens: 80, cachedInputTokens: 0, cacheWriteTokens: 0 };

export interface SseEvent {
  event?: string;
  data: unknown;
}

/** `length`: the answer stopped at the output-token limit, in each API's own words. */
export type FakeFinish = 'stop' | 'length';

export function successBody(route: FakeRoute, model: string, text: string, u: FakeUsage, finish: FakeFinish = 'stop'): unknown {
  const plainInput = Math.max(0, u.inputTokens - u.cachedInputTokens - u.cacheWriteTokens);
  const cut = finish === 'length';
  switch (route) {
    case 'anthropic':
      return {
        id: `msg_${randomUUID()}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text }],
        stop_reason: cut ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: anthropicUsage(u, u.outputTokens),
      };
    case 'openai-responses':
      return {
        id: `resp_${randomUUID()}`,
        object: 'response',
        created_at: Math.floor(Date.now() / 1000),
        status: cut ? 'incomplete' : 'completed',
        model,
        output: [
          {
            type: 'message',
            id: `msg_${randomUUID()}`,
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
        incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
        usage: {
          input_tokens: u.inputTokens,
          input_tokens_details: { cached_tokens: u.cachedInputTokens },
          output_tokens: u.outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: u.inputTokens + u.outputTokens,
        },
      };
    case 'openai-chat':
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: cut ? 'length' : 'stop' }],
        usage: chatUsage(u),
      };
    case 'bedrock':
      return {
        output: { message: { role: 'assistant', content: [{ text }] } },
        stopReason: cut ? 'max_tokens' : 'end_turn',
        usage: {
          inputTokens: plainInput,
          outputTokens: u.outputTokens,
          totalTokens: u.inputTokens + u.outputTokens,
          cacheReadInputTokens: u.cachedInputTokens,
          cacheWriteInputTokens: u.cacheWriteTokens,
        },
        metrics: { latencyMs: 1 },
      };
    case 'google':
      return {
        candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: cut ? 'MAX_TOKENS' : 'STOP', index: 0 }],
        usageMetadata: {
          promptTokenCount: u.inputTokens,
          candidatesTokenCount: u.outputTokens,
          totalTokenCount: u.inputTokens + u.outputTokens,
          cachedContentTokenCount: u.cachedInputTokens,
        },
        modelVersion: model,
      };
  }
}

/** Anthropic's SSE sequence for one text block. */
export function anthropicStream(model: string, text: string, u: FakeUsage): SseEvent[] {
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: `msg_${randomUUID()}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: anthropicUsage(u, 1),
        },
      },
    },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
  ];
  for (const piece of chunks(text)) {
    events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } } });
  }
  events.push(
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: u.outputTokens } },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  return events;
}

/** chat-completions chunks; the last carries usage (as with `stream_options.include_usage`), then `[DONE]`. */
export function chatStream(model: string, text: string, u: FakeUsage): SseEvent[] {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finish: string | null, usage?: object) => ({
    data: { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) },
  });
  return [
    chunk({ role: 'assistant', content: '' }, null),
    ...chunks(text).map((piece) => chunk({ content: piece }, null)),
    chunk({}, 'stop', chatUsage(u)),
    { data: '[DONE]' },
  ];
}

/** An error body in the provider's own shape; `message` is what the SDK will surface. */
export function errorBody(route: FakeRoute, status: number, message: string): unknown {
  switch (route) {
    case 'anthropic':
      return { type: 'error', error: { type: anthropicErrorType(status), message } };
    case 'openai-responses':
    case 'openai-chat':
      return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'api_error', param: null, code: String(status) } };
    case 'bedrock':
      return { message };
    case 'google':
      return { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNKNOWN' } };
  }
}

export function defaultErrorMessage(status: number, credential: string | undefined): string {
  // Like some real APIs, the 401 echoes the credential it got, so tests can prove we never repeat it.
  if (status === 401 || status === 403) return `Invalid API key provided: ${credential ?? '(none)'}`;
  if (status === 429) return 'Rate limit reached for requests';
  if (status >= 500) return 'The server had an error while processing your request';
  return `Request failed with status ${status}`;
}

function anthropicUsage(u: FakeUsage, outputTokens: number) {
  return {
    input_tokens: Math.max(0, u.inputTokens - u.cachedInputTokens - u.cacheWriteTokens),
    output_tokens: outputTokens,
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cachedInputTokens,
  };
}

function chatUsage(u: FakeUsage) {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens },
  };
}

function anthropicErrorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 16) out.push(text.slice(i, i + 16));
  return out.length > 0 ? out : [''];
}
