/**
 * One suite for every Store. Each implementation's test file calls `runStoreConformance`, lists any
 * case it cannot pass with the reason, then adds tests of its own. Asserts codes, never message text.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/core/events.js';
import type { WorkflowDefinition } from '../../src/core/definition-schema.js';
import type { Store, WorkflowSummary } from '../../src/store/store.js';
import { integrityCases } from './store-integrity.case.js';
import { traceCases } from './store-traces.case.js';
import type { StoreDamage } from './store-integrity.case.js';

export type { StoreDamage } from './store-integrity.case.js';

export interface StoreConformanceOptions {
  name: string;
  newStore: () => Promise<Store>;
  /** Cases this store cannot pass, each with its reason; the report shows them as skipped. */
  skip?: Array<{ reason: string; tests: string[] }>;
  /** Breaks rows behind the store's back, for the damaged-log cases (skipped without it). */
  damage?: StoreDamage;
}

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
/** An ISO time `minutes` after a fixed start, so tests never read the clock. */
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

export function summary(id: string, overrides: Partial<WorkflowSummary> = {}): WorkflowSummary {
  return {
    id,
    name: `Workflow ${id}`,
    definitionId: 'seven-step',
    status: 'running',
    phase: 'planning',
    currentStep: 1,
    waitingFor: null,
    requirements: 'Add a health check endpoint.',
    createdAt: at(0),
    updatedAt: at(0),
    lastSeq: 0,
    ...overrides,
  };
}

/** A small, fully typed event; `n` makes each one recognisable when read back. */
/** A workflow's first event, carrying `definition` as the engine writes it. */
export function startedWith(definition: WorkflowDefinition, requirements: string): NewEvent {
  return {
    type: 'workflow_started',
    at: at(0),
    definition,
    requirements,
    workspace: { path: '/tmp/project', type: 'shared' },
    documentationLocations: [],
    autoApprove: false,
  };
}

export function note(n: number, minutes = n): NewEvent {
  return { type: 'phase_transitioned', at: at(minutes), from: 'planning', to: 'planning', trigger: `note-${n}` };
}

const code = (c: string) => ({ name: 'ConvergeError', code: c });

export function runStoreConformance({ name, newStore, skip = [], damage }: StoreConformanceOptions): void {
  const skipped = new Map(skip.flatMap(({ reason, tests }) => tests.map((test) => [test, reason] as const)));
  const test = (title: string, body: () => Promise<void>): void => {
    const reason = skipped.get(title);
    if (reason === undefined) it(title, body);
    else it.skip(`${title} (skipped: ${reason})`, body);
  };

  describe(`${name}: Store conformance`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await newStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /** Creates wf with `count` events in total (seq 1…count). */
    async function seed(id: string, count = 1, overrides: Partial<WorkflowSummary> = {}): Promise<void> {
      await store.createWorkflow(summary(id, overrides), note(1));
      const rest = Array.from({ length: count - 1 }, (_, i) => note(i + 2));
      if (rest.length > 0) await store.append(id, 1, rest, summary(id, overrides));
    }

    describe('createWorkflow', () => {
      test('stores the first event as seq 1 and reads it back', async () => {
        const first = await store.createWorkflow(summary('wf_1'), note(1));
        expect(first).toEqual({ ...note(1), seq: 1 });
        expect(await store.readEvents('wf_1')).toEqual([{ ...note(1), seq: 1 }]);
      });

      test('records the summary with lastSeq 1', async () => {
        await store.createWorkflow(summary('wf_1', { lastSeq: 99 }), note(1));
        expect(await store.getWorkflow('wf_1')).toEqual(summary('wf_1', { lastSeq: 1 }));
      });

      test('refuses an existing id with SEQUENCE_CONFLICT and keeps the original', async () => {
        await store.createWorkflow(summary('wf_1'), note(1));
        await expect(store.createWorkflow(summary('wf_1', { name: 'Other' }), note(2))).rejects.toMatchObject(
          code('SEQUENCE_CONFLICT'),
        );
        expect(await store.readEvents('wf_1')).toEqual([{ ...note(1), seq: 1 }]);
        expect((await store.getWorkflow('wf_1'))?.name).toBe('Workflow wf_1');
      });
    });

    describe('append', () => {
      test('numbers events after expectedSeq and returns them', async () => {
        await seed('wf_1');
        const written = await store.append('wf_1', 1, [note(2), note(3)], summary('wf_1'));
        expect(written).toEqual([
          { ...note(2), seq: 2 },
          { ...note(3), seq: 3 },
        ]);
        expect((await store.readEvents('wf_1')).map((event) => event.seq)).toEqual([1, 2, 3]);
      });

      test('replaces the summary and sets lastSeq to the last event', async () => {
        await seed('wf_1');
        const next = summary('wf_1', { status: 'waiting_for_human', waitingFor: 'gate:plan_approval', updatedAt: at(5) });
        await store.append('wf_1', 1, [note(2), note(3)], next);
        expect(await store.getWorkflow('wf_1')).toEqual({ ...next, lastSeq: 3 });
      });

      test('refuses a stale writer with SEQUENCE_CONFLICT and writes nothing', async () => {
        await seed('wf_1', 3);
        const before = await store.getWorkflow('wf_1');
        await expect(store.append('wf_1', 2, [note(9)], summary('wf_1', { status: 'failed' }))).rejects.toMatchObject(
          code('SEQUENCE_CONFLICT'),
        );
        expect((await store.readEvents('wf_1')).map((event) => event.seq)).toEqual([1, 2, 3]);
        expect(await store.getWorkflow('wf_1')).toEqual(before);
      });

      test('refuses an expectedSeq ahead of the log with SEQUENCE_CONFLICT', async () => {
        await seed('wf_1');
        await expect(store.append('wf_1', 5, [note(2)], summary('wf_1'))).rejects.toMatchObject(code('SEQUENCE_CONFLICT'));
      });

      test('lets exactly one of two writers with the same expectedSeq win', async () => {
        await seed('wf_1');
        const results = await Promise.allSettled([
          store.append('wf_1', 1, [note(2)], summary('wf_1')),
          store.append('wf_1', 1, [note(3)], summary('wf_1')),
        ]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.filter((result) => result.status === 'rejected');
        expect(rejected).toHaveLength(1);
        expect(rejected[0]?.reason).toMatchObject(code('SEQUENCE_CONFLICT'));
        expect((await store.readEvents('wf_1')).map((event) => event.seq)).toEqual([1, 2]);
      });

      test('checks the sequence but writes nothing for an empty batch', async () => {
        await seed('wf_1');
        expect(await store.append('wf_1', 1, [], summary('wf_1', { status: 'failed' }))).toEqual([]);
        expect((await store.getWorkflow('wf_1'))?.status).toBe('running');
        await expect(store.append('wf_1', 0, [], summary('wf_1'))).rejects.toMatchObject(code('SEQUENCE_CONFLICT'));
      });

      test('throws WORKFLOW_NOT_FOUND for an unknown workflow', async () => {
        await expect(store.append('wf_missing', 1, [note(2)], summary('wf_missing'))).rejects.toMatchObject(
          code('WORKFLOW_NOT_FOUND'),
        );
      });

      test('round-trips nested and non-ASCII fields exactly', async () => {
        await seed('wf_1');
        const paused: NewEvent = { type: 'paused', at: at(2), actor: { id: 'zoë 🚀', via: 'cli' }, reason: 'line\n"quoted"' };
        await store.append('wf_1', 1, [paused], summary('wf_1'));
        expect(await store.readEvents('wf_1', 1)).toEqual([{ ...paused, seq: 2 }]);
      });
    });

    describe('readEvents', () => {
      test('returns only events after afterSeq, in order', async () => {
        await seed('wf_1', 5);
        expect((await store.readEvents('wf_1', 2)).map((event) => event.seq)).toEqual([3, 4, 5]);
      });

      test('returns [] for a known workflow with no newer events', async () => {
        await seed('wf_1', 2);
        expect(await store.readEvents('wf_1', 2)).toEqual([]);
      });

      test('throws WORKFLOW_NOT_FOUND for an unknown id', async () => {
        await expect(store.readEvents('wf_missing')).rejects.toMatchObject(code('WORKFLOW_NOT_FOUND'));
      });

      test('gives copies that do not change the stored log', async () => {
        await seed('wf_1');
        const [event] = await store.readEvents('wf_1');
        (event as { trigger: string }).trigger = 'changed';
        expect(await store.readEvents('wf_1')).toEqual([{ ...note(1), seq: 1 }]);
      });
    });

    describe('getWorkflow', () => {
      test('returns undefined for an unknown id', async () => {
        expect(await store.getWorkflow('wf_missing')).toBeUndefined();
      });
    });

    describe('listWorkflows', () => {
      beforeEach(async () => {
        await seed('wf_a', 1, { status: 'running', updatedAt: at(10) });
        await seed('wf_b', 1, { status: 'completed', updatedAt: at(30) });
        await seed('wf_c', 1, { status: 'waiting_for_human', updatedAt: at(20) });
        await seed('wf_d', 1, { status: 'completed', updatedAt: at(40) });
      });
      const ids = (list: WorkflowSummary[]) => list.map((workflow) => workflow.id);

      test('orders by updatedAt, newest first', async () => {
        expect(ids(await store.listWorkflows())).toEqual(['wf_d', 'wf_b', 'wf_c', 'wf_a']);
      });

      test('filters by one or several statuses', async () => {
        expect(ids(await store.listWorkflows({ status: ['completed'] }))).toEqual(['wf_d', 'wf_b']);
        expect(ids(await store.listWorkflows({ status: ['running', 'waiting_for_human'] }))).toEqual(['wf_c', 'wf_a']);
        expect(await store.listWorkflows({ status: [] })).toEqual([]);
      });

      test('pages with limit and offset', async () => {
        expect(ids(await store.listWorkflows({ limit: 2 }))).toEqual(['wf_d', 'wf_b']);
        expect(ids(await store.listWorkflows({ limit: 2, offset: 2 }))).toEqual(['wf_c', 'wf_a']);
        expect(ids(await store.listWorkflows({ offset: 3 }))).toEqual(['wf_a']);
        expect(ids(await store.listWorkflows({ status: ['completed'], limit: 1, offset: 1 }))).toEqual(['wf_b']);
      });

      test('keeps only workflows updated before updatedBefore', async () => {
        expect(ids(await store.listWorkflows({ updatedBefore: at(30) }))).toEqual(['wf_c', 'wf_a']);
      });

      test('keeps only workflows updated since updatedSince, combined with the other filters', async () => {
        expect(ids(await store.listWorkflows({ updatedSince: at(30) }))).toEqual(['wf_d', 'wf_b']);
        expect(ids(await store.listWorkflows({ updatedSince: at(10), updatedBefore: at(30), status: ['waiting_for_human'] }))).toEqual(['wf_c']);
      });

      test('breaks ties on updatedAt by id', async () => {
        await seed('wf_f', 1, { updatedAt: at(50) });
        await seed('wf_e', 1, { updatedAt: at(50) });
        expect(ids(await store.listWorkflows({ limit: 2 }))).toEqual(['wf_e', 'wf_f']);
      });
    });

    describe('snapshots', () => {
      test('round-trips a snapshot', async () => {
        await seed('wf_1', 3);
        const state = { phase: 'planning', scores: [9.5, 8], nested: { ok: true, none: null } };
        await store.saveSnapshot('wf_1', { seq: 3, state });
        expect(await store.loadSnapshot('wf_1')).toEqual({ seq: 3, state });
      });

      test('keeps the latest snapshot', async () => {
        await seed('wf_1', 5);
        await store.saveSnapshot('wf_1', { seq: 2, state: { at: 2 } });
        await store.saveSnapshot('wf_1', { seq: 5, state: { at: 5 } });
        expect(await store.loadSnapshot('wf_1')).toEqual({ seq: 5, state: { at: 5 } });
      });

      test('ignores an older snapshot saved after a newer one', async () => {
        await seed('wf_1', 5);
        await store.saveSnapshot('wf_1', { seq: 5, state: { at: 5 } });
        await store.saveSnapshot('wf_1', { seq: 3, state: { at: 3 } });
        expect(await store.loadSnapshot('wf_1')).toEqual({ seq: 5, state: { at: 5 } });
      });

      test('returns undefined when none was saved', async () => {
        await seed('wf_1');
        expect(await store.loadSnapshot('wf_1')).toBeUndefined();
        expect(await store.loadSnapshot('wf_missing')).toBeUndefined();
      });

      test('throws WORKFLOW_NOT_FOUND when saving for an unknown workflow', async () => {
        await expect(store.saveSnapshot('wf_missing', { seq: 1, state: {} })).rejects.toMatchObject(
          code('WORKFLOW_NOT_FOUND'),
        );
      });
    });

    describe('secret redaction (#13)', () => {
      const KEY_NAME = 'CONVERGE_CONFORMANCE_PROVIDER_KEY';
      const key = 'sk-conformance-7f3a9c1e5b2d4f60';
      const token = `cv_${'Q'.repeat(43)}`;
      beforeEach(() => {
        process.env[KEY_NAME] = key;
      });
      afterEach(() => {
        delete process.env[KEY_NAME];
      });

      test('writes no secret value in events, the index row or a snapshot', async () => {
        const leaky = (n: number): NewEvent => ({ type: 'phase_transitioned', at: at(n), from: 'planning', to: 'planning', trigger: `printed ${key} and ${token}` });
        await store.createWorkflow(summary('wf_1', { requirements: `use ${key}` }), leaky(1));
        await store.append('wf_1', 1, [leaky(2)], summary('wf_1', { requirements: `use ${key}` }));
        await store.saveSnapshot('wf_1', { seq: 2, state: { output: { text: `key=${key}` }, list: [token] } });
        const written = JSON.stringify([await store.readEvents('wf_1'), await store.getWorkflow('wf_1'), await store.loadSnapshot('wf_1')]);
        expect(written).not.toContain(key);
        expect(written).not.toContain(token);
        expect(written).toContain('printed [redacted] and [redacted]');
        expect(written).toContain('key=[redacted]');
      });

      test('keeps text without secrets exactly as given', async () => {
        await seed('wf_1', 2);
        expect((await store.readEvents('wf_1')).map((e) => (e as { trigger?: string }).trigger)).toEqual(['note-1', 'note-2']);
      });
    });

    describe('leases', () => {
      beforeEach(async () => {
        await seed('wf_1');
      });

      test('grants a free lease and reports its holder', async () => {
        expect(await store.acquireLease('wf_1', 'worker-a', 60_000, at(0))).toBe(true);
        expect(await store.leaseHolder('wf_1')).toEqual({ owner: 'worker-a', expiresAt: at(1) });
      });

      test('refuses another owner while the lease is live', async () => {
        await store.acquireLease('wf_1', 'worker-a', 60_000, at(0));
        expect(await store.acquireLease('wf_1', 'worker-b', 60_000, '2025-01-01T00:00:59.999Z')).toBe(false);
        expect((await store.leaseHolder('wf_1'))?.owner).toBe('worker-a');
      });

      test('renews for the same owner with a new expiry', async () => {
        await store.acquireLease('wf_1', 'worker-a', 60_000, at(0));
        expect(await store.acquireLease('wf_1', 'worker-a', 120_000, at(0.5))).toBe(true);
        expect(await store.leaseHolder('wf_1')).toEqual({ owner: 'worker-a', expiresAt: at(2.5) });
      });

      test('hands a lease to a new owner once it has expired', async () => {
        await store.acquireLease('wf_1', 'worker-a', 60_000, at(0));
        expect(await store.acquireLease('wf_1', 'worker-b', 60_000, at(1))).toBe(true);
        expect(await store.leaseHolder('wf_1')).toEqual({ owner: 'worker-b', expiresAt: at(2) });
      });

      test('frees the lease on release by its owner', async () => {
        await store.acquireLease('wf_1', 'worker-a', 60_000, at(0));
        await store.releaseLease('wf_1', 'worker-a');
        expect(await store.leaseHolder('wf_1')).toBeUndefined();
        expect(await store.acquireLease('wf_1', 'worker-b', 60_000, at(0))).toBe(true);
      });

      test('ignores a release by another owner', async () => {
        await store.acquireLease('wf_1', 'worker-a', 60_000, at(0));
        await store.releaseLease('wf_1', 'worker-b');
        expect((await store.leaseHolder('wf_1'))?.owner).toBe('worker-a');
      });

      test('throws WORKFLOW_NOT_FOUND when acquiring for an unknown workflow', async () => {
        await expect(store.acquireLease('wf_missing', 'worker-a', 60_000, at(0))).rejects.toMatchObject(
          code('WORKFLOW_NOT_FOUND'),
        );
        expect(await store.leaseHolder('wf_missing')).toBeUndefined();
      });
    });

    integrityCases({ store: () => store, seed, summary, note, at, test, ...(damage !== undefined ? { damage } : {}) });
    traceCases({ store: () => store, seed, at, test });

    describe('recordAttempt', () => {
      test('counts 1, 2, 3 for one action', async () => {
        await seed('wf_1');
        const counts = [];
        for (let i = 0; i < 3; i++) counts.push(await store.recordAttempt('wf_1', 'wf_1:4'));
        expect(counts).toEqual([1, 2, 3]);
      });

      test('counts each action and each workflow independently', async () => {
        await seed('wf_1');
        await seed('wf_2');
        await store.recordAttempt('wf_1', 'act_a');
        await store.recordAttempt('wf_1', 'act_a');
        expect(await store.recordAttempt('wf_1', 'act_b')).toBe(1);
        expect(await store.recordAttempt('wf_2', 'act_a')).toBe(1);
        expect(await store.recordAttempt('wf_1', 'act_a')).toBe(3);
      });

      test('throws WORKFLOW_NOT_FOUND for an unknown workflow', async () => {
        await expect(store.recordAttempt('wf_missing', 'act_a')).rejects.toMatchObject(code('WORKFLOW_NOT_FOUND'));
      });
    });

    describe('prune', () => {
      test('deletes only finished workflows last updated before the cutoff', async () => {
        for (const status of ['completed', 'rejected', 'cancelled', 'failed']) {
          await seed(`wf_old_${status}`, 2, { status, updatedAt: at(10) });
        }
        await seed('wf_old_running', 1, { status: 'running', updatedAt: at(10) });
        await seed('wf_old_waiting', 1, { status: 'waiting_for_human', updatedAt: at(10) });
        await seed('wf_new_completed', 1, { status: 'completed', updatedAt: at(60) });
        await seed('wf_edge_completed', 1, { status: 'completed', updatedAt: at(30) });

        expect(await store.prune(at(30))).toBe(4);
        const left = (await store.listWorkflows()).map((workflow) => workflow.id).sort();
        expect(left).toEqual(['wf_edge_completed', 'wf_new_completed', 'wf_old_running', 'wf_old_waiting']);
        await expect(store.readEvents('wf_old_completed')).rejects.toMatchObject(code('WORKFLOW_NOT_FOUND'));
        expect(await store.prune(at(30))).toBe(0);
      });

      test('removes every row of a pruned workflow', async () => {
        await seed('wf_1', 3, { status: 'completed', updatedAt: at(10) });
        await store.saveSnapshot('wf_1', { seq: 3, state: { done: true } });
        await store.acquireLease('wf_1', 'worker-a', 60_000, at(10));
        await store.recordAttempt('wf_1', 'act_a');
        expect(await store.prune(at(20))).toBe(1);

        await seed('wf_1');
        expect(await store.readEvents('wf_1')).toHaveLength(1);
        expect(await store.loadSnapshot('wf_1')).toBeUndefined();
        expect(await store.leaseHolder('wf_1')).toBeUndefined();
        expect(await store.recordAttempt('wf_1', 'act_a')).toBe(1);
      });
    });

    describe('settings', () => {
      test('round-trips a value and overwrites it', async () => {
        await store.setSetting('retention_days', '30');
        expect(await store.getSetting('retention_days')).toBe('30');
        await store.setSetting('retention_days', '7');
        expect(await store.getSetting('retention_days')).toBe('7');
      });

      test('returns undefined for an unknown key', async () => {
        expect(await store.getSetting('no_such_key')).toBeUndefined();
      });
    });

    describe('changeMarker', () => {
      test('changes after createWorkflow, append and prune', async () => {
        const markers = [await store.changeMarker()];
        await seed('wf_1', 1, { status: 'completed', updatedAt: at(0) });
        markers.push(await store.changeMarker());
        await store.append('wf_1', 1, [note(2)], summary('wf_1', { status: 'completed', updatedAt: at(0) }));
        markers.push(await store.changeMarker());
        await store.prune(at(1));
        markers.push(await store.changeMarker());
        expect(new Set(markers).size).toBe(4);
      });

      test('stays the same when nothing is written', async () => {
        await seed('wf_1');
        const before = await store.changeMarker();
        await store.readEvents('wf_1');
        await store.listWorkflows();
        await expect(store.append('wf_1', 0, [note(2)], summary('wf_1'))).rejects.toMatchObject(code('SEQUENCE_CONFLICT'));
        expect(await store.changeMarker()).toBe(before);
      });
    });

    describe('migrate', () => {
      test('applies nothing on a second run', async () => {
        const steps = await store.migrate();
        expect(steps.filter((step) => step.status !== 'already_applied')).toEqual([]);
      });
    });

    describe('close', () => {
      test('refuses use after close with STORE_UNAVAILABLE', async () => {
        await seed('wf_1');
        await store.close();
        await expect(store.readEvents('wf_1')).rejects.toMatchObject(code('STORE_UNAVAILABLE'));
        await expect(store.append('wf_1', 1, [note(2)], summary('wf_1'))).rejects.toMatchObject(code('STORE_UNAVAILABLE'));
      });

      test('can be called twice', async () => {
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
