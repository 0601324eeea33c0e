/**
 * How the built-in prompts are laid out for caching and how little they repeat: the handbook
 * first and identical for every role, then the workflow's inputs, then the step's; each input
 * once; the compact forms the templates use (reference material without the files shown as code,
 * the report a reviser needs, check output without repeated lines). The seed-port fixture, the
 * templates as first shipped (the token benchmark's former baseline), stays renderable.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ToolResult, ValidationReport } from '../../src/core/records.js';
import type { WorkflowState } from '../../src/core/state.js';
import { formatFindings, promptInputs, withoutRepeatedOutput } from '../../src/engine/prompt-inputs.js';
import { formatSection } from '../../src/knowledge/context-selection.js';
import { createTemplateRenderer } from '../../src/templates/index.js';
import type { RenderedParts, TemplateVars } from '../../src/templates/index.js';
import { Run, planReport } from '../core/helpers.js';
import { BUILTINS } from './builtin-names.js';

const SEED_PORT = join(import.meta.dirname, '..', '..', 'bench', 'fixtures', 'seed-port');

const PLAN = '# Implementation Plan: CSV export\n\n## 1. Overview\nAdd `exportCsv` in src/export.ts.';
const CODE_V1 = 'export function exportCsv(): string {\n  return 42;\n}';
const TEST_V1 = "import { exportCsv } from '../src/export.js';\n// tests of exportCsv";
const GUIDE = 'Commands live in src/cli and are registered in src/cli/index.ts.';
const TSC_ERROR = "src/export.ts(2,3): error TS2322: Type 'number' is not assignable to type 'string'.";

/** The knowledge the step would get: a guide section and a section of the file the code changes. */
const KNOWLEDGE = [
  formatSection({ path: 'docs/guide.md', title: 'Commands', text: GUIDE }),
  formatSection({ path: 'src/export.ts', title: 'lines 1–3', text: CODE_V1 }),
].join('\n\n');

const CHECKS: ToolResult[] = [
  { toolId: 'tsc', status: 'failed', level: 2, required: true, summary: 'failed with exit code 2', issues: [], durationMs: 1, output: TSC_ERROR },
  {
    toolId: 'tests',
    status: 'failed',
    level: 2,
    required: true,
    summary: 'compilation failed',
    issues: [],
    durationMs: 1,
    output: `${TSC_ERROR}\nrun-tests: TypeScript compilation failed; tests were not run.`,
  },
];

const CODE_REPORT: ValidationReport = {
  kind: 'code',
  scoreCard: { dimensions: { alignment: 6, standardization: 8 }, missing: [] },
  issues: [
    { severity: 'minor', source: 'llm', level: 1, message: 'src/export.ts:1 the JSDoc is missing' },
    { severity: 'critical', source: 'llm', level: 1, message: 'exportCsv returns a number', location: { file: 'src/export.ts', line: 2 } },
    { severity: 'major', source: 'tool:lint', level: 2, message: 'unused import', falsePositive: { reason: 'generated file' } },
  ],
  toolResults: CHECKS,
  summary: '- Alignment Score: 6.0/10\n- Overall Assessment: FAIL\n\nThe type-check fails, so the tests never ran.',
};

/** A workflow that has reached `stepId`, with a plan, code with content, and a failing code review. */
function workflowAt(stepId: 'revise_plan' | 'implement' | 'validate_code' | 'refine_code'): { run: Run; state: WorkflowState } {
  const run = new Run(undefined, { requirements: 'REQ: add a CSV export command', workspace: { path: '/repo', type: 'shared' } });
  run.produce('plan', PLAN).validate('validate_plan', planReport({ alignment: 7, standardization: 8, compatibility: 8 }, { critical: 1 }));
  if (stepId === 'revise_plan') return { run: run.schedule('revise_plan'), state: run.state() };
  run.produce('revise_plan', PLAN).validate('validate_plan', planReport({ alignment: 9.2, standardization: 8.5, compatibility: 8.8 }));
  run.askGate('plan_approval', 'validate_plan').answerGate('approve');
  if (stepId === 'implement') return { run: run.schedule('implement'), state: run.state() };
  run.schedule('implement');
  const action = run.state().runs.at(-1)!.actionId;
  run.push({
    type: 'step_output_recorded',
    at: '',
    actionId: action,
    output: {
      artifact: 'code',
      content: 'summary',
      files: [
        { path: 'src/export.ts', action: 'create', content: CODE_V1 },
        { path: 'test/export.test.ts', action: 'create', content: TEST_V1 },
      ],
    },
  });
  run.schedule('validate_code');
  run.push({ type: 'checks_recorded', at: '', actionId: run.state().runs.at(-1)!.actionId, results: CHECKS });
  if (stepId === 'validate_code') return { run, state: run.state() };
  run.report(CODE_REPORT).schedule('refine_code');
  return { run, state: run.state() };
}

function inputsAt(stepId: Parameters<typeof workflowAt>[0]): TemplateVars {
  const { state } = workflowAt(stepId);
  return promptInputs(state.definition, state, state.runs.at(-1)!, KNOWLEDGE);
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('the built-in prompt layout', () => {
  it('starts every built-in with the same handbook, whatever the inputs', async () => {
    const renderer = createTemplateRenderer();
    const handbooks = new Set<string>();
    for (const name of BUILTINS) {
      for (const vars of [{}, inputsAt('refine_code'), inputsAt('revise_plan')]) {
        const parts = await renderer.renderParts(name, vars);
        handbooks.add(parts.staticPart.slice(0, parts.cacheBreakpoints[0]));
      }
    }
    expect(handbooks.size).toBe(1);
    const [handbook] = [...handbooks];
    expect(handbook).toMatch(/^# Converge workflow handbook\n/);
    expect(handbook).not.toMatch(/\{\{|\{%|REQ:/);
  });

  it('gives every built-in the same static part for the same workflow: handbook and workflow inputs', async () => {
    const renderer = createTemplateRenderer();
    const vars = inputsAt('refine_code');
    const statics = new Set<string>();
    for (const name of BUILTINS) statics.add((await renderer.renderParts(name, vars)).staticPart);
    expect(statics.size).toBe(1);
    const [staticPart] = [...statics];
    expect(staticPart).toContain('REQ: add a CSV export command');
    expect(staticPart).toContain('## Implementation plan, version 2');
    expect(staticPart).toContain(PLAN);
    expect(staticPart).not.toContain(CODE_V1);
  });

  it('lets the two code reviews share their inputs up to a step breakpoint, then differ only in their instructions', async () => {
    const renderer = createTemplateRenderer();
    const vars = inputsAt('validate_code');
    const a = await renderer.renderParts(BUILTINS[4]!, vars);
    const b = await renderer.renderParts(BUILTINS[5]!, vars);
    expect(a.cacheBreakpoints).toHaveLength(4);
    const shared = (p: RenderedParts) => (p.staticPart + p.dynamicPart).slice(0, p.cacheBreakpoints[3]);
    expect(shared(a)).toBe(shared(b));
    expect(shared(a)).toContain(CODE_V1);
    expect(shared(a)).toContain('## Review report format');
    expect(a.staticPart).toBe(b.staticPart);
    expect(a.dynamicPart.slice(a.cacheBreakpoints[3]! - a.staticPart.length)).toMatch(/^\n# Role: Validator — code alignment review/);
    expect(b.dynamicPart.slice(b.cacheBreakpoints[3]! - b.staticPart.length)).toMatch(/^\n# Role: Validator — code standardization review/);
  });

  it('puts the code right after the workflow inputs in the reviews and the refinement after them, so all three share it as a cached prefix', async () => {
    const renderer = createTemplateRenderer();
    const review = await renderer.renderParts(BUILTINS[4]!, inputsAt('validate_code'));
    const refine = await renderer.renderParts(BUILTINS[6]!, inputsAt('refine_code'));
    const upToCode = (p: RenderedParts) => (p.staticPart + p.dynamicPart).slice(0, p.cacheBreakpoints[2]);
    expect(upToCode(refine)).toBe(upToCode(review));
    expect(upToCode(review).slice(review.staticPart.length)).toMatch(/^\n# Current code\n\n# File: src\/export\.ts\n/);
    expect(upToCode(review)).toContain(TEST_V1);
    // Each prompt still shows the code once, and says what to do when there is none.
    const full = (p: RenderedParts) => p.staticPart + p.dynamicPart;
    expect(occurrences(full(review), CODE_V1)).toBe(1);
    expect(occurrences(full(refine), CODE_V1)).toBe(1);
    const empty = { ...inputsAt('refine_code'), code: '', original_artifact: '' };
    expect(await renderer.render(BUILTINS[6]!, empty)).toContain('(The current files were not provided.');
    expect(await renderer.render(BUILTINS[4]!, empty)).toContain('(No code was provided. Report this as a Critical issue');
  });

  it.each([
    ['revise_plan', [BUILTINS[2]!]],
    ['implement', [BUILTINS[3]!]],
    ['validate_code', [BUILTINS[4]!, BUILTINS[5]!]],
    ['refine_code', [BUILTINS[5 + 1]!]],
  ] as const)('shows no input twice at %s', async (stepId, templates) => {
    const renderer = createTemplateRenderer();
    const vars = inputsAt(stepId);
    for (const name of templates) {
      const text = await renderer.render(name, vars);
      for (const part of [PLAN, CODE_V1, TEST_V1, GUIDE, 'REQ: add a CSV export command', 'exportCsv returns a number', TSC_ERROR]) {
        expect(occurrences(text, part), `${name}: ${part.slice(0, 30)}`).toBeLessThanOrEqual(1);
      }
      expect(text).toContain(GUIDE);
    }
  });

  it('keeps the knowledge about code files in plan steps, where the code is not shown', async () => {
    const vars = inputsAt('revise_plan');
    expect(vars.reference_material).toBe(KNOWLEDGE);
    expect(await createTemplateRenderer().render(BUILTINS[2]!, vars)).toContain(CODE_V1);
  });

  it('gives a refinement the report it needs, not the whole report', async () => {
    const vars = inputsAt('refine_code');
    const text = await createTemplateRenderer().render(BUILTINS[6]!, vars);
    expect(text).toContain(vars.validation_findings as string);
    expect(text).not.toContain('## Validation report (code)');
  });
});

describe('formatFindings', () => {
  const text = formatFindings(CODE_REPORT);

  it('lists the scores, then the open issues most severe first, then the false positives', () => {
    expect(text).toMatch(/^- Alignment Score: 6\/10\n- Standardization Score: 8\/10\n/);
    const critical = text.indexOf('- [Critical] src/export.ts:2 exportCsv returns a number');
    const minor = text.indexOf('- [Minor] src/export.ts:1 the JSDoc is missing');
    expect(critical).toBeGreaterThan(0);
    expect(minor).toBeGreaterThan(critical);
    expect(text).toContain('### False positives (no fix needed)\n- [Major] (tool:lint) unused import — generated file');
  });

  it("keeps the reviewers' notes without the score lines it already lists", () => {
    expect(text).toContain('### Reviewer notes\nThe type-check fails, so the tests never ran.');
    expect(text).not.toContain('6.0/10');
    expect(text).not.toContain('Overall Assessment');
  });

  it('shows the checks once, a repeated output line only under the first check', () => {
    expect(occurrences(text, TSC_ERROR)).toBe(1);
    expect(text).toContain('(1 line shown above under tsc left out)\nrun-tests: TypeScript compilation failed; tests were not run.');
  });
});

describe('withoutRepeatedOutput', () => {
  it('leaves passing checks, short lines and a check repeating itself alone', () => {
    const results: ToolResult[] = [
      { ...CHECKS[0]!, output: `${TSC_ERROR}\n}\n${TSC_ERROR}` },
      { ...CHECKS[1]!, status: 'passed', output: TSC_ERROR },
      { ...CHECKS[1]!, toolId: 'lint', output: '}\nall good here, nothing to say' },
    ];
    expect(withoutRepeatedOutput(results)).toEqual(results);
  });
});

describe('the seed-port fixture (the templates as first shipped)', () => {
  it('holds the seven templates, which still render every input in full', async () => {
    expect((await readdir(SEED_PORT)).sort()).toEqual([...BUILTINS].sort());
    const renderer = createTemplateRenderer({ templatesDir: SEED_PORT });
    const vars = inputsAt('refine_code');
    const text = await renderer.render(BUILTINS[6]!, vars);
    expect(text).toMatch(/^# Role: Programmer — code refinement/);
    expect(text).toContain(vars.validation_report as string);
    expect(text).toContain(KNOWLEDGE);
    expect(occurrences(text, CODE_V1)).toBe(2);
  });
});
