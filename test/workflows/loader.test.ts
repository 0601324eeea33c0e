import { describe, expect, it } from 'vitest';
import { weightedScore } from '../../src/core/convergence.js';
import { effectiveDefinition, loadDefinition, loadProfile } from '../../src/workflows/loader.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';

function definitionWith(profile: string) {
  return effectiveDefinition(loadDefinition('seven-step'), loadProfile(profile), ProjectConfigSchema.parse({ profile }));
}

const card = { dimensions: { alignment: 10, standardization: 5, compatibility: 5 }, missing: [] };

describe('effectiveDefinition', () => {
  describe('rubric weights from the profile', () => {
    it('weighs a cursus plan 0.4 / 0.3 / 0.3, as its reports do', () => {
      const plan = definitionWith('cursus').rubrics.find((r) => r.id === 'plan')!;
      expect(Object.fromEntries(Object.entries(plan.dimensions).map(([name, d]) => [name, d.weight]))).toEqual({
        alignment: 0.4,
        standardization: 0.3,
        compatibility: 0.3,
      });
      // 0.4 × 10 + 0.3 × 5 + 0.3 × 5 = 7.0; equal weights would give 6.67.
      expect(weightedScore(plan, card)).toBe(7);
    });

    it('weighs the cursus code review 4 : 3 (alignment, standardization)', () => {
      const code = definitionWith('cursus').rubrics.find((r) => r.id === 'code')!;
      expect(weightedScore(code, { dimensions: { alignment: 10, standardization: 3 }, missing: [] })).toBe(7);
    });

    it('keeps the definition’s equal weights for the typescript profile', () => {
      const plan = definitionWith('typescript').rubrics.find((r) => r.id === 'plan')!;
      expect(weightedScore(plan, card)).toBe(6.67);
    });

    it('keeps the thresholds while it changes the weights', () => {
      const plan = definitionWith('cursus').rubrics.find((r) => r.id === 'plan')!;
      expect(plan.dimensions.alignment?.min).toBe(9);
    });
  });

  describe('report labels from the profile', () => {
    it('carries the cursus Summary labels on the definition', () => {
      expect(definitionWith('cursus').report_labels).toMatchObject({
        alignment: ['Alignment Rules Score'],
        standardization: ['Standard Compliance Score'],
        compatibility: ['Cross-Component Compatibility Score'],
        overall: ['Weighted Overall Score'],
      });
    });

    it('adds the profile’s labels after the definition’s own', () => {
      const def = { ...loadDefinition('seven-step'), report_labels: { alignment: ['Plan Fit Score'] } };
      const merged = effectiveDefinition(def, loadProfile('cursus'), ProjectConfigSchema.parse({}));
      expect(merged.report_labels?.alignment).toEqual(['Plan Fit Score', 'Alignment Rules Score']);
    });
  });
});
