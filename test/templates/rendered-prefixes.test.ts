/**
 * The renderer reuses the text it rendered before a template's breakpoints (the handbook, the
 * workflow's inputs) while the inputs that text read are unchanged. What it returns must be
 * byte for byte what a whole render gives (the renderer with reusePrefixes: false, which renders
 * every template whole as before), and a changed input must always be rendered again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../../src/core/records.js';
import { promptInputs } from '../../src/engine/prompt-inputs.js';
import { createTemplateRenderer } from '../../src/templates/index.js';
import type { TemplateRenderer, TemplateVars } from '../../src/templates/index.js';
import { Run, planReport } from '../core/helpers.js';
import { BUILTINS } from './builtin-names.js';

const PLAN_V1 = '# Implementation Plan: CSV export\n\n## 1. Overview\nAdd `exportCsv` in src/export.ts.';
const PLAN_V2 = `${PLAN_V1}\n\n## 7. Testing\nA test of the header row.`;
const CODE_REPORT: ValidationReport = {
  kind: 'code',
  scoreCard: { dimensions: { alignment: 6, standardization: 8 }, missing: [] },
  issues: [{ severity: 'critical', source: 'llm', level: 1, message: 'exportCsv returns a number', location: { file: 'src/export.ts', line: 2 } }],
  toolResults: [{ toolId: 'tsc', status: 'failed', level: 2, required: true, summary: 'failed', issues: [], durationMs: 1, output: 'src/export.ts(2,3): error TS2322' }],
  summary: '- Alignment Score: 6.0/10\n- Overall Assessment: FAIL',
};

/** The inputs of every step of a workflow of the seven-step story, in the order they run. */
function storyInputs(requirements: string): Array<{ template: string; vars: TemplateVars }> {
  const run = new Run(undefined, { requirements, workspace: { path: '/repo', type: 'isolated' } });
  const steps: Array<{ template: string; vars: TemplateVars }> = [];
  const at = (template: string) => {
    const state = run.state();
    steps.push({ template, vars: promptInputs(state.definition, state, state.runs.at(-1)!, '### docs/guide.md\n\nCommands live in src/cli.') });
  };
  run.schedule('plan');
  at(BUILTINS[0]!);
  run.produce('plan', PLAN_V1).schedule('validate_plan');
  at(BUILTINS[1]!);
  run.validate('validate_plan', planReport({ alignment: 7, standardization: 8, compatibility: 8 }, { critical: 1 })).schedule('revise_plan');
  at(BUILTINS[2]!);
  run.produce('revise_plan', PLAN_V2).schedule('validate_plan');
  at(BUILTINS[1]!);
  run.validate('validate_plan', planReport({ alignment: 9.2, standardization: 8.5, compatibility: 8.8 }));
  run.askGate('plan_approval', 'validate_plan').answerGate('approve').schedule('implement');
  at(BUILTINS[3]!);
  run.push({
    type: 'step_output_recorded',
    at: '',
    actionId: run.state().runs.at(-1)!.actionId,
    output: { artifact: 'code', content: 'summary', files: [{ path: 'src/export.ts', action: 'create', content: 'export const x = 1;\n' }] },
  });
  run.schedule('validate_code');
  at(BUILTINS[4]!);
  at(BUILTINS[5]!);
  run.report(CODE_REPORT).schedule('refine_code');
  at(BUILTINS[6]!);
  return steps;
}

describe('rendered prefixes', () => {
  let userDir: string;

  beforeEach(async () => {
    userDir = await mkdtemp(join(tmpdir(), 'converge-prefixes-'));
  });
  afterEach(async () => {
    await rm(userDir, { recursive: true, force: true });
  });

  async function both(renderer: TemplateRenderer, whole: TemplateRenderer, template: string, vars: TemplateVars): Promise<void> {
    expect(await renderer.renderParts(template, vars)).toEqual(await whole.renderParts(template, vars));
    expect(await renderer.render(template, vars)).toBe(await whole.render(template, vars));
  }

  it('renders every step of two interleaved workflows byte for byte as a whole render does', async () => {
    const renderer = createTemplateRenderer();
    const whole = createTemplateRenderer({ reusePrefixes: false });
    const a = storyInputs('REQ A: add a CSV export command');
    const b = storyInputs('REQ B: add a JSON export command');
    for (let i = 0; i < a.length; i++) {
      await both(renderer, whole, a[i]!.template, a[i]!.vars);
      await both(renderer, whole, b[i]!.template, b[i]!.vars);
      // Again, now from the kept prefixes.
      await both(renderer, whole, a[i]!.template, a[i]!.vars);
    }
    // Every template with every step's inputs, in reverse: prefixes kept for one step serve another only if equal.
    for (const step of [...a, ...b].reverse()) for (const template of BUILTINS) await both(renderer, whole, template, step.vars);
  });

  it('renders again when an input the prefix showed changes, also when the caller changed an array in place', async () => {
    const renderer = createTemplateRenderer();
    const vars = storyInputs('REQ: first')[1]!.vars;
    const first = await renderer.renderParts(BUILTINS[1]!, vars);
    expect(first.staticPart).toContain('REQ: first');

    const changed = { ...vars, requirements: 'REQ: second' };
    const second = await renderer.renderParts(BUILTINS[1]!, changed);
    expect(second.staticPart).toContain('REQ: second');
    expect(second.staticPart).not.toContain('REQ: first');

    const locations = ['docs/'];
    const withDocs = { ...changed, documentation_locations: locations };
    expect((await renderer.renderParts(BUILTINS[1]!, withDocs)).staticPart).toContain('- docs/\n');
    locations.push('api/');
    expect((await renderer.renderParts(BUILTINS[1]!, withDocs)).staticPart).toContain('- docs/\n- api/\n');

    const moved = { ...withDocs, workspace: { type: 'shared', path: '/elsewhere' } };
    expect((await renderer.renderParts(BUILTINS[1]!, moved)).staticPart).toContain('Root: `/elsewhere`');
    expect(await renderer.renderParts(BUILTINS[1]!, { ...moved, plan: 'PLAN: v9' })).toEqual(
      await createTemplateRenderer({ reusePrefixes: false }).renderParts(BUILTINS[1]!, { ...moved, plan: 'PLAN: v9' }),
    );
  });

  it('counts an input read through a partial or a [name] lookup as one the prefix depends on', async () => {
    await writeFile(join(userDir, '_inner.md'), 'Inner {{ deep }}.');
    await writeFile(join(userDir, 'lookup.md'), '{{ [which] }} {% include "_inner" %}\n{% cache_breakpoint %}{{ requirements }}');
    const renderer = createTemplateRenderer({ templatesDir: userDir });
    expect(await renderer.render('lookup.md', { which: 'a', a: 'one', deep: 'x', requirements: 'R' })).toBe('one Inner x.\nR');
    expect(await renderer.render('lookup.md', { which: 'a', a: 'two', deep: 'x', requirements: 'R' })).toBe('two Inner x.\nR');
    expect(await renderer.render('lookup.md', { which: 'a', a: 'two', deep: 'y', requirements: 'R' })).toBe('two Inner y.\nR');
    expect(await renderer.render('lookup.md', { which: 'b', a: 'two', b: 'three', deep: 'y', requirements: 'R' })).toBe('three Inner y.\nR');
  });

  it('keeps the state a prefix leaves (variables, for offsets, cycle positions) and reuses it only after the same state', async () => {
    await writeFile(
      join(userDir, 'state.md'),
      '{% assign who = requirements %}{% cycle "a", "b" %}{% for x in list limit:1 %}{{ x }}{% endfor %}\n' +
        '{% cache_breakpoint %}Hi {{ who }}.\n{% cache_breakpoint %}{% cycle "a", "b" %}{% for x in list offset:continue %}{{ x }}{% endfor %} {{ requirements }}',
    );
    const renderer = createTemplateRenderer({ templatesDir: userDir });
    const whole = createTemplateRenderer({ templatesDir: userDir, reusePrefixes: false });
    for (const requirements of ['R1', 'R1', 'R2', 'R1']) {
      const text = await renderer.render('state.md', { requirements, list: [1, 2, 3] });
      expect(text).toBe(await whole.render('state.md', { requirements, list: [1, 2, 3] }));
      expect(text).toBe(`a1\nHi ${requirements}.\nb23 ${requirements}`);
    }
  });

  it('never reuses a prefix that changes the inputs themselves', async () => {
    await writeFile(join(userDir, 'count.md'), '{% increment n %}\n{% cache_breakpoint %}{% increment n %} {{ requirements }}');
    const renderer = createTemplateRenderer({ templatesDir: userDir });
    for (let i = 0; i < 3; i++) expect(await renderer.render('count.md', { requirements: 'R' })).toBe('0\n1 R');
  });

  it('forgets the prefixes of a template that changed on disk', async () => {
    await writeFile(join(userDir, 'edit.md'), 'Version one.{% cache_breakpoint %}{{ requirements }}');
    const renderer = createTemplateRenderer({ templatesDir: userDir, revalidateMs: 0 });
    expect(await renderer.render('edit.md', { requirements: 'R' })).toBe('Version one.R');
    await writeFile(join(userDir, 'edit.md'), 'Version two, longer.{% cache_breakpoint %}{{ requirements }}');
    expect(await renderer.render('edit.md', { requirements: 'R' })).toBe('Version two, longer.R');
  });
});
