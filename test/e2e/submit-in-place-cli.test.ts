/**
 * `converge submit` for an `external` agent that edits in place (issue 16, part 2): the person (or
 * the coding agent working from the prompt file) edits the workspace and submits a summary; the
 * code step records the files that changed, and `submit` prints those, as it prints the files of a
 * code answer.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';

const CONFIG =
  'definition: seven-step\nprofile: typescript\nchecks:\n  - { id: value, command: ["node", "check.mjs"], timeout_s: 30, required: true }\n' +
  'agents:\n  default: { provider: external, edits_in_place: true }\n';

describe('converge submit with an external agent that edits in place', () => {
  it('records and prints the files changed in the workspace for a summary alone', async () => {
    const dir = copyFixture('crash');
    writeFileSync(join(dir, 'converge.yaml'), CONFIG);
    const outputs = join(dir, 'outputs');
    const run = await converge(['run', 'Write the value file', '--workspace', 'project', '--no-wait'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(3);
    const id = run.stdout.match(/(wf-[0-9a-f]+)/)![1]!;
    for (const [step, file] of [['1', 'plan-v2.md'], ['2', 'plan-review-2.md']] as const) {
      const submitted = await converge(['submit', id, '--step', step, '--file', join(outputs, file)], { cwd: dir });
      expect(submitted.exitCode, submitted.stderr).toBe(0);
      expect((await converge(['resume', id, '--no-wait'], { cwd: dir })).exitCode).toBe(3);
    }
    expect((await converge(['approve', id], { cwd: dir })).exitCode).toBe(0);
    const at4 = await converge(['resume', id, '--no-wait'], { cwd: dir });
    expect(at4.stdout).toContain('workspace snapshot taken (files)');
    expect(readFileSync(join(dir, '.converge', 'prompts', id, 'step-4.md'), 'utf8')).toContain('Edit the files in the workspace directly');

    mkdirSync(join(dir, 'project', 'src'));
    writeFileSync(join(dir, 'project', 'src', 'value.txt'), 'good\n');
    writeFileSync(join(dir, 'summary.md'), '## Summary\n- Wrote src/value.txt in the workspace.\n');
    const submitted = await converge(['--json', 'submit', id, '--step', '4', '--file', 'summary.md'], { cwd: dir });
    expect(submitted.exitCode, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ recorded: true, step: 4, as: 'code', files: [{ path: 'src/value.txt', action: 'create', lines: 2 }] });
  }, 120_000);
});
