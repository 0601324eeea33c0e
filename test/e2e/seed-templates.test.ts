/**
 * The parent project's templates in templates_dir, end to end (issue 14, part 8): a scripted
 * workflow saves every prompt its agents receive, and the test reads what step 1, step 2 and
 * step 5a were asked.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';

const REQUIREMENTS = 'Write src/value.txt with the single word good';

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('seed-style templates in templates_dir', () => {
  it("gives a marker-less step-1 template the workflow's inputs and uses the parent's step5a_three_level_… name", async () => {
    const dir = copyFixture('seed-templates');
    const run = await converge(
      ['--store', 'store.db', 'run', REQUIREMENTS, '--workspace', 'project', '--task-type', 'Processing', '--doc', 'docs/**/*.md', '--auto-approve'],
      { cwd: dir },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('completed');

    const saved = readdirSync(join(dir, 'prompts'));
    const prompt = (template: string) => {
      const file = saved.find((f) => f.endsWith(`-${template}`));
      expect(file, `no saved prompt for ${template} among ${saved.join(', ')}`).toBeDefined();
      return readFileSync(join(dir, 'prompts', file!), 'utf8');
    };

    const plan = prompt('step1_initial_planner_prompt_template.md');
    expect(plan).toContain('**USER INPUT REQUIRED**: Please provide the following information');
    expect(occurrences(plan, REQUIREMENTS)).toBe(1);
    expect(plan.indexOf(REQUIREMENTS)).toBeGreaterThan(plan.indexOf('USER INPUT REQUIRED'));
    expect(plan).toContain('## Task type\n\nProcessing');
    expect(plan).toContain('- docs/**/*.md');

    const review = prompt('step2_plan_validator_prompt_template.md');
    expect(review).toContain('## Implementation Plan to Validate\n\n# Implementation Plan: value file');
    expect(occurrences(review, '# Implementation Plan: value file')).toBe(1);
    expect(occurrences(review, REQUIREMENTS)).toBe(1);

    // The definition names step5a_two_level_…; the team's file is step5a_three_level_….
    const codeReview = prompt('step5a_two_level_validation_agent_prompt_template.md');
    expect(codeReview).toMatch(/^# Step 5a: Three-Level Validation Agent Prompt Template\n/);
    expect(occurrences(codeReview, REQUIREMENTS)).toBe(1);
  }, 120_000);
});
