/**
 * A stand-in for the providers of the real coding-agent CLIs: Anthropic Messages for Claude Code,
 * OpenAI Responses for Codex, Google generateContent for Gemini CLI, each streamed as the real API
 * streams it (see real-cli-wire.ts). A scripted model drives the CLI's own file tools: the test
 * says which files a run writes (by the prompt it receives), and the fake answers one tool call per
 * request, then the final text.
 *
 * It listens on a Unix socket, not a port: the CLIs run in a network namespace with only loopback,
 * where real-cli-offline-launcher.mjs relays 127.0.0.1:<port> to this socket. The fake stays in the
 * test process (scripted with functions, its requests recorded in memory), and the socket is the
 * only way out of the namespace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultErrorMessage, errorBody } from '../fake-llm/fake-llm-formats.js';
import type { FakeRoute } from '../fake-llm/fake-llm-formats.js';
import { geminiJsonAnswer, readConversation, streamTurn, toolCallsFor } from './real-cli-wire.js';
import type { CliDialect, CliTurn, Conversation, SseEvent } from './real-cli-wire.js';

export type { CliDialect, CliEdit, CliTurn } from './real-cli-wire.js';

/** How the provider answers every request: the scripted model, an HTTP error, or never. */
export type ProviderMode = { kind: 'script' } | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> } | { kind: 'hang' };

export interface CliRequest {
  dialect: CliDialect;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  model: string | undefined;
  conversation: Conversation;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /** When the answer ended or the client went away. */
  closedAt?: number;
  /** The client closed the connection before the answer was complete (e.g. it was killed). */
  abandoned: boolean;
  /** The HTTP status sent; undefined while hanging. */
  status?: number;
}

export interface CliProvider {
  /** The Unix socket to relay to. */
  readonly socketPath: string;
  /** The workspace as the CLI sees it: Claude Code's tools take absolute paths. */
  workspace: string;
  /** Chooses what a run does from its prompt. */
  model: (prompt: string) => CliTurn;
  mode: ProviderMode;
  readonly requests: CliRequest[];
  /** Requests of the main conversation (not Gemini's side requests for JSON). */
  turns(): CliRequest[];
  close(): Promise<void>;
}

const ROUTES: ReadonlyArray<{ dialect: CliDialect; pattern: RegExp }> = [
  { dialect: 'anthropic', pattern: /\/v1\/messages$/ },
  { dialect: 'openai-responses', pattern: /\/v1\/responses$/ },
  { dialect: 'gemini', pattern: /\/models\/([^/:]+):(stream)?[gG]enerateContent$/ },
];

const ERROR_ROUTE: Readonly<Record<CliDialect, FakeRoute>> = { anthropic: 'anthropic', 'openai-responses': 'openai-responses', gemini: 'google' };

export async function startCliProvider(options: { workspace?: string; model?: (prompt: string) => CliTurn } = {}): Promise<CliProvider> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-cli-fake-'));
  const socketPath = join(dir, 'provider.sock');
  const requests: CliRequest[] = [];
  const state = {
    workspace: options.workspace ?? '',
    model: options.model ?? ((): CliTurn => ({ edits: [], say: 'Nothing to do.' })),
    mode: { kind: 'script' } as ProviderMode,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = ROUTES.map((r) => ({ ...r, found: r.pattern.exec(url.pathname) })).find((r) => r.found !== null);
    const raw = await readBody(req);
    if (req.method !== 'POST' || route === undefined) {
      sendJson(res, 404, { error: { message: `The fake CLI provider has no route for ${req.method} ${url.pathname}.` } });
      return;
    }
    const body = parseJson(raw);
    const streamed = route.dialect !== 'gemini' || route.found?.[2] === 'stream';
    const model = route.found?.[1] ?? (typeof body?.model === 'string' ? body.model : undefined);
    const request: CliRequest = {
      dialect: route.dialect,
      path: `${url.pathname}${url.search}`,
      headers: req.headers,
      body,
      model,
      conversation: readConversation(route.dialect, body),
      receivedAt: Date.now(),
      abandoned: false,
    };
    requests.push(request);
    res.on('close', () => {
      request.closedAt = Date.now();
      request.abandoned = !res.writableFinished;
    });

    const mode = state.mode;
    if (mode.kind === 'hang') return; // the socket stays open until the client gives up or is killed
    if (mode.kind === 'status') {
      request.status = mode.status;
      const message = mode.message ?? defaultErrorMessage(mode.status, credentialOf(req.headers));
      sendJson(res, mode.status, errorBody(ERROR_ROUTE[route.dialect], mode.status, message), mode.headers);
      return;
    }
    request.status = 200;
    if (!streamed) {
      sendJson(res, 200, geminiJsonAnswer(body));
      return;
    }
    const turn = state.model(request.conversation.prompt);
    const calls = toolCallsFor(route.dialect, turn, state.workspace);
    const call = calls[request.conversation.toolResults.length];
    sendSse(res, streamTurn(route.dialect, model ?? 'fake-model', call, turn.say));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake CLI provider bug: ${String(error)}` } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });

  return {
    socketPath,
    get workspace() {
      return state.workspace;
    },
    set workspace(path: string) {
      state.workspace = path;
    },
    get model() {
      return state.model;
    },
    set model(fn: (prompt: string) => CliTurn) {
      state.model = fn;
    },
    get mode() {
      return state.mode;
    },
    set mode(mode: ProviderMode) {
      state.mode = mode;
    },
    requests,
    turns: () => requests.filter((r) => r.dialect !== 'gemini' || r.path.includes(':stream')),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendSse(res: ServerResponse, events: SseEvent[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
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
