/**
 * Gate timeouts fire with nobody holding the workflow (issue 18, part 3): a gate that rejects after
 * 2 s is rejected by a running `converge worker` that never ran that workflow before — the run that
 * opened the gate has exited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture, spawnConverge } from './helpers/cli.js';

describe('a gate timeout fired by a worker (#18)', () => {
  it('rejects at a 2 s gate timeout from a worker that never ran the workflow', async () => {
    const dir = copyFixture('crash');
    const cli = (args: string[]) => converge(['--store', 'store.db', '--config', 'converge-gate-timeout.yaml', ...args], { cwd: dir });
    const id = (await cli(['start', 'Write the value file', '--workspace', 'project'])).stdout.trim();
    // Another process runs it up to the plan gate and exits there.
    const toGate = await cli(['resume', id, '--no-wait']);
    expect(toGate.exitCode, toGate.stderr).toBe(3);
    expect(JSON.parse((await cli(['--json', 'status', id])).stdout)).toMatchObject({ status: 'waiting_for_human', waiting_for: 'gate:plan_approval' });

    const worker = spawnConverge(['--store', 'store.db', '--config', 'converge-gate-timeout.yaml', 'worker'], { cwd: dir });
    try {
      let status = '';
      for (let i = 0; i < 150 && status !== 'rejected'; i++) {
        await sleep(100);
        status = (JSON.parse((await cli(['--json', 'status', id])).stdout) as { status: string }).status;
      }
      expect(status).toBe('rejected');
    } finally {
      worker.kill('SIGTERM');
    }
    const stopped = await worker;
    expect(stopped.exitCode, String(stopped.stderr)).toBe(0);
    const events = (await cli(['--json', 'history', id])).stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const requested = events.find((e) => e.type === 'approval_requested')!;
    const timedOut = events.find((e) => e.type === 'gate_timed_out')!;
    expect(timedOut).toMatchObject({ interactionId: requested.interactionId });
    expect(events.find((e) => e.type === 'approval_decided')).toMatchObject({ decision: 'reject', actor: { id: 'timeout-policy' }, automatic: 'timeout_policy' });
    // Not before the recorded 2 s.
    expect(Date.parse(timedOut.at as string) - Date.parse(requested.at as string)).toBeGreaterThanOrEqual(2000);
  }, 60_000);
});
