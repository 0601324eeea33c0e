/**
 * @module
 * Caps live server-sent-event streams, per token and in all. Each stream polls the store until
 * its client leaves, so without a cap one token (or a page stuck in a reload loop) could hold
 * the server's connections and store reads. A slot is taken before the route runs and given
 * back when the stream ends, the client disconnects, or the route answers with something other
 * than a stream (a 404, say).
 *
 * @example
 * const limit = streamLimit({ perToken: 8, total: 200 })
 * app.get('/api/stream', requireRole('viewer', audit), limit, handler)
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { HttpProblem } from '../../http-errors.js';

export interface StreamLimitOptions {
  /** Streams one token (a dashboard session counts as its own token) may hold at once. */
  perToken: number;
  /** Streams the whole app holds at once. */
  total: number;
}

export interface StreamLimit extends MiddlewareHandler<AppEnv> {
  /** Streams open now, for tests and diagnostics. */
  open(): number;
}

export function streamLimit(options: StreamLimitOptions): StreamLimit {
  const byToken = new Map<string, number>();
  let total = 0;

  function take(key: string, name: string): () => void {
    const mine = byToken.get(key) ?? 0;
    if (mine >= options.perToken) {
      throw new HttpProblem(
        429,
        'TOO_MANY_STREAMS',
        `${name} already has ${mine} live streams open, the limit per token.`,
        'Close a dashboard tab or another event stream first; a closed stream frees its slot at once.',
      );
    }
    if (total >= options.total) {
      throw new HttpProblem(429, 'TOO_MANY_STREAMS', `The server already has ${total} live streams open, its limit.`, 'Try again shortly: a stream ends when its page or client closes.');
    }
    byToken.set(key, mine + 1);
    total += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      total -= 1;
      const left = (byToken.get(key) ?? 1) - 1;
      if (left > 0) byToken.set(key, left);
      else byToken.delete(key);
    };
  }

  const middleware: MiddlewareHandler<AppEnv> = async function streamLimit(c, next) {
    const principal = c.var.principal;
    const release = take(principal.tokenId ?? `name:${principal.name}`, principal.name);
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    const body = c.res.body;
    if (body === null || !c.res.headers.get('content-type')?.startsWith('text/event-stream')) {
      release();
      return;
    }
    c.res = new Response(releasingOnEnd(body, release), c.res);
  };
  return Object.assign(middleware, { open: () => total });
}

/** The same bytes, calling `release` once the stream is done, fails or is cancelled by the client. */
function releasingOnEnd(body: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
}
