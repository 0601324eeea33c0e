/**
 * Server-sent events: a workflow's new events as they are appended (from any writer), resumed
 * after Last-Event-ID, the store-wide `changed` stream for the list page, and the caps on live
 * streams per token and in all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

/** Reads SSE frames until `until` is satisfied, then closes the stream. */
async function readFrames(res: Response, until: (frames: Array<Record<string, string>>) => boolean, timeoutMs = 5000): Promise<Array<Record<string, string>>> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Array<Record<string, string>> = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(frames) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame: Record<string, string> = {};
        for (const line of buffer.slice(0, end).split('\n')) {
          const i = line.indexOf(':');
          if (i > 0) frame[line.slice(0, i)] = line.slice(i + 1).trim();
          else if (i === 0) frame.comment = line.slice(1).trim();
        }
        frames.push(frame);
        buffer = buffer.slice(end + 2);
      }
    }
  } finally {
    await reader.cancel();
  }
  return frames;
}

describe('GET /api/workflows/:id/stream', () => {
  let kit: HttpKit;
  let id: string;
  beforeAll(async () => {
    kit = await createHttpKit({ app: { sseKeepAliveMs: 50 } });
    id = await kit.workflowAtPlanGate();
  });
  afterAll(() => kit.close());

  it('sends the event log with sequence ids, then a summary', async () => {
    const res = await kit.request('GET', `/api/workflows/${id}/stream`, { role: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const frames = await readFrames(res, (f) => f.some((x) => x.event === 'summary'));
    expect(frames[0]).toMatchObject({ event: 'ready' });
    const events = frames.filter((f) => f.event === 'workflow-event');
    expect(events[0]).toMatchObject({ id: '1' });
    expect(JSON.parse(events[0]!.data!)).toMatchObject({ type: 'workflow_started' });
    expect(JSON.parse(frames.find((f) => f.event === 'summary')!.data!)).toMatchObject({ id, waiting_for: 'gate:plan_approval' });
  });

  it('resumes after Last-Event-ID and sends what another writer appends', async () => {
    const last = (await kit.engine.store.getWorkflow(id))!.lastSeq;
    const res = await kit.request('GET', `/api/workflows/${id}/stream`, { role: 'viewer', headers: { 'last-event-id': String(last) } });
    setTimeout(() => void kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'approve', comment: 'live' } }), 50);
    const frames = await readFrames(res, (f) => f.some((x) => x.event === 'workflow-event'));
    const event = frames.find((f) => f.event === 'workflow-event')!;
    expect(Number(event.id)).toBe(last + 1);
    expect(JSON.parse(event.data!)).toMatchObject({ type: 'approval_decided', comment: 'live' });
  });

  it('keeps an idle stream open with comments', async () => {
    const last = (await kit.engine.store.getWorkflow(id))!.lastSeq;
    const res = await kit.request('GET', `/api/workflows/${id}/stream?after=${last}`, { role: 'viewer' });
    const frames = await readFrames(res, (f) => f.some((x) => x.comment === 'keep-alive'));
    expect(frames.some((f) => f.comment === 'keep-alive')).toBe(true);
  });

  it('answers 404 for an unknown workflow before streaming', async () => {
    const res = await kit.request('GET', '/api/workflows/wf-ghost0000/stream', { role: 'viewer' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});

describe('GET /api/stream', () => {
  it('sends changed when any workflow changes', async () => {
    const kit = await createHttpKit();
    const res = await kit.request('GET', '/api/stream', { role: 'viewer' });
    setTimeout(() => void kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'new work', workspace: 'project' } }), 50);
    const frames = await readFrames(res, (f) => f.some((x) => x.event === 'changed'));
    expect(frames.map((f) => f.event)).toEqual(['ready', 'changed']);
    await kit.close();
  });
});

describe('stream caps', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit({ app: { sseMaxStreamsPerToken: 2, sseMaxStreams: 3 } });
  });
  afterAll(() => kit.close());

  const open = (role: 'viewer' | 'operator' | 'approver') => kit.request('GET', '/api/stream', { role });

  it('answers 429 with a JSON error past the per-token cap, and a closed stream frees its slot', async () => {
    const first = await open('viewer');
    const second = await open('viewer');
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await open('viewer');
    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toContain('application/json');
    expect(await third.json()).toEqual({ code: 'TOO_MANY_STREAMS', message: expect.stringContaining('viewer-user'), hint: expect.stringContaining('Close') });

    await first.body!.cancel();
    const again = await open('viewer');
    expect(again.status).toBe(200);
    await Promise.all([second.body!.cancel(), again.body!.cancel()]);
  });

  it('caps the streams of all tokens together', async () => {
    const held = [await open('viewer'), await open('viewer'), await open('operator')];
    expect(held.map((r) => r.status)).toEqual([200, 200, 200]);
    const over = await open('approver');
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ code: 'TOO_MANY_STREAMS', message: expect.stringContaining('server') });
    await held[2]!.body!.cancel();
    const freed = await open('approver');
    expect(freed.status).toBe(200);
    await Promise.all([held[0]!.body!.cancel(), held[1]!.body!.cancel(), freed.body!.cancel()]);
  });

  it('holds no slot for a stream that was refused before it started', async () => {
    for (let i = 0; i < 4; i++) expect((await kit.request('GET', '/api/workflows/wf-ghost0000/stream', { role: 'viewer' })).status).toBe(404);
    const res = await open('viewer');
    expect(res.status).toBe(200);
    await res.body!.cancel();
  });
});
