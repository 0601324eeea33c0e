/**
 * Puts the app on a socket (node:http through @hono/node-server) and runs a worker beside it,
 * so workflows started or approved over HTTP move on without another process. Closing stops the
 * worker at its next safe point (nothing recorded is lost) and ends open SSE streams.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { runWorker } from '../../engine/worker.js';
import type { AppOptions } from './app-env.js';
import { createApp } from './create-app.js';
import type { ConvergeApp } from './create-app.js';

export interface HttpServerOptions extends AppOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Workflows driven at once by the built-in worker; 0 runs no worker (another process drives them). */
  concurrency?: number;
  /** How often the worker looks for runnable workflows (default 300 ms). */
  workerPollMs?: number;
  /** Socket timeouts; each unset one comes from DEFAULT_HTTP_TIMEOUTS. */
  timeouts?: Partial<HttpTimeouts>;
}

export interface HttpTimeouts {
  /** Until the request line and headers have arrived (slow-header clients). */
  headersMs: number;
  /**
   * Until the whole request, body included, has arrived. Node measures only the receiving side,
   * so an SSE response that stays open for hours is not cut by it.
   */
  requestMs: number;
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: Readonly<HttpTimeouts> = Object.freeze({ headersMs: 20_000, requestMs: 60_000, keepAliveMs: 10_000 });

export interface RunningHttpServer {
  app: ConvergeApp;
  /** e.g. http://127.0.0.1:8080 (no trailing slash). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const app = createApp(options);
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const serverOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the two timeouts on this interval (30 s by default), so it bounds how late they fire.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
  };
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8080, overrideGlobalObjects: false, serverOptions }, () => resolve(s as Server));
    (s as Server).once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const controller = new AbortController();
  const log = options.log;
  const concurrency = options.concurrency ?? 8;
  const worker =
    concurrency > 0
      ? runWorker(options.engine, {
          concurrency,
          pollMs: options.workerPollMs ?? 300,
          signal: controller.signal,
          onError: (id, error) => log?.error({ workflow: id, err: error instanceof Error ? error.message : String(error) }, 'a workflow run stopped with an error'),
        }).catch((error: unknown) => log?.error({ err: String(error) }, 'the worker stopped'))
      : Promise.resolve();
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    app,
    url: `http://${shown}:${port}`,
    host,
    port,
    async close() {
      controller.abort();
      // SSE streams never end on their own; without this, close() would wait for every browser.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker;
    },
  };
}
