/**
 * Gates driven from another process: a waiting `converge resume` continues after
 * `converge request-changes` / `converge approve` run elsewhere, and change requests reach
 * the revising agent's prompt.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture, spawnConverge } from './helpers/cli.js';

async function waitForGate(dir: string, id: string, gate: string, count: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const status = await converge(['--store', 'store.db', '--json', 'status', id], { cwd: dir });
    const parsed = JSON.parse(status.stdout) as { gate: { gateId: string } | null };
    const history = await converge(['--store', 'store.db', '--json', 'history', id], { cwd: dir });
    const asked = history.stdout.split('\n').filter((l) => l.includes('"approval_requested"') && l.includes(`"${gate}"`)).length;
    if (parsed.gate?.gateId === gate && asked >= count) return;
    await sleep(100);
  }
  throw new Error(`workflow ${id} never waited at ${gate} (#${count})`);
}

describe('gates answered from another process', () => {
  it('sends request-changes at the plan gate to step 3 with the change requests in the prompt, then continues after approve', async () => {
    const dir = copyFixture('crash');
    const started = await converge(['--store', 'store.db', '--config', 'converge-gates.yaml', 'start', 'Write the value file', '--workspace', 'project'], { cwd: dir });
    const id = started.stdout.trim();
    const runner = spawnConverge(['--store', 'store.db', '--config', 'converge-gates.yaml', 'resume', id], { cwd: dir });

    await waitForGate(dir, id, 'plan_approval', 1);
    const changes = await converge(['--store', 'store.db', 'request-changes', id, '--change', 'Name the check script in the plan', '--as', 'alice'], { cwd: dir });
    expect(changes.exitCode, changes.stderr).toBe(0);

    await waitForGate(dir, id, 'plan_approval', 2);
    const revisePrompt = readdirSync(join(dir, 'prompts')).find((f) => f.includes('step3_revision_planner'));
    expect(revisePrompt).toBeDefined();
    expect(readFileSync(join(dir, 'prompts', revisePrompt!), 'utf8')).toContain('Name the check script in the plan');

    const approved = await converge(['--store', 'store.db', 'approve', id, '--comment', 'looks right', '--as', 'bob'], { cwd: dir });
    expect(approved.exitCode, approved.stderr).toBe(0);
    await waitForGate(dir, id, 'final_approval', 1);
    await converge(['--store', 'store.db', 'approve', id, '--as', 'bob'], { cwd: dir });

    const result = await runner;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const show = await converge(['--store', 'store.db', 'show', id], { cwd: dir });
    expect(show.stdout).toContain('plan_approval: request_changes by alice');
    expect(show.stdout).toContain('plan_approval: approve by bob — looks right');
    expect(show.stdout).toContain('status      completed');
  }, 120_000);

  it('exits with code 3 at a gate with --no-wait and 4 after a rejection', async () => {
    const dir = copyFixture('crash');
    const id = (await converge(['--store', 'store.db', '--config', 'converge-gates.yaml', 'start', 'Write the value file', '--workspace', 'project'], { cwd: dir })).stdout.trim();
    const first = await converge(['--store', 'store.db', '--config', 'converge-gates.yaml', 'resume', id, '--no-wait'], { cwd: dir });
    expect(first.exitCode).toBe(3);
    expect(first.stdout).toContain(`converge approve ${id}`);
    const rejected = await converge(['--store', 'store.db', 'reject', id, '--comment', 'wrong direction'], { cwd: dir });
    expect(rejected.exitCode, rejected.stderr).toBe(0);
    const after = await converge(['--store', 'store.db', '--config', 'converge-gates.yaml', 'resume', id, '--no-wait'], { cwd: dir });
    expect(after.exitCode).toBe(4);
  }, 60_000);
});
