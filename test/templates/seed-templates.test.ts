/**
 * Templates written for the seed's workflow (issue 14, part 8), rendered through the real renderer
 * from a team's templates_dir: inputs appended where a template has no place for them, the
 * parent project's names for the step-5a template, unknown markers refused, and README's tables
 * read from the same lists the renderer uses.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConvergeError } from '../../src/core/errors.js';
import { SEED_MARKERS, TEMPLATE_ALIASES, createTemplateRenderer, sameTemplate } from '../../src/templates/index.js';
import type { TemplateVars } from '../../src/templates/index.js';
import { APPENDIX_LEAD } from '../../src/templates/template-inputs.js';
import { BUILTINS } from './builtin-names.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SEED_PROMPTS = join(ROOT, 'test', 'fixtures', 'seed-templates', 'seed-prompts');
const STEP1 = BUILTINS[0]!;
const STEP2 = BUILTINS[1]!;
const STEP5A = BUILTINS[4]!;
const THREE_LEVEL = 'step5a_three_level_validation_agent_prompt_template.md';

const VARS: TemplateVars = {
  requirements: 'REQ: add a CSV export command',
  step_type: 'Processing',
  documentation_locations: ['docs/guide/**/*.md', 'slipbox/0_developer_guide/'],
  workspace: { type: 'shared', path: '/tmp/ws' },
  plan: 'PLAN: # Implementation Plan: CSV export',
  code: 'CODE: # File: src/a.ts',
};

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

async function errorOf(promise: Promise<unknown>): Promise<ConvergeError> {
  try {
    await promise;
  } catch (error) {
    return error as ConvergeError;
  }
  throw new Error('expected the promise to reject');
}

describe('seed-style templates in templates_dir', () => {
  let userDir: string;
  beforeEach(async () => {
    userDir = await mkdtemp(join(tmpdir(), 'converge-seed-templates-'));
  });
  afterEach(async () => {
    await rm(userDir, { recursive: true, force: true });
  });

  describe('a template with no place for the workflow inputs', () => {
    it("gets the step's own material too: a marker-less review template sees the code and the check results, a revision the report and change requests", async () => {
      await writeFile(join(userDir, STEP5A), '# Code review\n\nReview the implementation against the plan.\n');
      const renderer = createTemplateRenderer({ templatesDir: userDir });
      const review = await renderer.render(STEP5A, { ...VARS, step_kind: 'validate', check_results: 'CHECKS: tsc failed', validation_report: 'REPORT: earlier round' });
      expect(review).toContain('CODE: # File: src/a.ts');
      expect(review).toContain('CHECKS: tsc failed');
      expect(review).not.toContain('REPORT: earlier round');
      const step6 = BUILTINS[6]!;
      await writeFile(join(userDir, step6), '# Refine the code\n');
      const revision = await renderer.render(step6, { ...VARS, step_kind: 'produce', validation_report: 'REPORT: fix the export', change_requests: ['Name the flag --csv'] });
      expect(revision).toContain('REPORT: fix the export');
      expect(revision).toContain('- Name the flag --csv');
      expect(occurrences(revision, 'CODE: # File: src/a.ts')).toBe(1);
    });

    it('gets the requirements, task type and documentation after a step-1 "USER INPUT REQUIRED" block', async () => {
      const text = await createTemplateRenderer({ templatesDir: SEED_PROMPTS }).render(STEP1, VARS);
      const asked = text.indexOf('**USER INPUT REQUIRED**: Please provide the following information');
      expect(asked).toBeGreaterThan(-1);
      expect(text.indexOf('REQ: add a CSV export command')).toBeGreaterThan(asked);
      expect(occurrences(text, 'REQ: add a CSV export command')).toBe(1);
      expect(text).toContain('## Task type\n\nProcessing\n');
      expect(text).toContain('- docs/guide/**/*.md\n- slipbox/0_developer_guide/\n');
      expect(text).toContain(`\n\n${APPENDIX_LEAD}\n\n# Workflow inputs\n`);
      // The template's JSON example is text, not Liquid.
      expect(text).toContain('{"entry_point": "value.py"');
    });

    it('says plainly that no requirements were given when the workflow has none', async () => {
      const text = await createTemplateRenderer({ templatesDir: SEED_PROMPTS }).render(STEP1, {});
      expect(text).toContain('## Requirements\n\n(No requirements were given.)');
    });

    it('shows a plan its marker already fills only once', async () => {
      const text = await createTemplateRenderer({ templatesDir: SEED_PROMPTS }).render(STEP2, VARS);
      expect(occurrences(text, 'PLAN: # Implementation Plan')).toBe(1);
      expect(occurrences(text, 'REQ: add a CSV export command')).toBe(1);
      expect(text).not.toContain('## Implementation plan, version');
    });

    it('gets the inputs when it is plain text rather than Liquid', async () => {
      await writeFile(join(userDir, 'seed.md'), 'Avoid {%junk%}.\n## Plan\n[INJECT PLANNER OUTPUT HERE]\n');
      const text = await createTemplateRenderer({ templatesDir: userDir }).render('seed.md', VARS);
      expect(text.startsWith('Avoid {%junk%}.\n## Plan\nPLAN: # Implementation Plan: CSV export\n\n')).toBe(true);
      expect(occurrences(text, 'REQ: add a CSV export command')).toBe(1);
      expect(occurrences(text, 'PLAN:')).toBe(1);
    });

    it("gets the team's own _workflow_inputs partial", async () => {
      await writeFile(join(userDir, '_workflow_inputs.md'), 'TEAM INPUTS: {{ requirements }}');
      await writeFile(join(userDir, STEP1), 'Plan the step.');
      const text = await createTemplateRenderer({ templatesDir: userDir }).render(STEP1, { ...VARS, code: '' });
      expect(text).toBe(`Plan the step.\n\n${APPENDIX_LEAD}\n\nTEAM INPUTS: REQ: add a CSV export command`);
    });
  });

  describe('a template that already shows the requirements', () => {
    it.each([
      ['the seed marker', '## Requirements\n[INJECT STEP REQUIREMENTS HERE]\n'],
      ['a Liquid variable', '## Requirements\n{{ requirements }}\n'],
      ['a Liquid condition on it', '{% if requirements != blank %}{{ requirements }}{% endif %}\n'],
      ['the inputs partial', '{% include "_workflow_inputs" %}\n'],
      ["a team partial that uses it", '{% include "_team_inputs" %}\n'],
    ])('gets nothing appended when it uses %s', async (_what, template) => {
      await writeFile(join(userDir, '_team_inputs.md'), 'Build: {{ requirements }}');
      await writeFile(join(userDir, STEP1), template);
      const text = await createTemplateRenderer({ templatesDir: userDir }).render(STEP1, VARS);
      expect(occurrences(text, 'REQ: add a CSV export command')).toBe(1);
      expect(text).not.toContain(APPENDIX_LEAD);
    });

    it.each(BUILTINS)('gets nothing appended when it is the built-in %s', async (name) => {
      const text = await createTemplateRenderer().render(name, VARS);
      expect(occurrences(text, 'REQ: add a CSV export command')).toBe(1);
      expect(text).not.toContain(APPENDIX_LEAD);
    });
  });

  describe('template names', () => {
    it('uses step5a_three_level_… from templates_dir for step 5a', async () => {
      const renderer = createTemplateRenderer({ templatesDir: SEED_PROMPTS });
      const text = await renderer.render(STEP5A, VARS);
      expect(text).toMatch(/^# Step 5a: Three-Level Validation Agent Prompt Template\n/);
      const source = await renderer.source(STEP5A);
      expect(source).toMatchObject({ name: STEP5A, origin: 'user', path: join(SEED_PROMPTS, THREE_LEVEL) });
    });

    it('prefers the exact name when templates_dir has both', async () => {
      await writeFile(join(userDir, THREE_LEVEL), 'three {{ requirements }}');
      await writeFile(join(userDir, STEP5A), 'two {{ requirements }}');
      const renderer = createTemplateRenderer({ templatesDir: userDir });
      expect(await renderer.render(STEP5A, { requirements: 'R' })).toBe('two R');
      expect(await renderer.render(THREE_LEVEL, { requirements: 'R' })).toBe('three R');
    });

    it("finds the built-in under the parent project's name", async () => {
      const text = await createTemplateRenderer().render(THREE_LEVEL.replace(/\.md$/, ''), VARS);
      expect(text).toContain('# Step 5: two-level code review');
    });

    it('matches names across aliases and extensions, and nothing else', () => {
      expect(sameTemplate(STEP5A, 'step5a_three_level_validation_agent_prompt_template')).toBe(true);
      expect(sameTemplate('two_level_validation_agent_prompt_template.md', THREE_LEVEL)).toBe(true);
      expect(sameTemplate(STEP5A, BUILTINS[5]!)).toBe(false);
    });
  });

  describe('markers Converge does not fill', () => {
    it.each([
      ['a Liquid template', 'Plan: {{ plan }}\n\nPatterns:\n[INJECT DESIGN PATTERNS HERE]\n'],
      ['a plain-text template', 'Avoid {%junk%}.\n\nPatterns:\n[ inject design patterns here ]\n'],
    ])('refuse %s with TEMPLATE_ERROR naming the marker, the template and the line', async (_kind, template) => {
      await writeFile(join(userDir, STEP1), template);
      const error = await errorOf(createTemplateRenderer({ templatesDir: userDir }).render(STEP1, VARS));
      expect(error.code).toBe('TEMPLATE_ERROR');
      expect(error.message).toContain(STEP1);
      expect(error.message).toMatch(/\[ ?inject design patterns here ?\] \(line 4\)/i);
      expect(error.details).toMatchObject({ template: STEP1, file: join(userDir, STEP1), line: 4 });
      expect(error.hint).toContain('[INJECT STEP REQUIREMENTS HERE]');
    });

    it('keeps any marker inside {% raw %} as written', async () => {
      await writeFile(join(userDir, 'doc.md'), '{{ requirements }} {% raw %}[INJECT DESIGN PATTERNS HERE] [INJECT PLANNER OUTPUT HERE]{% endraw %}');
      const text = await createTemplateRenderer({ templatesDir: userDir }).render('doc.md', VARS);
      expect(text).toBe('REQ: add a CSV export command [INJECT DESIGN PATTERNS HERE] [INJECT PLANNER OUTPUT HERE]');
    });
  });
});

describe('README tables', () => {
  /** The rows of the table after the comment naming `source`, as cell texts. */
  async function tableAfter(source: string): Promise<string[][]> {
    const lines = (await readFile(join(ROOT, 'README.md'), 'utf8')).split('\n');
    const at = lines.findIndex((l) => l.startsWith('<!--') && l.includes(`checked against ${source} `));
    expect(at, `README has no table checked against ${source}`).toBeGreaterThan(-1);
    const rows: string[][] = [];
    for (const line of lines.slice(at + 3)) {
      if (!line.startsWith('|')) break;
      rows.push(line.replace(/^\| | \|$/g, '').split(' | '));
    }
    return rows;
  }

  it('lists every marker the renderer fills, with its variable and what it holds', async () => {
    expect(await tableAfter('SEED_MARKERS')).toEqual(SEED_MARKERS.map((m) => [`\`${m.marker}\``, `\`${m.variable}\``, m.filledWith]));
  });

  it('lists every group of template aliases', async () => {
    const code = (name: string) => `\`${name}.md\``;
    expect(await tableAfter('TEMPLATE_ALIASES')).toEqual(TEMPLATE_ALIASES.map(([first, ...rest]) => [code(first!), rest.map(code).join(', ')]));
  });
});
