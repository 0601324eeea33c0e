/**
 * The reviews are kept whole (#14): what the Validator wrote is recorded as written, beside what
 * Converge read from it, the revising step gets it in its prompt — a recommendation that comes with
 * code reaches the Planner — and `converge report --raw` prints it.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReviews } from '../../src/engine/prompt-inputs.js';
import { converge, copyFixture } from './helpers/cli.js';

const HELPER = [
  '```ts',
  'export function readValue(path: string): string {',
  "  return readFileSync(path, 'utf8').trim(); // the helper the plan should adopt",
  '}',
  '```',
].join('\n');

const REVIEW_WITH_CODE = `## Summary
- Alignment Score: 7.0/10
- Standardization Score: 8.5/10
- Compatibility Score: 9.0/10

## Issues
- [Critical] The plan does not say which value to write.

## Recommendations
Read the value through one helper, so the check and the writer agree:

${HELPER}
`;

describe('whole reviews', () => {
  it('puts a review recommendation with code into the step-3 prompt, and `report --raw` prints the review as written', async () => {
    const dir = copyFixture('crash');
    writeFileSync(join(dir, 'outputs', 'plan-review-1.md'), REVIEW_WITH_CODE);
    writeFileSync(
      join(dir, 'session-whole.yaml'),
      readFileSync(join(dir, 'session.yaml'), 'utf8').replace('trace_file: trace.log', 'trace_file: trace.log\nprompts_dir: prompts'),
    );
    writeFileSync(join(dir, 'converge-whole.yaml'), readFileSync(join(dir, 'converge.yaml'), 'utf8').replace('session.yaml', 'session-whole.yaml'));
    const cli = (args: string[]) => converge(['--store', 'store.db', '--config', 'converge-whole.yaml', ...args], { cwd: dir });
    const run = await cli(['run', 'Write the value file', '--workspace', 'project', '--auto-approve']);
    expect(run.exitCode, run.stderr).toBe(0);
    const id = /wf-[a-z0-9]+/.exec(run.stdout)![0];

    const step3 = readdirSync(join(dir, 'prompts')).find((f) => f.includes('step3_revision_planner'));
    expect(step3).toBeDefined();
    const prompt = readFileSync(join(dir, 'prompts', step3!), 'utf8');
    expect(prompt).toContain(HELPER);
    expect(prompt).toContain('The reviews, as the Validator wrote them');

    const raw = await cli(['report', id, '--round', '1', '--raw']);
    expect(raw.exitCode, raw.stderr).toBe(0);
    expect(raw.stdout).toContain(REVIEW_WITH_CODE.trimEnd());
    const parsed = await cli(['report', id, '--round', '1']);
    expect(parsed.stdout).not.toContain('readValue');
  }, 120_000);
});

describe('formatReviews', () => {
  it('keeps each review whole within the budget', () => {
    const text = formatReviews([{ template: 'step2_plan_validator_prompt_template.md', text: REVIEW_WITH_CODE }]);
    expect(text).toContain(REVIEW_WITH_CODE.trim());
    expect(text).toContain('Review 1 of 1 (step2_plan_validator)');
  });

  it('cuts a review past the budget with a visible marker that says how much, keeping its start and end', () => {
    const long = `START ${'x'.repeat(5_000)} END`;
    const text = formatReviews([{ template: 'a.md', text: long }, { template: 'b.md', text: 'short review' }], 2_000);
    expect(text).toMatch(/\[… 4,\d{3} characters of this review cut here to fit the prompt/);
    expect(text).toContain('START');
    expect(text).toContain('END');
    expect(text).toContain('short review');
  });
});
