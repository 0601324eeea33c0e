/**
 * Deciding at a gate from the terminal (issue 17, parts 1–3): a workflow whose Programmer
 * changes an existing file of a git workspace reaches its final gate; `converge review --json`
 * shows that file as modified against the base, a validator issue with file:line and round 1's
 * failing compiler message; `converge edit` at the plan gate records a human revision that shows
 * in the timeline and in what step 4 is given; `show --step` prints a step's trace.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

describe('review, edit and show --step in the terminal', () => {
  it('reviews the change against the base at the final gate after a human revision of the plan', async () => {
    const dir = copyFixture('review');
    const project = join(dir, 'project');
    git(project, 'init', '-q', '-b', 'main');
    git(project, 'add', '.');
    git(project, 'commit', '-q', '-m', 'The total before the change');
    const cli = (...args: string[]) => converge(['--store', 'store.db', ...args], { cwd: dir });

    const id = (await cli('start', 'Round the total to cents', '--workspace', 'project')).stdout.trim();
    expect((await cli('resume', id, '--no-wait')).exitCode).toBe(3);

    // At the plan gate: the plan, then a person's own version of it.
    const atPlan = JSON.parse((await cli('--json', 'review', id)).stdout);
    expect(atPlan.gate).toMatchObject({ gate_id: 'plan_approval', kind: 'plan' });
    expect(atPlan.change.plan.text).toContain('a rounded total');
    const edited = `${atPlan.change.plan.text}\n3. Keep total()'s signature: callers pass number[].\n`;
    execFileSync('node', ['-e', `require('node:fs').writeFileSync('edited-plan.md', ${JSON.stringify(edited)})`], { cwd: dir });
    const edit = await cli('edit', id, '--plan', 'edited-plan.md', '-m', 'keep the API', '--as', 'alice');
    expect(edit.exitCode, edit.stderr).toBe(0);
    expect(edit.stdout).toContain("+3. Keep total()'s signature");
    const withoutTarget = await cli('edit', id);
    expect(withoutTarget.exitCode).toBe(2);
    expect(withoutTarget.stderr).toContain('--plan FILE or --file PATH --from FILE');

    const shown = JSON.parse((await cli('--json', 'show', id)).stdout);
    expect(shown.outputs.find((o: { version: number }) => o.version === 2)).toMatchObject({ human: { actor: { id: 'alice' }, comment: 'keep the API' } });
    const history = (await cli('history', id)).stdout;
    expect(history).toContain('human revision by alice: plan (keep the API)');

    expect((await cli('approve', id, '--as', 'bob')).exitCode).toBe(0);
    expect((await cli('resume', id, '--no-wait')).exitCode).toBe(3);

    // Step 4 was given the edited plan.
    const step4 = JSON.parse((await cli('--json', 'show', id, '--step', '4')).stdout);
    expect(step4.runs[0].prompts[0].text).toContain("Keep total()'s signature: callers pass number[].");

    // At the final gate: the existing file against the base, the issue, round 1's compiler error.
    const review = JSON.parse((await cli('--json', 'review', id)).stdout);
    expect(review.gate).toMatchObject({ gate_id: 'final_approval', kind: 'code' });
    const base = git(project, 'rev-parse', `refs/converge/bases/${id}`).trim();
    expect(review.change.base_commit).toBe(base);
    const file = review.change.files.find((f: { path: string }) => f.path === 'src/total.ts');
    expect(file).toMatchObject({ status: 'modified', additions: 2, deletions: 1 });
    expect(file.diff).toContain('-  return sum;');
    expect(file.diff).toContain('+  return Number(sum.toFixed(digits));');
    expect(review.issues).toContainEqual(expect.objectContaining({ severity: 'minor', file: 'src/total.ts', line: 3 }));
    const round1 = review.checks_by_round.find((r: { round: number }) => r.round === 1).checks[0];
    expect(round1).toMatchObject({ id: 'typecheck', status: 'failed' });
    expect(round1.failures[0]).toEqual({ file: 'src/total.ts', line: 3, message: "error TS2322: Type 'string' is not assignable to type 'number'." });

    // The same review for a person, and a step's trace with its prompt.
    const text = await cli('review', id);
    expect(text.stdout).toContain('modified src/total.ts');
    expect(text.stdout).toContain('[minor] src/total.ts:3');
    expect(text.stdout).toContain("src/total.ts:3: error TS2322: Type 'string' is not assignable to type 'number'.");
    const trace = await cli('show', id, '--step', '1');
    expect(trace.exitCode, trace.stderr).toBe(0);
    expect(trace.stdout).toContain('Prompt (step1_initial_planner_prompt_template.md)');
    expect(trace.stdout).toContain('Round the total to cents');
    expect(trace.stdout).toContain('tokens 1200 in / 300 out');
  }, 180_000);
});
