/**
 * Calls that would take long: a state-changing tool returns `running` once its budget is spent
 * while the run continues in the background, reports progress when the client asked for it,
 * and get_next_action picks the result up.
 */
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/create-engine.js';
import { ProjectConfigSchema } from '../../../src/workflows/project-config.js';
import { createKit, must, output } from './mcp-test-kit.js';
import type { Kit, Structured } from './mcp-test-kit.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const SLOW_CHECK = { id: 'slow', command: ['node', '-e', 'setTimeout(() => {}, 1500)'], required: true };

describe('a state-changing tool whose run outlasts its budget', () => {
  it('returns running, reports progress, and get_next_action later shows the step', async () => {
    kit = await createKit({ runBudgetMs: 300, checks: [SLOW_CHECK] });
    const client = await kit.connect();
    const id = (await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace, auto_approve: true })).workflow_id as string;
    await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v2.md') });
    await must(client, 'submit_step_result', { workflow_id: id, step_number: 2, text: output('plan-review-2.md') });

    const progress: Progress[] = [];
    const started = Date.now();
    const result = await client.callTool({ name: 'submit_step_result', arguments: { workflow_id: id, step_number: 4, text: output('code-v2.md') } }, CallToolResultSchema, {
      onprogress: (p) => void progress.push(p),
      resetTimeoutOnProgress: true,
    });
    const structured = result.structuredContent as Structured;
    expect(Date.now() - started).toBeLessThan(1400);
    expect(structured).toMatchObject({ running: true, status: 'running', next_action: { kind: 'none' } });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    expect(progress[0]!.message).toContain(id);

    let next: Structured = structured;
    for (let i = 0; i < 50 && next.next_action.kind !== 'submit_step_result'; i++) {
      await sleep(100);
      next = await must(client, 'get_next_action', { workflow_id: id });
    }
    expect(next.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 5, check_results: [{ id: 'slow', status: 'passed' }] });
    // The checks ran once: the poll that arrived during the run did not start a second one.
    const checks = (await kit.engine.store.readEvents(id)).filter((e) => e.type === 'checks_recorded');
    expect(checks).toHaveLength(1);
  });
});

describe('a workflow another process drives', () => {
  it('is watched, not driven: submit returns once the other runner reaches the next step', async () => {
    kit = await createKit({ runBudgetMs: 10_000 });
    const client = await kit.connect();
    const id = (await must(client, 'start_workflow', { requirements: 'Write the value file', workspace: kit.workspace })).workflow_id as string;
    // A second engine on the same store stands for `converge run` waiting in a terminal: it holds the lease.
    const config = ProjectConfigSchema.parse({ checks: [SLOW_CHECK], agents: { default: { provider: 'external' } } });
    const other = createEngine({ store: kit.engine.store, config, baseDir: kit.workspace, pollMs: 50 });
    const stop = new AbortController();
    const elsewhere = other.runner.run(id, { waitForHumans: true, signal: stop.signal });
    for (let i = 0; i < 50 && (await kit.engine.store.leaseHolder(id))?.owner !== other.runner.owner; i++) await sleep(20);

    const started = Date.now();
    const next = await must(client, 'submit_step_result', { workflow_id: id, step_number: 1, text: output('plan-v1.md') });
    expect(next.next_action).toMatchObject({ kind: 'submit_step_result', step_number: 2 });
    expect(Date.now() - started).toBeLessThan(5_000);
    stop.abort();
    await elsewhere;
  });
});
