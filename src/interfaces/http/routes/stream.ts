/**
 * Server-sent events. `/api/workflows/:id/stream` sends each new event of one workflow (polling
 * the store, which any process may write to), then a `summary`; `/api/stream` sends `changed`
 * whenever any workflow changes, for the list page. Comments keep proxies from closing idle streams.
 * Both share one cap on live streams, per token and in all.
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { SSEStreamingApi } from 'hono/streaming';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { streamLimit } from '../middleware/stream-limit/index.js';
import { summaryView } from '../workflow-views.js';
import { lastSeqOf, workflowIdOf } from './route-helpers.js';

const SSE_HEADERS = { 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' };

export function registerStreamRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { engine, audit, ssePollMs, sseKeepAliveMs } = deps;
  const store = engine.store;
  const viewer = requireRole('viewer', audit);
  const limit = streamLimit({ perToken: deps.sseMaxStreamsPerToken, total: deps.sseMaxStreams });

  app.get('/api/workflows/:id/stream', viewer, limit, async (c) => {
    const id = workflowIdOf(c);
    await lastSeqOf(deps, id);
    const from = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0);
    let after = Number.isSafeInteger(from) && from >= 0 ? from : 0;
    for (const [k, v] of Object.entries(SSE_HEADERS)) c.header(k, v);
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ workflow_id: id, after }), retry: 2000 });
      // Written between polls as it happens; never recorded, so it carries no id to resume from.
      let writing = Promise.resolve();
      const stopWatching = deps.activity?.watch(id, (item) => {
        writing = writing.then(() => stream.writeSSE({ event: 'activity', data: JSON.stringify(item) })).catch(() => undefined);
      });
      stream.onAbort(() => stopWatching?.());
      try {
        await pollLoop(stream, ssePollMs, sseKeepAliveMs, async () => {
          const events = await store.readEvents(id, after);
          for (const event of events) {
            await stream.writeSSE({ event: 'workflow-event', id: String(event.seq), data: JSON.stringify({ workflow_id: id, ...event }) });
            after = event.seq;
          }
          if (events.length > 0) {
            const summary = await store.getWorkflow(id);
            if (summary) await stream.writeSSE({ event: 'summary', data: JSON.stringify(summaryView(summary)) });
          }
          return events.length > 0;
        });
      } finally {
        stopWatching?.();
      }
    });
  });

  app.get('/api/stream', viewer, limit, async (c) => {
    for (const [k, v] of Object.entries(SSE_HEADERS)) c.header(k, v);
    return streamSSE(c, async (stream) => {
      let marker = await store.changeMarker();
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ marker }), retry: 2000 });
      await pollLoop(stream, ssePollMs, sseKeepAliveMs, async () => {
        const next = await store.changeMarker();
        if (next === marker) return false;
        marker = next;
        await stream.writeSSE({ event: 'changed', data: JSON.stringify({ marker }) });
        return true;
      });
    });
  });
}

/** Polls until the client goes away; a comment line every keep-alive interval of silence. */
async function pollLoop(stream: SSEStreamingApi, pollMs: number, keepAliveMs: number, poll: () => Promise<boolean>): Promise<void> {
  let quietSince = Date.now();
  while (!stream.aborted && !stream.closed) {
    if (await poll()) quietSince = Date.now();
    else if (Date.now() - quietSince >= keepAliveMs) {
      await stream.write(': keep-alive\n\n');
      quietSince = Date.now();
    }
    await stream.sleep(pollMs);
  }
}
