/**
 * Reading a finished run from the command line: reports per round, artifact diffs, the next
 * action, and the checks on their own.
 */
import { describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';

describe('inspecting a finished run', () => {
  it('prints the merged report of a round, diffs between code versions and plan versions, and refuses a round that does not exist', async () => {
    const dir = copyFixture('crash');
    const id = (await converge(['--store', 'store.db', 'start', 'Write the value file', '--workspace', 'project', '--auto-approve'], { cwd: dir })).stdout.trim();
    expect((await converge(['--store', 'store.db', 'resume', id, '--no-wait'], { cwd: dir })).exitCode).toBe(0);

    const report = await converge(['--store', 'store.db', 'report', id, '--round', '3'], { cwd: dir });
    expect(report.stdout).toMatch(/Report 3 — step 5 \(validate_code\)/);
    expect(report.stdout).toMatch(/\| value \| L2 \| yes \| FAILED \|/);
    expect(report.stdout).toMatch(/\[Critical\]/);
    const json = JSON.parse((await converge(['--store', 'store.db', '--json', 'report', id, '--round', '3'], { cwd: dir })).stdout) as { toolResults: Array<{ status: string }> };
    expect(json.toolResults[0]?.status).toBe('failed');

    const codeDiff = await converge(['--store', 'store.db', 'diff', id], { cwd: dir });
    expect(codeDiff.stdout).toMatch(/-bad\n\+good/);
    const planDiff = await converge(['--store', 'store.db', 'diff', id, '--artifact', 'plan'], { cwd: dir });
    expect(planDiff.stdout).toMatch(/\+## Document History/);

    const missing = await converge(['--store', 'store.db', 'report', id, '--round', '9'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/there is no report 9/);

    const next = await converge(['--store', 'store.db', 'next', id], { cwd: dir });
    expect(next.exitCode).toBe(0);
    expect(next.stdout).toMatch(/completed/i);
  });

  it('runs the configured checks standalone and exits 1 when a required one fails', async () => {
    const dir = copyFixture('crash');
    const failing = await converge(['checks', 'run', '--workspace', 'project'], { cwd: dir });
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toMatch(/value/);
    expect(failing.stdout).toMatch(/failed/i);
    const list = await converge(['checks', 'list'], { cwd: dir });
    expect(list.stdout).toMatch(/node check\.mjs/);
  });
});
