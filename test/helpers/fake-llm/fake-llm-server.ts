/**
 * One node:http server on 127.0.0.1 that speaks the real wire formats of the LLM APIs Converge
 * uses, so the AI SDK providers run unmodified against it:
 *
 *   POST /v1/messages                             Anthropic Messages (SSE when `stream: true`)
 *   POST /v1/responses                            OpenAI Responses
 *   POST /v1/chat/completions                     OpenAI chat-completions and compatible servers (SSE ending `[DONE]`)
 *   POST /model/:id/converse                      Bedrock Converse (any SigV4 or bearer auth is accepted)
 *   POST /v1beta/models/:model:generateContent    Google Gemini
 *
 * Each test scripts it with a queue of behaviours per route (or `any`); an empty queue answers
 * `defaultText`. It records every request and the highest number answered at once, and can
 * refuse requests over a concurrency limit with 429, like a provider would.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_USAGE,
  anthropicStream,
  chatStream,
  defaultErrorMessage,
  errorBody,
  successBody,
} from './fake-llm-formats.js';
import type { FakeRoute, FakeUsage, SseEvent } from './fake-llm-formats.js';

export type { FakeRoute, FakeUsage } from './fake-llm-formats.js';

export interface FakeBehaviour {
  /** Answer with this text (the default when no status is given). */
  text?: string;
  /** Answer with this HTTP status and an error body in the provider's shape (when ≥ 400). */
  status?: number;
  headers?: Record<string, string>;
  /** The error message in the body; by default a 401/403 echoes the credential it received. */
  message?: string;
  /** Send this JSON instead of the generated body. */
  body?: unknown;
  /** Never answer; the request ends only when the client aborts or the server closes. */
  hang?: boolean;
  /** Answer 200 with a body that is not valid JSON. */
  malformed?: boolean;
  /** Wait this long before answering (for concurrency tests). */
  delayMs?: number;
  usage?: Partial<FakeUsage>;
  /** Stop as a model does at its output-token limit: each provider's own "cut off" finish reason. */
  truncated?: boolean;
}

export interface RecordedRequest {
  route: FakeRoute;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: any;
  model: string | undefined;
}

export type FakeProviderName = 'anthropic' | 'openai' | 'openai-chat' | 'openai-compatible' | 'bedrock' | 'google';

export interface FakeLlmServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** The `base_url` an AI SDK provider needs to reach this server. */
  baseUrl(provider: FakeProviderName): string;
  enqueue(route: FakeRoute | 'any', ...behaviours: FakeBehaviour[]): void;
  readonly requests: RecordedRequest[];
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** The most requests ever answered at once (refused ones not counted). */
  readonly maxInFlight: number;
  /** Requests refused with 429 by the concurrency limit. */
  readonly rejected: number;
  defaultText: string;
  defaultUsage: FakeUsage;
  /** Above this many concurrent requests the server answers 429 with `retry-after: 1`. */
  concurrencyLimit: number | undefined;
  /** Answers from the request itself when the queues are empty (e.g. by which prompt it carries). */
  respond: ((request: RecordedRequest) => FakeBehaviour | undefined) | undefined;
  /** Clears queues, recorded requests and counters. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeLlmServerOptions {
  defaultText?: string;
  defaultUsage?: Partial<FakeUsage>;
  concurrencyLimit?: number;
}

const ROUTES: ReadonlyArray<{ route: FakeRoute; pattern: RegExp }> = [
  { route: 'anthropic', pattern: /\/messages$/ },
  { route: 'openai-responses', pattern: /\/responses$/ },
  { route: 'openai-chat', pattern: /\/chat\/completions$/ },
  { route: 'bedrock', pattern: /\/model\/([^/]+)\/converse$/ },
  { route: 'google', pattern: /\/models\/([^/:]+):generateContent$/ },
];

export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  const queues = new Map<FakeRoute | 'any', FakeBehaviour[]>();
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let rejected = 0;

  const state = {
    defaultText: options.defaultText ?? 'Hello from the fake LLM.',
    defaultUsage: { ...DEFAULT_USAGE, ...options.defaultUsage },
    concurrencyLimit: options.concurrencyLimit,
    respond: undefined as ((request: RecordedRequest) => FakeBehaviour | undefined) | undefined,
  };

  const next = (route: FakeRoute, request: RecordedRequest): FakeBehaviour =>
    queues.get(route)?.shift() ?? queues.get('any')?.shift() ?? state.respond?.(request) ?? {};

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const match = ROUTES.map((r) => ({ ...r, found: r.pattern.exec(path) })).find((r) => r.found !== null);
    const raw = await readBody(req);
    if (req.method !== 'POST' || match === undefined) {
      sendJson(res, 404, { error: { message: `The fake LLM server has no route for ${req.method} ${path}.` } });
      return;
    }
    const body = parseJson(raw);
    const model = match.found?.[1] !== undefined ? decodeURIComponent(match.found[1]) : (body?.model as string | undefined);
    requests.push({ route: match.route, method: req.method, path, headers: req.headers, body: body ?? raw, model });

    if (state.concurrencyLimit !== undefined && inFlight >= state.concurrencyLimit) {
      rejected++;
      sendJson(res, 429, errorBody(match.route, 429, 'Too many concurrent requests'), { 'retry-after': '1' });
      return;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const release = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', release);
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());

    const behaviour = next(match.route, requests[requests.length - 1]!);
    if (behaviour.delayMs !== undefined) await sleep(behaviour.delayMs, undefined, { signal: aborted.signal }).catch(() => undefined);
    if (aborted.signal.aborted) return;
    if (behaviour.hang === true) return; // the socket stays open until the client gives up
    answer(res, match.route, model ?? 'fake-model', body, behaviour, credentialOf(req.headers), state);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server bug: ${String(error)}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrl(provider) {
      if (provider === 'bedrock') return url;
      if (provider === 'google') return `${url}/v1beta`;
      return `${url}/v1`;
    },
    enqueue(route, ...behaviours) {
      const queue = queues.get(route) ?? [];
      queue.push(...behaviours);
      queues.set(route, queue);
    },
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get rejected() {
      return rejected;
    },
    get defaultText() {
      return state.defaultText;
    },
    set defaultText(text: string) {
      state.defaultText = text;
    },
    get defaultUsage() {
      return state.defaultUsage;
    },
    set defaultUsage(usage: FakeUsage) {
      state.defaultUsage = usage;
    },
    get concurrencyLimit() {
      return state.concurrencyLimit;
    },
    set concurrencyLimit(limit: number | undefined) {
      state.concurrencyLimit = limit;
    },
    get respond() {
      return state.respond;
    },
    set respond(fn: ((request: RecordedRequest) => FakeBehaviour | undefined) | undefined) {
      state.respond = fn;
    },
    reset() {
      queues.clear();
      requests.length = 0;
      maxInFlight = inFlight;
      rejected = 0;
    },
    async close() {
      // Hanging requests would otherwise keep close() waiting forever.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(
  res: ServerResponse,
  route: FakeRoute,
  model: string,
  request: any,
  behaviour: FakeBehaviour,
  credential: string | undefined,
  state: { defaultText: string; defaultUsage: FakeUsage },
): void {
  const headers = behaviour.headers ?? {};
  if (behaviour.malformed === true) {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end('{"id": "broken", "content": [{"type": "text", "text": "unfinished');
    return;
  }
  const status = behaviour.status ?? 200;
  if (status >= 400) {
    const message = behaviour.message ?? defaultErrorMessage(status, credential);
    sendJson(res, status, behaviour.body ?? errorBody(route, status, message), {
      ...(route === 'bedrock' ? { 'x-amzn-errortype': status === 429 ? 'ThrottlingException' : 'InternalServerException' } : {}),
      ...headers,
    });
    return;
  }
  if (behaviour.body !== undefined) {
    sendJson(res, status, behaviour.body, headers);
    return;
  }
  const text = behaviour.text ?? state.defaultText;
  const usage = { ...state.defaultUsage, ...behaviour.usage };
  if (request?.stream === true && route === 'anthropic') return sendSse(res, anthropicStream(model, text, usage), headers);
  if (request?.stream === true && route === 'openai-chat') return sendSse(res, chatStream(model, text, usage), headers);
  if (request?.stream === true) {
    sendJson(res, 400, errorBody(route, 400, `The fake LLM server does not stream the ${route} route.`));
    return;
  }
  sendJson(res, status, successBody(route, model, text, usage, behaviour.truncated === true ? 'length' : 'stop'), headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendSse(res: ServerResponse, events: SseEvent[], headers: Record<string, string>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  for (const { event, data } of events) {
    res.write(`${event !== undefined ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }
  res.end();
}

function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers['x-api-key'] ?? headers['x-goog-api-key'];
  if (typeof direct === 'string') return direct;
  return headers.authorization?.replace(/^Bearer\s+/i, '');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
