/**
 * Progress on long work (issue 15, part 6): the running step's clock, its check, the agent's
 * latest activity, `checks run` while it runs, and a terminal that reports no width.
 */
import { describe, expect, it } from 'vitest';
import type { CheckProgress } from '../../../src/checks/index.js';
import type { Check } from '../../../src/core/profile-schema.js';
import type { WorkflowEvent } from '../../../src/core/events.js';
import type { WorkflowState } from '../../../src/core/state.js';
import { checkProgressDisplay } from '../../../src/interfaces/cli/check-progress.js';
import { progressMode } from '../../../src/interfaces/cli/progress.js';
import { formatElapsed, progressLine, RunningSteps } from '../../../src/interfaces/cli/running-steps.js';

const STATE = {
  workflowId: 'wf-1',
  definition: { steps: [{ id: 'validate_code', number: 5 }] },
  runs: [{ actionId: 'wf-1.9', stepId: 'validate_code' }],
} as unknown as WorkflowState;

const started = (agent: string) => ({ type: 'step_started', seq: 9, at: '2026-01-01T00:00:00.000Z', actionId: 'wf-1.9', agent }) as unknown as WorkflowEvent;
const ref = { workflowId: 'wf-1', actionId: 'wf-1.9', stepNumber: 5 };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('progressMode', () => {
  it('draws on a terminal with a width', () => {
    const ci = process.env.CI;
    delete process.env.CI;
    try {
      expect(progressMode(false, { isTTY: true, columns: 120 })).toBe('tty');
    } finally {
      if (ci !== undefined) process.env.CI = ci;
    }
  });

  it('prints plain lines on a terminal that reports 0 columns', () => {
    expect(progressMode(false, { isTTY: true, columns: 0 })).toBe('plain');
  });

  it('prints plain lines on a pipe, and JSON lines with --json', () => {
    expect(progressMode(false, { isTTY: false })).toBe('plain');
    expect(progressMode(true, { isTTY: true, columns: 120 })).toBe('json');
  });
});

describe('RunningSteps', () => {
  it('shows the running step with its clock, then the running check with its own', () => {
    let now = T0 + 65_000;
    const running = new RunningSteps(() => now);
    running.onEvent(STATE, started('scripted'));
    expect(running.describe('wf-1')).toBe('step 5 validate_code running 1m 05s');
    running.onProgress({ ...ref, kind: 'check_started', check: 'tests', index: 1, total: 3 });
    now += 12_000;
    expect(running.describe('wf-1')).toBe('step 5 validate_code running 1m 17s · check tests (2/3) 12s');
  });

  it('shows the longest-running of several checks at once, until each one ends', () => {
    let now = T0 + 5000;
    const running = new RunningSteps(() => now);
    running.onEvent(STATE, started('scripted'));
    running.onProgress({ ...ref, kind: 'check_started', check: 'typecheck', index: 0, total: 2 });
    running.onProgress({ ...ref, kind: 'check_started', check: 'tests', index: 1, total: 2 });
    now += 2000;
    expect(running.clock('wf-1')).toBe('7s · check typecheck (1/2) 2s +1 more');
    running.onProgress({ ...ref, kind: 'check_finished', check: 'typecheck', index: 0, total: 2, status: 'passed', durationMs: 2000 });
    expect(running.clock('wf-1')).toBe('7s · check tests (2/2) 2s');
  });

  it('shows the agent’s latest activity while no check runs', () => {
    const running = new RunningSteps(() => T0 + 3000);
    running.onEvent(STATE, started('command:codex'));
    running.onProgress({ ...ref, kind: 'agent_activity', role: 'programmer', text: 'running `npm test`' });
    expect(running.clock('wf-1')).toBe('3s · running `npm test`');
  });

  it('runs no clock for a step that waits for a result from outside', () => {
    const running = new RunningSteps(() => T0 + 3000);
    running.onEvent(STATE, started('external'));
    expect(running.describe('wf-1')).toBeUndefined();
    expect(running.active()).toEqual([]);
  });

  it('forgets a step once its result is recorded', () => {
    const running = new RunningSteps(() => T0 + 3000);
    running.onEvent(STATE, started('scripted'));
    running.onEvent(STATE, { type: 'validation_recorded', at: '2026-01-01T00:00:03.000Z', actionId: 'wf-1.9' } as unknown as WorkflowEvent);
    expect(running.describe('wf-1')).toBeUndefined();
  });
});

describe('progressLine', () => {
  it('names the check, its place and how it ended', () => {
    expect(progressLine({ ...ref, kind: 'check_started', check: 'tests', index: 0, total: 2 })).toBe('step 5 check tests (1/2) running');
    expect(progressLine({ ...ref, kind: 'check_finished', check: 'tests', index: 0, total: 2, status: 'failed', durationMs: 42_000 })).toBe('step 5 check tests failed in 42s');
  });
});

describe('formatElapsed', () => {
  it.each([
    [900, '0s'],
    [59_000, '59s'],
    [65_000, '1m 05s'],
    [3_725_000, '1h 02m'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe('checkProgressDisplay', () => {
  const check = { id: 'tests' } as Check;
  const events: CheckProgress[] = [
    { type: 'started', check, index: 0, total: 1 },
    { type: 'finished', check, index: 0, total: 1, result: { toolId: 'tests', level: 2, required: true, status: 'passed', summary: '', issues: [], durationMs: 1234 } },
  ];

  it('prints a line when a check starts and ends on a pipe', () => {
    let text = '';
    const display = checkProgressDisplay({ write: (t: string) => (text += t), isTTY: false });
    for (const e of events) display.onProgress(e);
    display.stop();
    expect(text).toBe('running tests (1/1)…\n  ✓ tests passed in 1.2s\n');
  });

  it('keeps the checks that run at once on the live line until each one ends', () => {
    let tty = '';
    const other = { id: 'lint' } as Check;
    const live = checkProgressDisplay({ write: (t: string) => (tty += t), isTTY: true, columns: 80 }, () => 0);
    live.onProgress({ type: 'started', check, index: 0, total: 2 });
    live.onProgress({ type: 'started', check: other, index: 1, total: 2 });
    expect(tty.endsWith('\r\x1b[2Krunning tests (1/2) 0s (+1 more)')).toBe(true);
    live.onProgress({ type: 'finished', check, index: 0, total: 2, result: { toolId: 'tests', level: 2, required: true, status: 'passed', summary: '', issues: [], durationMs: 1234 } });
    expect(tty.endsWith('\r\x1b[2K✓ tests passed in 1.2s\n\r\x1b[2Krunning lint (2/2) 0s')).toBe(true);
    live.stop();
  });

  it('redraws one line in place on a terminal, and plain lines when it reports 0 columns', () => {
    let tty = '';
    const live = checkProgressDisplay({ write: (t: string) => (tty += t), isTTY: true, columns: 80 }, () => 0);
    live.onProgress(events[0]!);
    live.stop();
    expect(tty).toBe('\r\x1b[2Krunning tests (1/1) 0s\r\x1b[2K');
    let zero = '';
    const narrow = checkProgressDisplay({ write: (t: string) => (zero += t), isTTY: true, columns: 0 });
    narrow.onProgress(events[0]!);
    narrow.stop();
    expect(zero).toBe('running tests (1/1)…\n');
  });
});
