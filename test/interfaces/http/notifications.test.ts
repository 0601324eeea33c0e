/** GET /api/notifications: the outbox for operators, filtered by status and workflow, without payloads. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../../src/ops/memory/memory-outbox.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

let kit: HttpKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const row = (id: string, workflowId: string, createdAt: string) => ({ id, target: 'ops', event: 'gate.waiting' as const, workflowId, payload: JSON.stringify({ id, secret_looking: 'payload' }), createdAt });

describe('GET /api/notifications', () => {
  it('lists the outbox newest first with each row\'s status, for operators', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue([row('ntf_1', 'wf-a', '2026-12-06T10:00:00.000Z'), row('ntf_2', 'wf-b', '2026-12-06T10:01:00.000Z')]);
    await outbox.claimDue({ owner: 'p', now: '2026-12-06T10:02:00.000Z', until: '2026-12-06T10:03:00.000Z', limit: 10, targets: ['ops'] });
    await outbox.markFailed('ntf_1', 'p', '2026-12-06T10:02:01.000Z', 'HTTP 404 Not Found', null);
    kit = await createHttpKit({ app: { outbox } });

    const all = await kit.json('GET', '/api/notifications', { role: 'operator' });
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([['ntf_2', 'pending'], ['ntf_1', 'failed']]);
    expect(all.body.items[1]).toMatchObject({ workflow_id: 'wf-a', attempts: 1, last_error: 'HTTP 404 Not Found', next_attempt_at: null });
    expect(JSON.stringify(all.body)).not.toContain('payload');

    const failed = await kit.json('GET', '/api/notifications?status=failed', { role: 'operator' });
    expect(failed.body.items.map((i: { id: string }) => i.id)).toEqual(['ntf_1']);
    const one = await kit.json('GET', '/api/notifications?workflow_id=wf-b', { role: 'operator' });
    expect(one.body.items.map((i: { id: string }) => i.id)).toEqual(['ntf_2']);
  });

  it('is refused to viewers and answers 400 for an unknown status', async () => {
    kit = await createHttpKit({ app: { outbox: new MemoryOutbox() } });
    expect((await kit.json('GET', '/api/notifications', { role: 'viewer' })).status).toBe(403);
    expect((await kit.json('GET', '/api/notifications?status=lost', { role: 'operator' })).status).toBe(400);
  });
});
