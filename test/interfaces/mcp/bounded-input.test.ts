/**
 * Bounded input over MCP (issue 18, part 5): start_workflow and submit_step_result refuse text
 * with a NUL, text that is mostly control characters and text over the limits, as error results
 * with { code, message, hint }, and record nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { call, createKit, must, textOf } from './mcp-test-kit.js';
import type { Kit } from './mcp-test-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('bounded input over MCP', () => {
  it('start_workflow refuses requirements with a NUL and records no workflow', async () => {
    kit = await createKit();
    const client = await kit.connect();
    const result = await call(client, 'start_workflow', { requirements: 'Build it\u0000', workspace: kit.workspace });
    expect(result.isError).toBe(true);
    expect(result.structured).toMatchObject({ code: 'USAGE', hint: expect.any(String) });
    expect(textOf(result)).toContain('not text: it holds a NUL character');
    expect(await kit.engine.store.listWorkflows({})).toEqual([]);
  });

  it('start_workflow refuses requirements over 256 KiB as INPUT_TOO_LARGE', async () => {
    kit = await createKit();
    const client = await kit.connect();
    const result = await call(client, 'start_workflow', { requirements: 'y'.repeat(257 * 1024), workspace: kit.workspace });
    expect(result.structured).toMatchObject({ code: 'INPUT_TOO_LARGE', hint: expect.stringContaining('limits.requirements_kb') });
    expect(await kit.engine.store.listWorkflows({})).toEqual([]);
  });

  it('submit_step_result refuses a result made of control characters and records nothing', async () => {
    kit = await createKit();
    const client = await kit.connect();
    const id = (await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace })).workflow_id as string;
    const before = (await kit.engine.store.readEvents(id)).length;
    const result = await call(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: '\u0001\u0002\u0003\ufffd'.repeat(50) });
    expect(result.isError).toBe(true);
    expect(result.structured).toMatchObject({ code: 'RESULT_INVALID', message: expect.stringContaining('200 of its 200 characters are control characters') });
    expect((await kit.engine.store.readEvents(id)).length).toBe(before);
  });
});
