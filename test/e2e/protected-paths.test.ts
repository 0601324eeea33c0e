/**
 * Protected paths (#13): a Programmer's change to package.json under --auto-approve is a finding
 * of its own, named at the final gate, and the gate waits for a person instead of approving.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';

describe('protected paths', () => {
  it('holds --auto-approve at the final gate when the Programmer changed package.json, and names the file there', async () => {
    const dir = copyFixture('crash');
    const cli = (args: string[]) => converge(['--store', 'store.db', '--config', 'converge-protected.yaml', ...args], { cwd: dir });
    const run = await cli(['run', 'Write the value file', '--workspace', 'project', '--auto-approve', '--no-wait']);
    expect(run.exitCode, run.stderr).toBe(3);
    const id = /wf-[a-z0-9]+/.exec(run.stdout)?.[0] ?? '';
    expect(id).not.toBe('');
    expect(readFileSync(join(dir, 'project', 'package.json'), 'utf8')).toContain('"test": "node check.mjs"');

    const status = JSON.parse((await cli(['--json', 'status', id])).stdout) as { status: string; gate: { gateId: string; protectedPaths?: string[] } | null };
    expect(status.status).toBe('waiting_for_human');
    expect(status.gate?.gateId).toBe('final_approval');
    expect(status.gate?.protectedPaths).toEqual(['package.json']);

    const show = await cli(['show', id]);
    expect(show.stdout).toContain('plan_approval: approve by auto-approve');
    expect(show.stdout).toContain('Protected files changed');
    expect(show.stdout).toContain('package.json');

    const next = await cli(['next', id]);
    expect(next.stdout).toContain('Protected files changed');
    expect(next.stdout).toContain('package.json');

    const report = await cli(['report', id]);
    expect(report.stdout).toContain('Protected file changed: package.json');

    const approved = await cli(['approve', id, '--comment', 'package.json change reviewed', '--as', 'carol']);
    expect(approved.exitCode, approved.stderr).toBe(0);
    const finished = await cli(['resume', id]);
    expect(finished.exitCode, finished.stderr).toBe(0);
    expect((await cli(['show', id])).stdout).toContain('final_approval: approve by carol — package.json change reviewed');
  }, 120_000);

  it('auto-approves the final gate as before when no protected file changed', async () => {
    const dir = copyFixture('crash');
    const run = await converge(['--store', 'store.db', 'run', 'Write the value file', '--workspace', 'project', '--auto-approve', '--no-wait'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
  }, 120_000);
});
