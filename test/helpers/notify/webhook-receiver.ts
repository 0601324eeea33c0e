/**
 * A local webhook receiver on 127.0.0.1 and a random port: keeps every request's raw body and
 * headers, and answers what the test scripts (e.g. 500 twice, then 200).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as it arrived, for the HMAC. */
  raw: Buffer;
  json: Record<string, unknown>;
  at: number;
  /** The status this request was answered with. */
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests answered 2xx. */
  accepted(): Received[];
  /** What the next requests get; once the list is used up, 200. */
  script(statuses: Array<number | { status: number; headers?: Record<string, string> }>): void;
  waitFor(predicate: (all: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let queue: Array<{ status: number; headers?: Record<string, string> }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const answer = queue.shift() ?? { status: 200 };
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        // kept raw; a test that expects JSON fails on its own assertion
      }
      received.push({ path: req.url ?? '/', headers: req.headers, raw, json, at: Date.now(), status: answer.status });
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.status < 300 ? 'ok' : `scripted ${answer.status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    script: (statuses) => {
      queue = statuses.map((s) => (typeof s === 'number' ? { status: s } : s));
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > end) throw new Error(`the receiver did not get what was expected within ${timeoutMs} ms; it got ${received.length} request(s): ${received.map((r) => `${String(r.headers['x-converge-event'] ?? r.json.event)} → ${r.status}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Slack's documented limits for the blocks we send (Block Kit reference); returns what breaks them. */
export function slackShapeProblems(message: unknown): string[] {
  const problems: string[] = [];
  const m = message as { text?: unknown; blocks?: unknown };
  if (typeof m.text !== 'string' || m.text.length === 0) problems.push('text must be a non-empty string');
  if (!Array.isArray(m.blocks) || m.blocks.length === 0 || m.blocks.length > 50) problems.push('blocks must be an array of 1–50 blocks');
  const textObject = (t: unknown, types: string[], max: number, where: string) => {
    const o = t as { type?: unknown; text?: unknown };
    if (!types.includes(String(o?.type))) problems.push(`${where}: text type must be ${types.join(' or ')}`);
    if (typeof o?.text !== 'string' || o.text.length === 0 || o.text.length > max) problems.push(`${where}: text must be 1–${max} characters`);
  };
  for (const [i, block] of ((m.blocks as Array<Record<string, unknown>>) ?? []).entries()) {
    const where = `blocks[${i}] (${String(block.type)})`;
    if (block.type === 'header') textObject(block.text, ['plain_text'], 150, where);
    else if (block.type === 'section') textObject(block.text, ['mrkdwn', 'plain_text'], 3000, where);
    else if (block.type === 'context') {
      const elements = block.elements as unknown[];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) problems.push(`${where}: 1–10 elements`);
      for (const e of elements ?? []) textObject(e, ['mrkdwn', 'plain_text'], 3000, where);
    } else if (block.type === 'actions') {
      const elements = block.elements as Array<Record<string, unknown>>;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) problems.push(`${where}: 1–25 elements`);
      for (const e of elements ?? []) {
        if (e.type !== 'button') problems.push(`${where}: only buttons are sent`);
        textObject(e.text, ['plain_text'], 75, `${where} button`);
        if (typeof e.url === 'string' && (e.url.length > 3000 || !/^https?:\/\//.test(e.url))) problems.push(`${where}: button url must be an http(s) URL of at most 3000 characters`);
        if (typeof e.action_id === 'string' && e.action_id.length > 255) problems.push(`${where}: action_id at most 255 characters`);
      }
    } else problems.push(`${where}: unexpected block type`);
  }
  return problems;
}
