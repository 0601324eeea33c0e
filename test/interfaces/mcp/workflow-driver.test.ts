/**
 * WorkflowDriver: one run at a time per workflow; requests during a run share one follow-up run.
 */
import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../../src/engine/runner.js';
import { WorkflowDriver } from '../../../src/interfaces/mcp/workflow-driver.js';

function fakeRunner() {
  const log: string[] = [];
  let active = 0;
  let peak = 0;
  const release: Array<() => void> = [];
  return {
    log,
    peak: () => peak,
    finishNext: () => release.shift()?.(),
    pending: () => release.length,
    run(id: string): Promise<RunOutcome> {
      active += 1;
      peak = Math.max(peak, active);
      log.push(`start ${id}`);
      return new Promise((resolve) => {
        release.push(() => {
          active -= 1;
          log.push(`end ${id}`);
          resolve({ workflowId: id, status: 'running', waitingFor: null, state: {} as RunOutcome['state'] });
        });
      });
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WorkflowDriver', () => {
  it('runs a workflow once at a time and coalesces requests made during a run', async () => {
    const runner = fakeRunner();
    const driver = new WorkflowDriver(runner);
    const first = driver.advance('wf-a');
    const second = driver.advance('wf-a');
    const third = driver.advance('wf-a');
    expect(second).toBe(third);
    expect(driver.busy('wf-a')).toBe(true);
    runner.finishNext();
    await first;
    await tick();
    expect(runner.log).toEqual(['start wf-a', 'end wf-a', 'start wf-a']);
    runner.finishNext();
    await second;
    expect(runner.peak()).toBe(1);
    expect(driver.busy('wf-a')).toBe(false);
  });

  it('runs different workflows side by side', async () => {
    const runner = fakeRunner();
    const driver = new WorkflowDriver(runner);
    const a = driver.advance('wf-a');
    const b = driver.advance('wf-b');
    expect(runner.pending()).toBe(2);
    runner.finishNext();
    runner.finishNext();
    await Promise.all([a, b]);
    expect(runner.peak()).toBe(2);
  });

  it('keeps going after a failed run and reports the failure to its log', async () => {
    const messages: string[] = [];
    let calls = 0;
    const driver = new WorkflowDriver(
      { run: async (id: string) => (++calls === 1 ? Promise.reject(new Error('disk full')) : ({ workflowId: id } as RunOutcome)) },
      (m) => void messages.push(m),
    );
    await expect(driver.advance('wf-a')).rejects.toThrow('disk full');
    await expect(driver.advance('wf-a')).resolves.toMatchObject({ workflowId: 'wf-a' });
    expect(messages).toEqual(['workflow wf-a: the run stopped with an error: disk full']);
  });
});
