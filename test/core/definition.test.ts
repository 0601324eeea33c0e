/**
 * parseDefinition: the built-in seven-step definition, and how an invalid definition is reported —
 * every problem at once, each named by its path in the document.
 */
import { describe, expect, it } from 'vitest';
import { COMPLETE } from '../../src/core/definition-schema.js';
import { parseDefinition } from '../../src/core/definition.js';
import { isConvergeError } from '../../src/core/errors.js';
import type { ConvergeError } from '../../src/core/errors.js';
import { sevenStep, sevenStepDocument } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function problemsOf(edit: (doc: any) => void): ConvergeError {
  const doc = sevenStepDocument();
  edit(doc);
  try {
    parseDefinition(doc, 'my-workflow.yaml');
  } catch (error) {
    if (isConvergeError(error)) return error;
    throw error;
  }
  throw new Error('test: the definition parsed');
}

function paths(error: ConvergeError): string[] {
  return (error.details.problems as Array<{ path: string }>).map((p) => p.path);
}

describe('parseDefinition › the built-in seven-step definition', () => {
  const def = sevenStep();

  it('parses', () => {
    expect(def.id).toBe('seven-step');
    expect(def.start).toBe('plan');
  });

  it('has the seed\'s seven steps with their roles and templates', () => {
    expect(def.steps.map((s) => [s.number, s.role, s.templates[0]])).toEqual([
      [1, 'planner', 'step1_initial_planner_prompt_template.md'],
      [2, 'validator', 'step2_plan_validator_prompt_template.md'],
      [3, 'planner', 'step3_revision_planner_prompt_template.md'],
      [4, 'programmer', 'step4_programmer_prompt_template.md'],
      [5, 'validator', 'step5a_two_level_validation_agent_prompt_template.md'],
      [6, 'programmer', 'step6_code_refinement_programmer_prompt_template.md'],
      [7, 'validator', 'step5a_two_level_validation_agent_prompt_template.md'],
    ]);
  });

  it('runs both step-5 templates at steps 5 and 7', () => {
    const both = ['step5a_two_level_validation_agent_prompt_template.md', 'step5b_two_level_standardization_validation_agent_prompt_template.md'];
    expect(def.steps.find((s) => s.number === 5)!.templates).toEqual(both);
    expect(def.steps.find((s) => s.number === 7)!.templates).toEqual(both);
  });

  it('puts steps 1-3 in phase_1 and steps 4-7 in phase_2', () => {
    expect(def.steps.map((s) => s.phase)).toEqual(['phase_1', 'phase_1', 'phase_1', 'phase_2', 'phase_2', 'phase_2', 'phase_2']);
  });

  it('has the seed\'s thresholds, caps, stall rule and gates as defaults', () => {
    const plan = def.rubrics.find((r) => r.id === 'plan')!;
    expect(plan.dimensions).toEqual({
      alignment: { min: 9, weight: 1 },
      standardization: { min: 8, weight: 1 },
      compatibility: { min: 8, weight: 1 },
    });
    expect(plan.max_critical_issues).toBe(0);
    const code = def.rubrics.find((r) => r.id === 'code')!;
    expect([code.max_critical_issues, code.max_minor_issues, code.min_coverage, code.required_checks]).toEqual([0, 2, 85, 'all']);
    expect(def.loops.map((l) => [l.id, l.counts, l.max_rounds])).toEqual([
      ['plan_loop', 'validate_plan', 5],
      ['code_loop', 'refine_code', 3],
    ]);
    expect(def.stall).toEqual({ enabled: true, min_improvement: 0.25, window: 2 });
    expect(def.gates.map((g) => [g.id, g.enabled, g.on_timeout])).toEqual([
      ['plan_approval', true, 'pause'],
      ['code_review', false, 'pause'],
      ['final_approval', true, 'pause'],
    ]);
  });

  it('ends through the final gate from steps 5 and 7', () => {
    for (const n of [5, 7]) {
      const step = def.steps.find((s) => s.number === n)!;
      expect([step.gate, step.on_converged, step.on_not_converged]).toEqual(['final_approval', COMPLETE, 'refine_code']);
    }
  });
});

describe('parseDefinition › an invalid definition', () => {
  it('names a wrong step reference by its path', () => {
    const error = problemsOf((d) => {
      d.steps[0].next = 'valdate';
    });
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.message).toContain('steps[0].next: unknown step "valdate"');
    expect(error.message).toContain('my-workflow.yaml has 1 problem');
    expect(error.hint).toMatch(/Fix the listed fields/);
  });

  it('lists every cross-reference problem at once', () => {
    const error = problemsOf((d) => {
      d.start = 'plann';
      d.steps[0].next = 'valdate';
      d.steps[1].rubric = 'plam';
      d.steps[1].gate = 'plan_aproval';
      d.loops[0].counts = 'validate';
      d.gates[0].changes_to = 'validate_plan';
    });
    expect(error.message).toContain('has 6 problems');
    expect(error.message).toContain('start: unknown step "plann" (did you mean "plan"?)');
    expect(error.message).toContain('steps[0].next: unknown step "valdate"');
    expect(error.message).toContain('steps[1].rubric: unknown rubric "plam"');
    expect(error.message).toContain('steps[1].gate: unknown gate "plan_aproval"');
    expect(error.message).toContain('loops[0].counts: unknown step "validate"');
    expect(error.message).toContain('gates[0].changes_to: "validate_plan" must be a produce step, it is a validate step');
    expect(paths(error)).toEqual(['start', 'steps[0].next', 'steps[1].rubric', 'steps[1].gate', 'loops[0].counts', 'gates[0].changes_to']);
  });

  it('names shape errors (wrong type, unknown value, unknown key, out of range) by path', () => {
    const error = problemsOf((d) => {
      d.steps[0].role = 'coder';
      d.steps[1].number = 'two';
      d.steps[2].nxt = 'validate_plan';
      d.rubrics[0].dimensions.alignment.min = 11;
      d.stall.window = 0;
    });
    expect(paths(error)).toEqual(['steps[0].role', 'steps[1].number', 'steps[2].nxt', 'rubrics[0].dimensions.alignment.min', 'stall.window']);
    expect(error.message).toContain('steps[0].role: "coder" is not one of planner, validator, programmer');
    expect(error.message).toMatch(/steps\[1\]\.number: .*expected number, received string/);
    expect(error.message).toContain('steps[2].nxt: unknown field "nxt" (did you mean "next"?)');
    expect(error.message).toMatch(/rubrics\[0\]\.dimensions\.alignment\.min: .*10/);
  });

  it('reports shape errors before cross-references are checked', () => {
    const error = problemsOf((d) => {
      d.steps[0].next = 'valdate';
      d.steps[1].number = 'two';
    });
    expect(paths(error)).toEqual(['steps[1].number']);
  });

  it('names a missing required field', () => {
    const error = problemsOf((d) => {
      delete d.steps[3].templates;
      delete d.start;
    });
    expect(paths(error).sort()).toEqual(['start', 'steps[3].templates']);
  });

  it('rejects duplicate step ids and numbers', () => {
    const error = problemsOf((d) => {
      d.steps[6].number = 5;
      d.steps[5].id = 'implement';
    });
    expect(error.message).toContain('steps[6].number: duplicate step number 5');
    expect(error.message).toContain('steps[5].id: duplicate step id "implement"');
  });

  it('requires a validate step to have a loop, and to revise through a produce step', () => {
    const error = problemsOf((d) => {
      delete d.steps[1].loop;
      d.steps[1].on_not_converged = 'validate_code';
    });
    expect(error.message).toContain('steps[1].loop: required for a validate step');
    expect(error.message).toContain('steps[1].on_not_converged: "validate_code" must be a produce step');
  });

  it('rejects a cycle of produce steps, which no cap could stop', () => {
    const error = problemsOf((d) => {
      d.steps[0].next = 'revise_plan';
      d.steps[2].next = 'plan';
    });
    expect(error.message).toContain('steps[0].next: produce steps form a cycle without a validate step (plan → revise_plan)');
  });

  it('rejects validate-only fields on a produce step', () => {
    const error = problemsOf((d) => {
      d.steps[0].gate = 'plan_approval';
    });
    expect(error.message).toContain('steps[0].gate: only a validate step can have this field');
  });

  it('rejects a recovery rule with an unknown strategy', () => {
    const error = problemsOf((d) => {
      d.recovery.timeout.strategy = 'pray';
    });
    expect(paths(error)).toEqual(['recovery.timeout.strategy']);
  });

  it('names an approval policy\'s unknown group, with the nearest one', () => {
    const error = problemsOf((d) => {
      d.groups = { leads: ['alice'] };
      d.gates[0].approvals = { required: 2, groups: ['lead'] };
    });
    expect(error.message).toContain('gates[0].approvals.groups[0]: unknown group "lead" (did you mean "leads"?)');
  });

  it('rejects a budget duration it cannot read', () => {
    const error = problemsOf((d) => {
      d.budget = { max_duration: 'two hours' };
    });
    expect(paths(error)).toEqual(['budget.max_duration']);
  });
});
