/**
 * Part of the Store conformance suite (issue 17): step traces beside the log — written, replaced
 * for the same action, listed in run order, filtered by step, redacted, and deleted with their workflow.
 */
import { describe, expect } from 'vitest';
import type { StepTrace, Store, WorkflowSummary } from '../../src/store/store.js';

export interface TraceCaseContext {
  store: () => Store;
  seed: (id: string, count?: number, overrides?: Partial<WorkflowSummary>) => Promise<void>;
  at: (minutes: number) => string;
  test: (title: string, body: () => Promise<void>) => void;
}

const code = (c: string) => ({ name: 'ConvergeError', code: c });

export function traceCases({ store, seed, at, test }: TraceCaseContext): void {
  const trace = (workflowId: string, actionId: string, stepNumber: number, minutes: number, extra: Partial<StepTrace> = {}): StepTrace => ({
    workflowId,
    actionId,
    stepId: `step_${stepNumber}`,
    stepNumber,
    attempt: 1,
    agent: 'scripted',
    startedAt: at(minutes),
    completedAt: at(minutes + 1),
    prompts: [{ template: `step${stepNumber}`, text: `prompt of ${actionId} ${'x'.repeat(2000)}` }],
    outputs: [{ template: `step${stepNumber}`, text: `answer of ${actionId}` }],
    activity: [{ at: at(minutes), kind: 'command', text: 'npm test' }],
    error: null,
    ...extra,
  });

  describe('step traces (#17)', () => {
    test('reads back what was written, in the order the runs started', async () => {
      await seed('wf_1');
      await store().putTrace(trace('wf_1', 'act_b', 2, 5));
      await store().putTrace(trace('wf_1', 'act_a', 1, 1));
      const traces = await store().listTraces('wf_1');
      expect(traces.map((t) => t.actionId)).toEqual(['act_a', 'act_b']);
      expect(traces[0]).toEqual(trace('wf_1', 'act_a', 1, 1));
    });

    test('replaces the trace of the same action', async () => {
      await seed('wf_1');
      await store().putTrace(trace('wf_1', 'act_a', 1, 1, { error: 'interrupted' }));
      await store().putTrace(trace('wf_1', 'act_a', 1, 2));
      expect(await store().listTraces('wf_1')).toEqual([trace('wf_1', 'act_a', 1, 2)]);
    });

    test('lists one step\'s traces when asked', async () => {
      await seed('wf_1');
      await store().putTrace(trace('wf_1', 'act_a', 1, 1));
      await store().putTrace(trace('wf_1', 'act_b', 2, 2));
      await store().putTrace(trace('wf_1', 'act_c', 2, 3));
      expect((await store().listTraces('wf_1', 2)).map((t) => t.actionId)).toEqual(['act_b', 'act_c']);
      expect(await store().listTraces('wf_1', 7)).toEqual([]);
    });

    test('redacts token-shaped secrets before writing', async () => {
      await seed('wf_1');
      const secret = `cv_${'A'.repeat(43)}`;
      await store().putTrace(trace('wf_1', 'act_a', 1, 1, { outputs: [{ template: 'step1', text: `the token is ${secret}` }] }));
      const [read] = await store().listTraces('wf_1');
      expect(read!.outputs[0]!.text).not.toContain(secret);
    });

    test('throws WORKFLOW_NOT_FOUND for an unknown workflow', async () => {
      await expect(store().putTrace(trace('wf_missing', 'act_a', 1, 1))).rejects.toMatchObject(code('WORKFLOW_NOT_FOUND'));
      await expect(store().listTraces('wf_missing')).rejects.toMatchObject(code('WORKFLOW_NOT_FOUND'));
    });

    test('deletes the traces with a pruned workflow', async () => {
      await seed('wf_1', 1, { status: 'completed', updatedAt: at(10) });
      await store().putTrace(trace('wf_1', 'act_a', 1, 1));
      expect(await store().prune(at(20))).toBe(1);
      await seed('wf_1');
      expect(await store().listTraces('wf_1')).toEqual([]);
    });
  });
}
