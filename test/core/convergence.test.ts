import { describe, expect, it } from 'vitest';
import { evaluateConvergence, level1Overall } from '../../src/core/convergence.js';
import { issueCount } from '../../src/core/records.js';
import type { Issue, ValidationReport } from '../../src/core/records.js';
import { check, codeReport, sevenStep } from './helpers.js';

const def = sevenStep();
const code = def.rubrics.find((r) => r.id === 'code')!;

function llm(severity: Issue['severity'], n: number): Issue[] {
  return Array.from({ length: n }, (_, i) => ({ severity, source: 'llm', level: 1 as const, message: `${severity} ${i}` }));
}

describe('issueCount', () => {
  const base: Pick<ValidationReport, 'issues' | 'statedCounts'> = { issues: llm('critical', 5) };

  it('counts the listed issues when the reviewer states no count', () => {
    expect(issueCount(base, 'critical')).toBe(5);
  });

  it("takes the reviewer's stated count over more listed bullets", () => {
    expect(issueCount({ ...base, statedCounts: { critical: 3 } }, 'critical')).toBe(3);
  });

  it("takes the reviewer's stated count over fewer listed bullets", () => {
    expect(issueCount({ issues: llm('critical', 1), statedCounts: { critical: 3 } }, 'critical')).toBe(3);
  });

  it('still counts check and workspace findings on top of a stated count', () => {
    const tool: Issue = { severity: 'critical', source: 'tool:tsc', level: 2, message: 'TS2322' };
    const refused: Issue = { severity: 'critical', source: 'workspace', level: 2, message: 'outside the workspace' };
    expect(issueCount({ issues: [...base.issues, tool, refused], statedCounts: { critical: 3 } }, 'critical')).toBe(5);
  });
});

describe('evaluateConvergence › the code rubric’s L1 gate', () => {
  const passing = [check({ id: 'tests', status: 'passed' }), check({ id: 'tsc', status: 'passed' })];
  const report = (scores: Record<string, number>, weighted?: number): ValidationReport => {
    const r = codeReport([], {}, scores);
    return { ...r, toolResults: passing, scoreCard: { ...r.scoreCard, ...(weighted !== undefined ? { weighted } : {}) } };
  };

  it('has the seed’s 7.0 in the built-in definition', () => {
    expect(code.level1_gate).toBe(7);
  });

  it('does not converge a review scoring 5.5 / 6.0 with no issue and every check passing', () => {
    const result = evaluateConvergence(code, report({ alignment: 5.5, standardization: 6 }));
    expect(result.converged).toBe(false);
    expect(result.unmet).toEqual(['L1 review 5.75 < 7.0']);
  });

  it('converges the same code when the review scores 7.0 or more', () => {
    const result = evaluateConvergence(code, report({ alignment: 7, standardization: 7.5 }));
    expect(result.converged).toBe(true);
    expect(result.met).toContain('L1 review 7.25 ≥ 7.0');
  });

  it('never passes a review without any score', () => {
    expect(evaluateConvergence(code, report({})).unmet).toEqual(['L1 review score missing (needs ≥ 7.0)']);
  });

  it('judges a review that scored one dimension on that dimension', () => {
    expect(level1Overall(code, report({ alignment: 6.5 }).scoreCard)).toEqual({ value: 6.5, stated: false, from: ['alignment'] });
  });

  it('uses the overall the review states over the mean of its dimensions', () => {
    expect(level1Overall(code, report({ alignment: 9, standardization: 9 }, 6).scoreCard)).toEqual({ value: 6, stated: true, from: [] });
  });

  it('uses the mean of scores outside the rubric only when the review scored none of its dimensions', () => {
    expect(level1Overall(code, report({ security: 4, testability: 6 }).scoreCard)?.value).toBe(5);
  });

  it('leaves a rubric without a gate as it was', () => {
    const plan = def.rubrics.find((r) => r.id === 'plan')!;
    expect(plan.level1_gate).toBeUndefined();
  });
});
