/**
 * A damaged workflow over HTTP (issue 18, part 1): its own view answers 500 STORE_DAMAGED naming the
 * event, the list shows it with its damage, and the other workflows of the store keep working.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../../src/store/index.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('a damaged workflow over HTTP (#18)', () => {
  let kit: HttpKit;
  beforeEach(async () => {
    kit = await createHttpKit();
  });
  afterEach(() => kit.close());

  async function start(): Promise<string> {
    const { status, body } = await kit.json('POST', '/api/workflows', { role: 'admin', body: { requirements: 'Write the value file', workspace: 'project', auto_approve: true } });
    expect(status).toBe(201);
    return body.workflow.workflow_id as string;
  }

  it('answers STORE_DAMAGED for it, lists it as damaged, and runs the others', async () => {
    const damaged = await start();
    const other = await start();
    expect((await kit.engine.runner.run(damaged)).status).toBe('completed');
    // A row lost from the middle of its log, as a failing disk would leave it.
    const rows = (kit.engine.store as MemoryStore).rawEvents(damaged);
    const seq = Math.floor(rows.length / 2);
    rows.splice(seq - 1, 1);

    const view = await kit.json('GET', `/api/workflows/${damaged}`, { role: 'viewer' });
    expect(view.status).toBe(500);
    expect(view.body).toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining(`Workflow ${damaged} is damaged at event ${seq}`) });

    const list = await kit.json('GET', '/api/workflows', { role: 'viewer' });
    expect(list.status).toBe(200);
    const items = list.body.items as Array<{ workflow_id: string; damage?: { seq: number; reason: string } }>;
    expect(items.find((i) => i.workflow_id === damaged)?.damage).toEqual({ seq, reason: `event ${seq} is missing` });
    expect(items.find((i) => i.workflow_id === other)?.damage).toBeUndefined();

    expect((await kit.engine.runner.run(other)).status).toBe('completed');
    expect((await kit.json('GET', `/api/workflows/${other}`, { role: 'viewer' })).status).toBe(200);
  });
});
