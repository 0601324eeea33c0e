/**
 * @module
 * Caps the request body. A declared Content-Length over the limit is refused without reading;
 * a body without one (chunked, or none at all, as `curl -X DELETE` sends) is read up to the limit
 * and handed on as a fresh request.
 *
 * Hono's own bodyLimit rebuilds the request with `new Request(c.req.raw, …)`, which throws on
 * @hono/node-server's lightweight request when the global Request is not overridden — every
 * request without a Content-Length was a 500. Here the copy is built from the URL and headers.
 *
 * @example
 * app.use('/api/*', authenticate(…), bodyLimit({ maxSize: 1024 * 1024 }))
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { HttpProblem } from '../../http-errors.js';

export interface BodyLimitOptions {
  /** Largest accepted body in bytes. */
  maxSize: number;
  /** What the client should do instead; defaults to sending less. */
  hint?: string;
}

export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const { maxSize } = options;
  const tooLarge = () =>
    new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${Math.round(maxSize / 1024)} KiB.`, options.hint ?? 'Send less at once.');

  return async function bodyLimit(c, next) {
    const raw = c.req.raw;
    if (raw.method === 'GET' || raw.method === 'HEAD') return next();
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding')) {
      if (Number.parseInt(declared, 10) > maxSize) throw tooLarge();
      return next();
    }
    const stream = raw.body;
    if (stream === null) return next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // The rest stays unread: cancelling would reset the socket before the client reads the 413,
      // and the node adapter drains (or drops) what is left within its own bounds.
      if (size > maxSize) throw tooLarge();
      chunks.push(value);
    }
    const body = size === 0 ? null : Buffer.concat(chunks, size);
    const headers = new Headers(raw.headers);
    headers.delete('transfer-encoding');
    if (body !== null) headers.set('content-length', String(size));
    c.req.raw = new Request(c.req.url, { method: raw.method, headers, body, signal: raw.signal });
    await next();
  };
}
