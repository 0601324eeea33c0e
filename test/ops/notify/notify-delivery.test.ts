/**
 * The deliverer against a real local receiver: signed webhooks, retries on 5xx until a 200, a 4xx
 * recorded as a permanent failure, Retry-After, Slack's message shape, a command on stdin, and one
 * delivery per idempotency id with two deliverers on one store.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyTargetSchema } from '../../../src/ops/notify/notify-config.js';
import type { NotifyTarget } from '../../../src/ops/notify/notify-config.js';
import { NotifyDeliverer } from '../../../src/ops/notify/notify-deliverer.js';
import { namedTargets, assertTargetsUsable } from '../../../src/ops/notify/notify-targets.js';
import { sampleEntry } from '../../../src/ops/notify/notify-sample.js';
import type { Outbox, OutboxEntry } from '../../../src/ops/notify/outbox.js';
import { MemoryOutbox } from '../../../src/ops/memory/memory-outbox.js';
import { SqliteOpsStore } from '../../../src/ops/sqlite/sqlite-ops-store.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { slackShapeProblems, startReceiver } from '../../helpers/notify/webhook-receiver.js';
import type { Receiver } from '../../helpers/notify/webhook-receiver.js';

const SECRET = 'test-signing-secret';
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CONVERGE_WEBHOOK_SECRET: SECRET };
const fastRetry = { baseMs: 20, capMs: 200, maxAttempts: 20 };

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function target(raw: Record<string, unknown>): NotifyTarget {
  return NotifyTargetSchema.parse(raw);
}

function entry(id: string, targetName: string, event: 'gate.waiting' | 'workflow.completed' = 'gate.waiting'): OutboxEntry {
  const payload = JSON.parse(sampleEntry(event, '2026-12-06T10:00:00.000Z', 'https://converge.example')) as Record<string, unknown>;
  payload.id = id;
  return { id, target: targetName, event, workflowId: 'wf_sample', payload: JSON.stringify(payload), createdAt: new Date(Date.now() - 1000).toISOString() };
}

function deliverer(outbox: Outbox, targets: NotifyTarget[], extra: Partial<ConstructorParameters<typeof NotifyDeliverer>[0]> = {}): NotifyDeliverer {
  return new NotifyDeliverer({ outbox, targets: namedTargets(targets), log: silentLogger, env, retry: fastRetry, ...extra });
}

async function deliverUntil(d: NotifyDeliverer, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('not delivered in time');
    await d.deliverDue();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webhook delivery', () => {
  it('sends a signed gate.waiting whose X-Converge-Signature is the HMAC-SHA256 of the raw body', async () => {
    receiver = await startReceiver();
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_a', 'ops')]);
    await deliverer(outbox, [target({ type: 'webhook', name: 'ops', url: receiver.url, secret_env: 'CONVERGE_WEBHOOK_SECRET' })]).deliverDue();
    const [got] = receiver.received;
    expect(got).toBeDefined();
    const expected = `sha256=${createHmac('sha256', SECRET).update(got!.raw).digest('hex')}`;
    expect(got!.headers['x-converge-signature']).toBe(expected);
    expect(got!.headers['x-converge-event']).toBe('gate.waiting');
    expect(got!.headers['x-converge-delivery']).toBe('ntf_a');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.json).toMatchObject({ id: 'ntf_a', event: 'gate.waiting', workflow: { id: 'wf_sample' }, link: 'https://converge.example/workflows/wf_sample' });
    expect((await outbox.list())[0]).toMatchObject({ deliveredAt: expect.any(String), attempts: 1 });
  });

  it('sends no signature when the target has no secret_env', async () => {
    receiver = await startReceiver();
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_b', 'plain')]);
    await deliverer(outbox, [target({ type: 'webhook', name: 'plain', url: receiver.url })]).deliverDue();
    expect(receiver.received[0]!.headers['x-converge-signature']).toBeUndefined();
  });

  it('retries after 500 answers, with the same delivery id, until the receiver answers 200', async () => {
    receiver = await startReceiver();
    receiver.script([500, 502, 503]);
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_retry', 'ops')]);
    const d = deliverer(outbox, [target({ type: 'webhook', name: 'ops', url: receiver.url })]);
    await deliverUntil(d, () => receiver!.accepted().length === 1);
    expect(receiver.received.map((r) => r.status)).toEqual([500, 502, 503, 200]);
    expect(new Set(receiver.received.map((r) => r.headers['x-converge-delivery']))).toEqual(new Set(['ntf_retry']));
    expect((await outbox.list())[0]).toMatchObject({ attempts: 4, deliveredAt: expect.any(String), lastError: null });
  });

  it('records a 404 as a permanent failure with its reason and never sends it again', async () => {
    receiver = await startReceiver();
    receiver.script([404]);
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_gone', 'ops')]);
    const d = deliverer(outbox, [target({ type: 'webhook', name: 'ops', url: receiver.url })]);
    await d.deliverDue();
    await new Promise((r) => setTimeout(r, 100));
    await d.deliverDue();
    expect(receiver.received).toHaveLength(1);
    const [row] = await outbox.list();
    expect(row).toMatchObject({ failedAt: expect.any(String), deliveredAt: null });
    expect(row!.lastError).toContain('HTTP 404');
  });

  it('waits as long as a 429 says in Retry-After, not the shorter backoff', async () => {
    receiver = await startReceiver();
    receiver.script([{ status: 429, headers: { 'retry-after': '2' } }]);
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_slow', 'ops')]);
    const before = Date.now();
    await deliverer(outbox, [target({ type: 'webhook', name: 'ops', url: receiver.url })]).deliverDue();
    const [row] = await outbox.list();
    expect(row!.lastError).toContain('HTTP 429');
    expect(Date.parse(row!.nextAttemptAt) - before).toBeGreaterThanOrEqual(1900);
  });

  it('retries when the receiver does not answer within timeout_s', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_timeout', 'ops')]);
    // A listening socket that never answers.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      await deliverer(outbox, [target({ type: 'webhook', name: 'ops', url: `http://127.0.0.1:${port}/`, timeout_s: 0.3 })]).deliverDue();
    } finally {
      silent.close();
    }
    const [row] = await outbox.list();
    expect(row).toMatchObject({ failedAt: null, deliveredAt: null });
    expect(row!.lastError).toContain('no answer within 0.3 s');
  });
});

describe('one delivery per idempotency id', () => {
  it('two deliverers on one SQLite store send each row once', async () => {
    receiver = await startReceiver();
    const path = join(mkdtempSync(join(tmpdir(), 'converge-notify-')), 'converge.db');
    const a = new SqliteOpsStore(path);
    const b = new SqliteOpsStore(path);
    try {
      const targets = [target({ type: 'webhook', name: 'ops', url: receiver.url })];
      const ids = Array.from({ length: 30 }, (_, i) => `ntf_${i}`);
      // Both "processes" saw the same occurrences: the second insert adds nothing.
      expect(await a.outbox.enqueue(ids.map((id) => entry(id, 'ops')))).toBe(30);
      expect(await b.outbox.enqueue(ids.map((id) => entry(id, 'ops')))).toBe(0);
      const da = deliverer(a.outbox, targets, { batch: 3 });
      const db = deliverer(b.outbox, targets, { batch: 3 });
      await Promise.all([da.deliverDue(), db.deliverDue(), da.deliverDue(), db.deliverDue()]);
      const seen = receiver.received.map((r) => String(r.headers['x-converge-delivery']));
      expect(seen.sort()).toEqual([...ids].sort());
      expect(await a.outbox.list({ status: 'pending' })).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('slack delivery', () => {
  it('posts an incoming-webhook message with text and valid blocks, including a link button', async () => {
    receiver = await startReceiver();
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_slack', 'team')]);
    await deliverer(outbox, [target({ type: 'slack', name: 'team', url_env: 'SLACK_URL' })], { env: { ...env, SLACK_URL: `${receiver.url}/services/T0/B0/x` } }).deliverDue();
    const [got] = receiver.received;
    expect(got!.path).toBe('/services/T0/B0/x');
    expect(slackShapeProblems(got!.json)).toEqual([]);
    expect(got!.json.text).toContain('Waiting for approval');
    expect(JSON.stringify(got!.json.blocks)).toContain('https://converge.example/workflows/wf_sample');
    // The row names the target, never the URL from the environment.
    expect(JSON.stringify(await outbox.list())).not.toContain(receiver.url);
  });
});

describe('command delivery', () => {
  it('runs the program with the JSON on stdin and only the allowed environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-notify-cmd-'));
    const out = join(dir, 'got.json');
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{require('fs').writeFileSync(${JSON.stringify(out)},JSON.stringify({stdin:JSON.parse(s),env:process.env}));});`;
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_cmd', 'script')]);
    const cmd = target({ type: 'command', name: 'script', command: [process.execPath, '-e', script], env: ['EXTRA_ALLOWED'] });
    await deliverer(outbox, [cmd], { env: { ...env, EXTRA_ALLOWED: 'yes', NOT_LISTED: 'no' } }).deliverDue();
    const got = JSON.parse(readFileSync(out, 'utf8')) as { stdin: Record<string, unknown>; env: Record<string, string> };
    expect(got.stdin).toMatchObject({ id: 'ntf_cmd', event: 'gate.waiting' });
    expect(got.env).toMatchObject({ EXTRA_ALLOWED: 'yes', CONVERGE_NOTIFY_EVENT: 'gate.waiting', CONVERGE_NOTIFY_DELIVERY: 'ntf_cmd' });
    expect(got.env.NOT_LISTED).toBeUndefined();
    expect(got.env.CONVERGE_WEBHOOK_SECRET).toBeUndefined();
    expect((await outbox.list())[0]!.deliveredAt).not.toBeNull();
  });

  it('retries a command that exits non-zero, with its stderr as the reason', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue([entry('ntf_cmd_fail', 'script')]);
    const cmd = target({ type: 'command', name: 'script', command: [process.execPath, '-e', "process.stderr.write('queue full');process.exit(3)"] });
    await deliverer(outbox, [cmd]).deliverDue();
    const [row] = await outbox.list();
    expect(row).toMatchObject({ failedAt: null, deliveredAt: null });
    expect(row!.lastError).toContain('exited with 3: queue full');
  });
});

describe('targets whose variables are unset', () => {
  it('are refused with the variable named, before anything is sent', () => {
    const targets = [target({ type: 'webhook', name: 'ops', url: 'https://hooks.example/x', secret_env: 'CONVERGE_WEBHOOK_SECRET' }), target({ type: 'slack', url_env: 'SLACK_WEBHOOK_URL' })];
    expect(() => assertTargetsUsable(targets, {})).toThrow(/"ops" signs with the secret in CONVERGE_WEBHOOK_SECRET, which is not set.*"slack#2" takes its URL from SLACK_WEBHOOK_URL/);
    expect(() => assertTargetsUsable(targets, { CONVERGE_WEBHOOK_SECRET: 's', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' })).not.toThrow();
  });
});
