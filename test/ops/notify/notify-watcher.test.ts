/**
 * The watcher on real workflows (scripted agents, memory store): what each waiting or ended state
 * puts in the outbox, once per occurrence however many watchers look or restart, and reminders
 * while a gate still waits.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import { WorkflowAccess } from '../../../src/interfaces/shared/workflow-access.js';
import type { Caller } from '../../../src/interfaces/shared/workflow-access.js';
import { MemoryOutbox } from '../../../src/ops/memory/memory-outbox.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { NotifyTargetSchema } from '../../../src/ops/notify/notify-config.js';
import { deliveryId } from '../../../src/ops/notify/notify-payload.js';
import type { NotifyPayload } from '../../../src/ops/notify/notify-payload.js';
import { namedTargets } from '../../../src/ops/notify/notify-targets.js';
import { NotifyWatcher } from '../../../src/ops/notify/notify-watcher.js';
import { openStore } from '../../../src/store/index.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';

const FIXTURE = resolve(import.meta.dirname, '..', '..', 'fixtures', 'crash');
const me: Caller = { name: 'ada', role: 'admin', via: 'cli' };

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.store.close();
  engine = undefined;
});

async function setUp(config: string, autoApprove = false, extraConfig?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'converge-watch-'));
  cpSync(FIXTURE, dir, { recursive: true });
  if (extraConfig !== undefined) writeFileSync(join(dir, config), extraConfig);
  const loaded = loadProjectConfig(dir, config);
  engine = createEngine({ store: await openStore(':memory:'), config: loaded.config, baseDir: loaded.baseDir });
  const access = new WorkflowAccess({ store: engine.store, clock: engine.clock, engine });
  const state = await access.start(me, { requirements: 'Write the value file', workspace: join(dir, 'project'), autoApprove });
  const outcome = await engine.runner.run(state.workflowId);
  return { id: state.workflowId, outcome, access, engine };
}

function watcher(e: Engine, outbox: MemoryOutbox, targets: Array<Record<string, unknown>>, now: () => number = Date.now) {
  return new NotifyWatcher({ store: e.store, outbox, targets: namedTargets(targets.map((t) => NotifyTargetSchema.parse(t))), log: silentLogger, now, reminderScanMs: 0, linkBase: () => 'https://c.example' });
}

const payloads = async (outbox: MemoryOutbox) => (await outbox.list({ limit: 100 })).map((r) => JSON.parse(r.payload) as NotifyPayload);
const hook = { type: 'webhook', name: 'ops', url: 'https://hooks.example/x' };

describe('the notify watcher', () => {
  it('puts gate.waiting in the outbox once, however many watchers look and restart', async () => {
    const { id, outcome, engine: e } = await setUp('converge.yaml');
    expect(outcome.waitingFor).toBe('gate:plan_approval');
    const outbox = new MemoryOutbox();
    expect(await watcher(e, outbox, [hook]).scan()).toBe(1);
    expect(await watcher(e, outbox, [hook]).scan()).toBe(0);
    const again = watcher(e, outbox, [hook]);
    await again.scan();
    expect(await again.scan()).toBe(0);
    const state = await loadState(e.store, id);
    const [p] = await payloads(outbox);
    expect(p).toMatchObject({
      id: deliveryId(id, 'gate.waiting', state.gate!.interactionId, 'ops'),
      event: 'gate.waiting',
      at: state.gate!.requestedAt,
      workflow: { id, status: 'waiting_for_human', waiting_for: 'gate:plan_approval' },
      answers: ['approve', 'reject', 'request_changes'],
      link: `https://c.example/workflows/${id}`,
      details: { gate: 'plan_approval', interaction_id: state.gate!.interactionId },
    });
  });

  it('sends only the events a target lists', async () => {
    const { engine: e } = await setUp('converge.yaml');
    const outbox = new MemoryOutbox();
    expect(await watcher(e, outbox, [{ ...hook, events: ['workflow.completed'] }]).scan()).toBe(0);
  });

  it('reminds at each remind_every while the gate waits, and the latest one only after a pause', async () => {
    const { id, access, engine: e } = await setUp('converge.yaml');
    const since = Date.parse((await loadState(e.store, id)).gate!.requestedAt);
    let now = since + 30_000;
    const outbox = new MemoryOutbox();
    const w = watcher(e, outbox, [{ ...hook, remind_every: '1m' }], () => now);
    await w.scan();
    now = since + 61_000;
    expect(await w.scan()).toBe(1);
    now = since + 90_000;
    expect(await w.scan()).toBe(0);
    now = since + 190_000;
    expect(await w.scan()).toBe(1);
    expect((await payloads(outbox)).map((p) => p.reminder ?? 0).sort()).toEqual([0, 1, 3]);
    // Answered: nothing waits, so no more reminders.
    await access.respondToGate(me, id, { decision: 'reject', comment: 'not this way' });
    now = since + 400_000;
    await w.scan();
    expect((await payloads(outbox)).filter((p) => p.event === 'gate.waiting')).toHaveLength(3);
  });

  it('sends workflow.rejected with who rejected it', async () => {
    const { id, access, engine: e } = await setUp('converge.yaml');
    await access.respondToGate(me, id, { decision: 'reject', comment: 'not this way' });
    const outbox = new MemoryOutbox();
    await watcher(e, outbox, [{ ...hook, events: ['workflow.rejected'] }]).scan();
    expect(await payloads(outbox)).toEqual([expect.objectContaining({ event: 'workflow.rejected', details: expect.objectContaining({ rejected_by: 'ada', gate: 'plan_approval', comment: 'not this way' }) })]);
  });

  it('sends workflow.completed once the workflow ends', async () => {
    const { id, access, engine: e } = await setUp('converge.yaml');
    await access.respondToGate(me, id, { decision: 'approve' });
    expect((await e.runner.run(id)).waitingFor).toBe('gate:final_approval');
    await access.respondToGate(me, id, { decision: 'approve' });
    expect((await e.runner.run(id)).status).toBe('completed');
    const outbox = new MemoryOutbox();
    await watcher(e, outbox, [hook]).scan();
    expect((await payloads(outbox)).map((p) => p.event)).toEqual(['workflow.completed']);
  });

  it('sends external.waiting for a step whose result comes from outside', async () => {
    const { id, outcome, engine: e } = await setUp('converge-external.yaml');
    expect(outcome.waitingFor).toBe('external:step 1');
    const outbox = new MemoryOutbox();
    await watcher(e, outbox, [hook]).scan();
    const [p] = await payloads(outbox);
    expect(p).toMatchObject({ event: 'external.waiting', answers: ['submit'], details: { step: 1, format: 'plan' } });
    expect(p!.needed).toContain(`converge next ${id}`);
  });

  it('sends escalation.raised with the answers a failure takes', async () => {
    // The programmer's call is refused with a 401 (recorded), which escalates at once; no advisor answers.
    const session = resolve(FIXTURE, '..', 'advisor', 'session.yaml');
    const yaml = `definition: seven-step\nprofile: typescript\nchecks:\n  - { id: value, command: ["node", "check.mjs"], required: true }\nagents:\n  default: { provider: scripted, session: ${JSON.stringify(session)} }\n`;
    const { id, outcome, engine: e } = await setUp('converge-failure.yaml', true, yaml);
    expect(outcome.waitingFor).toBe('escalation:failure');
    const outbox = new MemoryOutbox();
    await watcher(e, outbox, [hook]).scan();
    const [p] = await payloads(outbox);
    const state = await loadState(e.store, id);
    expect(p).toMatchObject({ id: deliveryId(id, 'escalation.raised', state.escalation!.escalationId, 'ops'), event: 'escalation.raised', answers: ['retry', 'grant_rounds', 'cancel'], details: { reason: 'failure' } });
    expect(p!.needed).toContain('Retry the failed step');
  });

  it('sends budget.reached, not escalation.raised, for the budget escalation, with the warning', async () => {
    const { outcome, engine: e } = await setUp('converge-budget.yaml');
    expect(outcome.waitingFor).toBe('escalation:budget');
    const outbox = new MemoryOutbox();
    await watcher(e, outbox, [hook]).scan();
    expect((await payloads(outbox)).map((p) => p.event).sort()).toEqual(['budget.reached', 'budget.warning']);
  });
});
