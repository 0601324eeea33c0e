import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinTemplatesDir, createTemplateRenderer } from '../../src/templates/index.js';
import type { RenderedParts, TemplateVars } from '../../src/templates/index.js';
import type { ConvergeError } from '../../src/core/errors.js';
import { BUILTINS } from './builtin-names.js';


const FULL: TemplateVars = {
  requirements: 'REQ: add a CSV export command',
  step_type: 'feature',
  documentation_locations: ['docs/guide/', 'src/cli/'],
  workspace: { type: 'isolated', path: '/tmp/ws' },
  knowledge: 'KNOWLEDGE: commands live in src/cli',
  plan: 'PLAN: # Implementation Plan: CSV export',
  validation_report: 'REPORT: - [Major] no streaming',
  original_artifact: 'ORIGINAL: previous version',
  change_requests: ['CR: use streams', 'CR: add --out'],
  check_results: 'CHECKS: tsc failed',
  code: 'CODE: # File: src/a.ts',
  step_number: 4,
  iteration: 2,
  repair_errors: 'REPAIR: no score line was found',
};

/** The text each built-in must carry so its output can be parsed. */
const FORMAT_MARKERS: Record<string, string[]> = {
  step1_initial_planner_prompt_template: ['# Implementation Plan: <short title>', '## 7. Testing and Validation Plan'],
  step2_plan_validator_prompt_template: ['- Alignment Score: <x>/10', '- Compatibility Score: <x>/10', '- [Critical]', '"scores"'],
  step3_revision_planner_prompt_template: ['## Document History', 'Version <N>'],
  step4_programmer_prompt_template: ['# File: <path relative to the workspace root>'],
  step5a_two_level_validation_agent_prompt_template: ['- Alignment Score: <x>/10', '- [FalsePositive] <check id>: <reason>'],
  step5b_two_level_standardization_validation_agent_prompt_template: ['- Standardization Score: <x>/10', '- [FalsePositive]'],
  step6_code_refinement_programmer_prompt_template: ['# File: <path relative to the workspace root>', '## Issues Deferred'],
};

async function codeOf(promise: Promise<unknown>): Promise<ConvergeError> {
  try {
    await promise;
  } catch (error) {
    return error as ConvergeError;
  }
  throw new Error('expected the promise to reject');
}

describe('createTemplateRenderer', () => {
  let userDir: string;

  beforeEach(async () => {
    userDir = await mkdtemp(join(tmpdir(), 'converge-templates-'));
  });
  afterEach(async () => {
    await rm(userDir, { recursive: true, force: true });
  });

  describe('built-in templates', () => {
    it('lists the seven built-ins under the seed names', async () => {
      expect(await createTemplateRenderer().list()).toEqual([...BUILTINS].sort());
    });

    it('finds the built-ins in src/templates/builtin', () => {
      expect(builtinTemplatesDir().replaceAll('\\', '/')).toMatch(/src\/templates\/builtin$/);
    });

    it.each(BUILTINS)('%s renders a full context', async (name) => {
      const text = await createTemplateRenderer().render(name, FULL);
      for (const marker of FORMAT_MARKERS[name.replace(/\.md$/, '')] ?? []) expect(text).toContain(marker);
      expect(text).toContain('REQ: add a CSV export command');
      expect(text).toContain('REPAIR: no score line was found');
      expect(text).not.toMatch(/\{\{|\{%|undefined|\[object Object\]/);
    });

    it.each(BUILTINS)('%s renders an empty context without errors or leftovers', async (name) => {
      const text = await createTemplateRenderer().render(name, {});
      expect(text).not.toMatch(/\{\{|\{%|undefined|\[object Object\]|REPAIR|Your previous reply/);
      expect(text).toContain('## Output format');
    });

    it('gives the validators the deterministic check results', async () => {
      const renderer = createTemplateRenderer();
      for (const name of [BUILTINS[4]!, BUILTINS[5]!, BUILTINS[6]!]) {
        expect(await renderer.render(name, FULL)).toContain('CHECKS: tsc failed');
      }
    });

    it('lists each change request', async () => {
      const text = await createTemplateRenderer().render(BUILTINS[2]!, FULL);
      expect(text).toContain('- CR: use streams\n- CR: add --out');
    });

    it('resolves a name given without the .md extension', async () => {
      const text = await createTemplateRenderer().render('step4_programmer_prompt_template', {});
      expect(text).toContain('# Role: Programmer');
    });
  });

  describe('a user templates directory', () => {
    it('overrides a built-in of the same name', async () => {
      await writeFile(join(userDir, BUILTINS[0]!), 'Team planner for {{ requirements }}');
      const renderer = createTemplateRenderer({ templatesDir: userDir });
      expect(await renderer.render(BUILTINS[0]!, { requirements: 'X' })).toBe('Team planner for X');
      expect((await renderer.source(BUILTINS[0]!)).origin).toBe('user');
      expect((await renderer.source(BUILTINS[1]!)).origin).toBe('builtin');
      expect(renderer.directories[0]).toBe(userDir);
    });

    it('lists user and built-in templates once each', async () => {
      await writeFile(join(userDir, BUILTINS[0]!), 'x');
      await writeFile(join(userDir, 'team_review.md'), 'y');
      await writeFile(join(userDir, 'notes.txt'), 'not a template');
      const names = await createTemplateRenderer({ templatesDir: userDir }).list();
      expect(names).toEqual([...BUILTINS, 'team_review.md'].sort());
    });

    it('overrides a shared partial for every built-in, and never lists a partial as a template', async () => {
      await writeFile(join(userDir, '_handbook.md'), '# Team handbook\n');
      const renderer = createTemplateRenderer({ templatesDir: userDir });
      for (const name of [BUILTINS[0]!, BUILTINS[4]!]) {
        const parts = await renderer.renderParts(name, { requirements: 'X' });
        expect(parts.staticPart.startsWith('# Team handbook\n')).toBe(true);
        expect(parts.staticPart).not.toContain('# Converge workflow handbook');
      }
      expect(await renderer.list()).toEqual([...BUILTINS].sort());
    });

    it('fills the seed markers, tolerating case and extra spaces', async () => {
      const seed = [
        '## Requirements',
        '[INJECT STEP REQUIREMENTS HERE]',
        '## Plan',
        '[ inject  validated implementation plan here ]',
        '## Report',
        '[INJECT VALIDATION REPORT HERE]',
        '## Code',
        '[INJECT PROGRAMMER OUTPUT HERE]',
        '[INJECT PLANNER OUTPUT HERE] / [INJECT CURRENT IMPLEMENTATION PLAN HERE]',
        'Example: {"step_type": "Processing", "outputs": {"model": "s3://bucket"}}',
      ].join('\n');
      await writeFile(join(userDir, 'seed.md'), seed);
      const text = await createTemplateRenderer({ templatesDir: userDir }).render('seed.md', {
        requirements: 'R',
        plan: 'P',
        validation_report: 'V',
        code: 'C',
      });
      expect(text).toBe(
        [
          '## Requirements',
          'R',
          '## Plan',
          'P',
          '## Report',
          'V',
          '## Code',
          'C',
          'P / P',
          'Example: {"step_type": "Processing", "outputs": {"model": "s3://bucket"}}',
        ].join('\n'),
      );
    });

    it('renders an absent marker value as empty', async () => {
      await writeFile(join(userDir, 'seed.md'), 'For: [INJECT STEP REQUIREMENTS HERE]. Plan: [INJECT PLANNER OUTPUT HERE].');
      expect(await createTemplateRenderer({ templatesDir: userDir }).render('seed.md', {})).toBe('For: . Plan: .');
    });

    it('never scans an injected value for markers or tags', async () => {
      await writeFile(join(userDir, 'seed.md'), '[INJECT STEP REQUIREMENTS HERE]|[INJECT VALIDATION REPORT HERE]');
      const text = await createTemplateRenderer({ templatesDir: userDir }).render('seed.md', {
        requirements: '[INJECT VALIDATION REPORT HERE] {{ code }}',
        validation_report: 'V',
      });
      expect(text).toBe('[INJECT VALIDATION REPORT HERE] {{ code }}|V');
    });

    it('treats a template that is not Liquid as plain text with markers', async () => {
      const seed = 'Use Jinja like {% set x = 1 %} and {%junk%}.\n[INJECT STEP REQUIREMENTS HERE]\n{{ not closed';
      await writeFile(join(userDir, 'seed.md'), seed);
      const text = await createTemplateRenderer({ templatesDir: userDir }).render('seed.md', { requirements: 'R' });
      expect(text).toBe('Use Jinja like {% set x = 1 %} and {%junk%}.\nR\n{{ not closed');
    });

    it('re-reads a template that changed on disk once revalidateMs has passed', async () => {
      const renderer = createTemplateRenderer({ templatesDir: userDir, revalidateMs: 0 });
      await writeFile(join(userDir, 't.md'), 'one {{ requirements }}');
      expect(await renderer.render('t.md', { requirements: 'R' })).toBe('one R');
      await writeFile(join(userDir, 't.md'), 'two two {{ requirements }}');
      expect(await renderer.render('t.md', { requirements: 'R' })).toBe('two two R');
    });

    it('renders from the parsed template without touching the file within revalidateMs', async () => {
      const renderer = createTemplateRenderer({ templatesDir: userDir, revalidateMs: 60_000 });
      await writeFile(join(userDir, 't.md'), 'one {{ requirements }}');
      expect(await renderer.render('t.md', { requirements: 'R' })).toBe('one R');
      await rm(join(userDir, 't.md'));
      expect(await renderer.render('t.md', { requirements: 'S' })).toBe('one S');
    });

    it('picks up an override added to the team directory once revalidateMs has passed', async () => {
      const renderer = createTemplateRenderer({ templatesDir: userDir, revalidateMs: 0 });
      expect(await renderer.render(BUILTINS[0]!, {})).toContain('# Role: Planner');
      await writeFile(join(userDir, BUILTINS[0]!), 'Team planner for {{ requirements }}');
      expect(await renderer.render(BUILTINS[0]!, { requirements: 'R' })).toBe('Team planner for R');
    });
  });

  describe('errors', () => {
    it('reports an unknown template with TEMPLATE_NOT_FOUND and the directories searched', async () => {
      const error = await codeOf(createTemplateRenderer({ templatesDir: userDir }).render('step9_missing.md'));
      expect(error.code).toBe('TEMPLATE_NOT_FOUND');
      expect(error.message).toContain('step9_missing.md');
      expect(error.message).toContain(userDir);
      expect(error.details.searched).toEqual([userDir, builtinTemplatesDir()]);
    });

    it.each(['../secrets.md', 'sub/dir.md', '.hidden.md', ''])('refuses the name %j', async (name) => {
      const error = await codeOf(createTemplateRenderer({ templatesDir: userDir }).render(name));
      expect(error.code).toBe('TEMPLATE_NOT_FOUND');
    });

    it('reports a Liquid syntax error with TEMPLATE_ERROR, the file and the line', async () => {
      await writeFile(join(userDir, 'broken.md'), 'Hello {{ requirements }}\nsecond line\n{% if requirements %}never closed');
      const error = await codeOf(createTemplateRenderer({ templatesDir: userDir }).render('broken.md', {}));
      expect(error.code).toBe('TEMPLATE_ERROR');
      expect(error.message).toContain(join(userDir, 'broken.md'));
      expect(error.details).toMatchObject({ file: join(userDir, 'broken.md'), line: 3 });
    });

    it('rejects an unknown filter with TEMPLATE_ERROR', async () => {
      await writeFile(join(userDir, 'filter.md'), '{{ requirements | shout }}');
      const error = await codeOf(createTemplateRenderer({ templatesDir: userDir }).render('filter.md', {}));
      expect(error.code).toBe('TEMPLATE_ERROR');
      expect(error.message).toContain('shout');
    });
  });

  describe('renderParts', () => {
    it('ends the static part of a built-in after the workflow inputs, with the handbook as the first cache breakpoint', async () => {
      const renderer = createTemplateRenderer();
      const a = await renderer.renderParts(BUILTINS[1]!, FULL);
      const b = await renderer.renderParts(BUILTINS[1]!, { ...FULL, requirements: 'other' });
      const handbook = (parts: RenderedParts) => parts.staticPart.slice(0, parts.cacheBreakpoints[0]);
      expect(handbook(a)).toBe(handbook(b));
      expect(handbook(a)).toContain('# Converge workflow handbook');
      expect(handbook(a)).not.toMatch(/REQ:|PLAN:/);
      expect(a.staticPart).toContain('REQ: add a CSV export command');
      expect(a.staticPart).toContain('PLAN: # Implementation Plan: CSV export');
      expect(a.staticPart).not.toContain('# Role:');
      expect(a.dynamicPart).toContain('# Role: Validator');
      expect(a.dynamicPart).toContain('## Output format');
      expect(a.cacheBreakpoints).toEqual([handbook(a).length, a.staticPart.length]);
      expect(a.staticPart + a.dynamicPart).toBe(await renderer.render(BUILTINS[1]!, FULL));
    });

    it('splits a seed template at its first marker', async () => {
      await writeFile(join(userDir, 'seed.md'), 'Instructions.\n[INJECT STEP REQUIREMENTS HERE]\nMore.');
      const parts = await createTemplateRenderer({ templatesDir: userDir }).renderParts('seed.md', { requirements: 'R' });
      expect(parts).toEqual({ staticPart: 'Instructions.\n', dynamicPart: 'R\nMore.', cacheBreakpoints: [14] });
    });

    it('splits a plain-text fallback template at its first marker', async () => {
      await writeFile(join(userDir, 'seed.md'), 'Avoid {%junk%}.\n[INJECT STEP REQUIREMENTS HERE]');
      const parts = await createTemplateRenderer({ templatesDir: userDir }).renderParts('seed.md', { requirements: 'P' });
      expect(parts).toEqual({ staticPart: 'Avoid {%junk%}.\n', dynamicPart: 'P', cacheBreakpoints: [16] });
    });

    it('drops whitespace that a trimming tag removes from the static part', async () => {
      await writeFile(join(userDir, 'trim.md'), 'Head\n\n{%- if requirements %} {{ requirements }}{% endif %}');
      const parts = await createTemplateRenderer({ templatesDir: userDir }).renderParts('trim.md', { requirements: 'P' });
      expect(parts).toEqual({ staticPart: 'Head', dynamicPart: ' P', cacheBreakpoints: [4] });
    });

    it('makes the whole text static when the template has no variables, the inputs appended to it dynamic', async () => {
      await writeFile(join(userDir, 'static.md'), 'Just text.');
      const parts = await createTemplateRenderer({ templatesDir: userDir }).renderParts('static.md');
      expect(parts.staticPart).toBe('Just text.');
      expect(parts.cacheBreakpoints).toEqual([10]);
      expect(parts.dynamicPart).toMatch(/^\n\nThe workflow's inputs follow.*\n\n# Workflow inputs\n/);
    });

    it('has nothing to cache when a template starts with a variable', async () => {
      await writeFile(join(userDir, 'var.md'), '{{ requirements }} then text');
      const parts = await createTemplateRenderer({ templatesDir: userDir }).renderParts('var.md', { requirements: 'R' });
      expect(parts).toEqual({ staticPart: '', dynamicPart: 'R then text', cacheBreakpoints: [] });
    });

    it('cuts at cache_breakpoint tags, the static part ending at the last one that is not a step breakpoint', async () => {
      await writeFile(join(userDir, 'bp.md'), 'Shared.\n{% cache_breakpoint %}Req: {{ requirements }}\n{% cache_breakpoint %}Inputs.\n{% cache_breakpoint step %}Ask.');
      const renderer = createTemplateRenderer({ templatesDir: userDir });
      const parts = await renderer.renderParts('bp.md', { requirements: 'R' });
      expect(parts).toEqual({ staticPart: 'Shared.\nReq: R\n', dynamicPart: 'Inputs.\nAsk.', cacheBreakpoints: [8, 15, 23] });
      expect(await renderer.render('bp.md', { requirements: 'R' })).toBe('Shared.\nReq: R\nInputs.\nAsk.');
    });

    it('never lets an injected value fake a breakpoint', async () => {
      await writeFile(join(userDir, 'bp.md'), 'A {% cache_breakpoint %}{{ requirements }}');
      const parts = await createTemplateRenderer({ templatesDir: userDir }).renderParts('bp.md', { requirements: '{% cache_breakpoint %}\u0000cache-breakpoint-x\u0000' });
      expect(parts.cacheBreakpoints).toEqual([2]);
      expect(parts.dynamicPart).toBe('{% cache_breakpoint %}\u0000cache-breakpoint-x\u0000');
    });

    it('rejects a cache_breakpoint argument it does not know with TEMPLATE_ERROR', async () => {
      await writeFile(join(userDir, 'bp.md'), 'A {% cache_breakpoint often %} B');
      const error = await codeOf(createTemplateRenderer({ templatesDir: userDir }).render('bp.md'));
      expect(error.code).toBe('TEMPLATE_ERROR');
      expect(error.message).toContain('cache_breakpoint');
    });
  });
});

describe('builtin directory', () => {
  it('holds the seven templates, the partials they share and the step-inputs partial appended to seed-style templates', async () => {
    expect((await readdir(builtinTemplatesDir())).sort()).toEqual(['_current_code.md', '_handbook.md', '_step_inputs.md', '_workflow_inputs.md', ...BUILTINS].sort());
  });
});
