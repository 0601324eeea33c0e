/**
 * An external step is a wait for a person (issue 15, part 3): `run` prints the prompt file it
 * wrote and the exact submit command at once; `status`, `list`, `show` say `waiting_for_human`;
 * `next` speaks to a person (`--for-agent` keeps the tool-call form); `submit` prints what it read
 * and refuses one of step 5's two reviews, naming the missing one and recording nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture, spawnConverge } from './helpers/cli.js';

const EXTERNAL_CONFIG =
  'definition: seven-step\nprofile: typescript\nchecks:\n  - { id: value, command: ["node", "check.mjs"], timeout_s: 30, required: true }\nagents:\n  default: { provider: external }\n';

/** A copy of the crash fixture whose converge.yaml leaves every step to the person (the default). */
function externalProject(): string {
  const dir = copyFixture('crash');
  writeFileSync(join(dir, 'converge.yaml'), EXTERNAL_CONFIG);
  return dir;
}

async function events(dir: string, id: string): Promise<number> {
  return (await converge(['--json', 'history', id], { cwd: dir })).stdout.trim().split('\n').length;
}

async function until(read: () => string, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  for (let i = 0; i < 600; i++) {
    const match = read().match(pattern);
    if (match) return match;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; output so far:\n${read()}`);
}

describe('an external step, from the command line', () => {
  it('run --no-wait writes the prompt file, prints it with the submit command, and exits 3', async () => {
    const dir = externalProject();
    const run = await converge(['run', 'Write the value file', '--workspace', 'project', '--no-wait'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(3);
    const id = run.stdout.match(/(wf-[0-9a-f]+)/)![1]!;
    expect(run.stdout).toContain('step 1 plan → planner, waits for your result (external)');
    expect(run.stdout).toContain(`Prompt:  .converge/prompts/${id}/step-1.md`);
    expect(run.stdout).toContain(`Submit:  converge submit ${id} --step 1 --file plan.md`);
    expect(run.stdout).toContain(`Workflow ${id}: waiting_for_human — waiting for external:step 1`);
    expect(readFileSync(join(dir, '.converge', 'prompts', id, 'step-1.md'), 'utf8')).toContain('Write the value file');

    // A junk result is the submitter's to fix: bad input (exit 2), not a failed step (1), and nothing is recorded.
    writeFileSync(join(dir, 'junk.md'), 'ok\n');
    const before = await events(dir, id);
    const junk = await converge(['submit', id, '--step', '1', '--file', 'junk.md'], { cwd: dir });
    expect(junk.exitCode).toBe(2);
    expect(junk.stderr).toContain("The planner's reply is not a plan");
    expect(await events(dir, id)).toBe(before);
  }, 60_000);

  it('is waiting for a person in status, list and show; next, submit and a waiting run take it to the end', async () => {
    const dir = externalProject();
    const runner = spawnConverge(['run', 'Write the value file', '--workspace', 'project'], { cwd: dir });
    let out = '';
    runner.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [, id] = await until(() => out, /Submit: {2}converge submit (wf-[0-9a-f]+) --step 1 --file plan\.md/, 'the step 1 submit command');
    const cli = (...args: string[]) => converge(args, { cwd: dir });

    const status = await cli('status', id!);
    expect(status.stdout).toContain(`${id}  waiting_for_human  phase_1  step 1 (plan, started), waiting for you: the result of step 1 (plan)`);
    expect(JSON.parse((await cli('--json', 'status', id!)).stdout)).toMatchObject({ status: 'waiting_for_human', waiting_for: 'external:step 1' });
    expect((await cli('list')).stdout).toMatch(new RegExp(`${id}\\s+waiting_for_human\\s+phase_1\\s+1\\s+external:step 1`));
    expect((await cli('list', '--status', 'waiting_for_human')).stdout).toContain(id!);
    expect((await cli('list', '--status', 'running')).stdout).not.toContain(id!);
    expect((await cli('show', id!)).stdout).toContain('status      waiting_for_human');

    const next = await cli('next', id!);
    expect(next.stdout).toContain(`Prompt:  .converge/prompts/${id}/step-1.md`);
    expect(next.stdout).toContain(`Submit:  converge submit ${id} --step 1 --file plan.md`);
    expect(next.stdout).toContain('What to submit: one text, the plan.');
    expect(next.stdout).not.toContain('submit_step_result');
    expect((await cli('next', id!, '--for-agent')).stdout).toContain(`Submit with submit_step_result { workflow_id: "${id}", step_number: 1`);

    const plan = await cli('submit', id!, '--step', '1', '--file', 'outputs/plan-v2.md');
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`Recorded the result of step 1 (plan) of ${id}. Converge read:`);
    expect(plan.stdout).toMatch(/Plan: ".+", \d+ lines/);

    await until(() => out, /Submit: {2}converge submit wf-\S+ --step 2 --file review\.md/, 'the step 2 submit command');
    const review = await cli('submit', id!, '--step', '2', '--file', 'outputs/plan-review-2.md');
    expect(review.stdout).toMatch(/Missing scores: none/);
    expect(review.stdout).toMatch(/alignment\s+9/);

    await until(() => out, /waiting for approval "plan_approval"/, 'the plan gate');
    expect((await cli('approve', id!)).exitCode).toBe(0);
    await until(() => out, /Submit: {2}converge submit wf-\S+ --step 4 --file code\.md/, 'the step 4 submit command');
    const code = await cli('submit', id!, '--step', '4', '--file', 'outputs/code-v2.md');
    expect(code.stdout).toMatch(/Files \(1\):\n {2}src\/value\.txt/);

    // Step 5 has two prompts: two files, two --file, and one review alone is refused.
    await until(() => out, /--step 5 --file review-5a\.md --file review-5b\.md/, 'the step 5 submit command');
    expect(existsSync(join(dir, '.converge', 'prompts', id!, 'step-5a.md'))).toBe(true);
    expect(readFileSync(join(dir, '.converge', 'prompts', id!, 'step-5b.md'), 'utf8')).toMatch(/standardi[sz]ation/i);
    expect((await cli('next', id!)).stdout).toContain('What to submit: 2 texts, the review of each prompt, in prompt order.');
    const before = await events(dir, id!);
    const half = await cli('submit', id!, '--step', '5', '--file', 'outputs/code-review-a2.md');
    expect(half.exitCode).toBe(2);
    expect(half.stderr).toContain('Step 5 (validate_code) takes 2 reviews, one per prompt; 1 was given. Missing: the review for prompt 2 (step5b_two_level_standardization_validation_agent_prompt_template.md).');
    expect(await events(dir, id!)).toBe(before);
    const dry = await cli('submit', id!, '--step', '5', '--file', 'outputs/code-review-a2.md', '--dry-run');
    expect(dry.exitCode).toBe(2);

    const both = await cli('submit', id!, '--step', '5', '--file', 'outputs/code-review-a2.md', '--file', 'outputs/code-review-b2.md');
    expect(both.exitCode, both.stderr).toBe(0);
    expect(both.stdout).toMatch(/review 1 \(markdown\)[\s\S]*review 2 \(markdown\)/);
    expect(both.stdout).toContain('Missing scores: none');

    await until(() => out, /waiting for approval "final_approval"/, 'the final gate');
    expect((await cli('approve', id!)).exitCode).toBe(0);
    const result = await runner;
    expect(result.exitCode, String(result.stderr)).toBe(0);
  }, 180_000);
});
