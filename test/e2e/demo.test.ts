/**
 * `converge demo`, as a new user runs it: from any directory, to completion, with real checks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge } from './helpers/cli.js';

describe('converge demo', () => {
  it('completes the seven steps from an unrelated directory and prints how to inspect the run', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'converge-demo-cwd-'));
    const result = await converge(['demo'], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Summary — completed/);
    expect(result.stdout).toMatch(/typecheck\s+failed/);
    expect(result.stdout).toMatch(/typecheck\s+passed/);
    const id = /converge show (wf-[0-9a-f]+)/.exec(result.stdout)?.[1];
    expect(id).toBeDefined();

    const show = await converge(['show', id!], { cwd });
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.stdout).toContain('plan_approval: approve by auto-approve (auto approve)');
    expect(show.stdout).toMatch(/plan_loop[\s\S]*1\s+2\s+7\.5[\s\S]*not converged[\s\S]*2\s+2\s+9\.4/);

    const seed = JSON.parse((await converge(['export', id!], { cwd })).stdout) as Record<string, unknown>;
    expect(seed.workflow_id).toBe(id);
    expect((seed.convergence_status as { phase_1_converged: boolean }).phase_1_converged).toBe(true);

    // The demo's copy is committed before the run, so the review diffs the existing file against it.
    const review = JSON.parse((await converge(['review', id!, '--json'], { cwd })).stdout) as {
      change: { files: Array<{ path: string; status: string; diff: string }> };
    };
    const index = review.change.files.find((f) => f.path === 'src/index.ts');
    expect(index?.status).toBe('modified');
    expect(index?.diff).toContain('+export function truncateWords');
    expect(index?.diff).not.toContain('+export function slugify');
  }, 120_000);
});
