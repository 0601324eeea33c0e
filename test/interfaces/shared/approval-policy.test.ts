/**
 * The shared access layer judges a gate's approval policy for every interface (issue 17, part 5):
 * the callers here are an MCP client and CLI users (`--as`), the same rules as over HTTP. The
 * starter is recorded at the start, so `not_the_starter` can be checked; --auto-approve and a
 * timeout's approve leave a gate with such a policy waiting for people.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import { WorkflowAccess } from '../../../src/interfaces/shared/workflow-access.js';
import type { Caller } from '../../../src/interfaces/shared/workflow-access.js';
import { openStore } from '../../../src/store/index.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';

const FIXTURE = resolve(import.meta.dirname, '..', '..', 'fixtures', 'crash');
const rows: Array<{ actor: string; action: string; details: Record<string, unknown> }> = [];

const lead: Caller = { name: 'lead-user', role: 'admin', via: 'cli' };
const ana: Caller = { name: 'ana', role: 'approver', via: 'mcp' };
const bob: Caller = { name: 'bob', role: 'admin', via: 'cli' };
const reviewer: Caller = { name: 'approver-user', role: 'approver', via: 'mcp' };

describe('approval policy through the access layer', () => {
  let engine: Engine;
  let access: WorkflowAccess;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'converge-policy-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const loaded = loadProjectConfig(dir, 'converge-policy.yaml');
    engine = createEngine({ store: await openStore(':memory:'), config: loaded.config, baseDir: loaded.baseDir });
    rows.length = 0;
    access = new WorkflowAccess({ store: engine.store, clock: engine.clock, engine, audit: { record: async (row) => rows.push(row as never) } });
  });
  afterEach(() => engine.store.close());

  async function startAtPlanGate(autoApprove = false): Promise<string> {
    const state = await access.start(lead, { requirements: 'Write the value file', workspace: join(dir, 'project'), autoApprove });
    expect(state.startedBy).toEqual({ id: 'lead-user', via: 'cli' });
    const outcome = await engine.runner.run(state.workflowId);
    expect(outcome.waitingFor).toBe('gate:plan_approval');
    return state.workflowId;
  }

  it('keeps the gate closed after one approval and after the same person again, and opens it at a second person', async () => {
    const id = await startAtPlanGate();
    await access.respondToGate(ana, id, { decision: 'approve' });
    expect((await loadState(engine.store, id)).gate).not.toBeNull();
    await expect(access.respondToGate(ana, id, { decision: 'approve' })).rejects.toMatchObject({ code: 'ILLEGAL_ACTION', message: expect.stringContaining('ana already approved') });
    expect(rows.at(-1)).toMatchObject({ actor: 'ana', action: 'approval.approve', details: { outcome: 'error', error: 'ILLEGAL_ACTION', via: 'mcp' } });
    const opened = await access.respondToGate(bob, id, { decision: 'approve', comment: 'second pair of eyes' });
    expect(opened.gate).toBeNull();
    expect(opened.status).toBe('running');
    expect(rows.at(-1)).toMatchObject({ actor: 'bob', details: { outcome: 'ok', gate_open: false, via: 'cli' } });
  });

  it('refuses the starter at a not_the_starter gate and lets a member of the group approve', async () => {
    const id = await startAtPlanGate();
    await access.respondToGate(ana, id, { decision: 'approve' });
    await access.respondToGate(bob, id, { decision: 'approve' });
    expect((await engine.runner.run(id)).waitingFor).toBe('gate:final_approval');
    await expect(access.respondToGate(lead, id, { decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('lead-user started workflow') });
    await expect(access.respondToGate(ana, id, { decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('group leads') });
    const done = await access.respondToGate(reviewer, id, { decision: 'approve' });
    expect(done.gate).toBeNull();
    expect((await engine.runner.run(id)).status).toBe('completed');
  });

  it('does not auto-approve a gate whose policy needs people, but does the others', async () => {
    const id = await startAtPlanGate(true);
    const state = await loadState(engine.store, id);
    expect(state.gate?.gateId).toBe('plan_approval');
    expect(state.approvals).toEqual([]);
  });
});
