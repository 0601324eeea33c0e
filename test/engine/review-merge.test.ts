import { describe, expect, it } from 'vitest';
import { mergeReviews } from '../../src/engine/review-merge.js';
import { effectiveDefinition, loadDefinition, loadProfile } from '../../src/workflows/loader.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';

const def = effectiveDefinition(loadDefinition('seven-step'), loadProfile('typescript'), ProjectConfigSchema.parse({}));
const validateCode = def.steps.find((s) => s.id === 'validate_code')!;

const ALIGNMENT = ['# Code Alignment Review', '## Summary', '- Alignment Score: 8/10', '- Critical Issues: 1', '## Issues', '- [Critical] src/export.ts:31 commas inside values are not quoted', '- [Critical] commas inside values are not quoted (src/export.ts:31)'].join('\n');
const STANDARDIZATION = ['# Code Standardization Review', '## Summary', '- Standardization Score: 9/10', '## Issues', '- [Critical] Commas inside values are not quoted.', '- [Minor] The writer has no JSDoc'].join('\n');

describe('mergeReviews', () => {
  const merged = mergeReviews(def, validateCode, [ALIGNMENT, STANDARDIZATION]);

  it('takes each dimension from the review that scores it', () => {
    expect(merged.dimensions).toEqual({ alignment: 8, standardization: 9 });
  });

  it('counts an issue both reviews flag once, and says so', () => {
    expect(merged.issues.map((i) => i.severity)).toEqual(['critical', 'minor']);
    expect(merged.notes).toContainEqual(expect.stringMatching(/^Across reviews: Issue restated 2 times, counted once: ".*commas inside values are not quoted/));
  });

  it("prefixes each review's own notes with its number", () => {
    expect(merged.notes).toContainEqual(expect.stringMatching(/^Review 1: Issue restated 2 times \(Issues\), counted once/));
  });

  it('sums a stated count with the other review’s listed issues when only one review states it', () => {
    const stated = ['## Summary', '- Alignment Score: 8/10', '- Critical Issues: 2', '## Issues', '- [Critical] one thing'].join('\n');
    const listed = ['- Standardization Score: 9/10', '- [Critical] another thing'].join('\n');
    expect(mergeReviews(def, validateCode, [stated, listed]).statedCounts).toEqual({ critical: 3 });
  });

  it('keeps no stated counts when every review agrees with its list', () => {
    expect(mergeReviews(def, validateCode, [STANDARDIZATION]).statedCounts).toBeUndefined();
  });
});
