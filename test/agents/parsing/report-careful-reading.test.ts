/**
 * Reports in the style of the seed's parent project (test/fixtures/reports), read as their
 * authors meant them: the Summary's scores, each issue once, the report's own counts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseValidationReport } from '../../../src/agents/parsing/index.js';
import type { LabelTable } from '../../../src/agents/parsing/index.js';
import { issueCount } from '../../../src/core/records.js';
import { loadProfile } from '../../../src/workflows/loader.js';

const CURSUS_LABELS: LabelTable = loadProfile('cursus').report_labels;
const PLAN = { kind: 'plan', dimensions: ['alignment', 'standardization', 'compatibility'], labels: CURSUS_LABELS } as const;

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/reports/${name}`, import.meta.url), 'utf8');
}

describe('reading seed-style reports', () => {
  describe('a Summary with the four cursus scores (cursus-summary-scores.md)', () => {
    const parsed = parseValidationReport(fixture('cursus-summary-scores.md'), PLAN);

    it('reads the three dimensions and the weighted overall from the Summary labels', () => {
      expect(parsed.report.scoreCard).toEqual({
        dimensions: { standardization: 9.2, alignment: 9.5, compatibility: 8.8 },
        weighted: 9.2,
        missing: [],
      });
    });

    it('names the label each counted score came from', () => {
      const used = parsed.scores.filter((s) => s.used).map((s) => [s.target, s.label, s.section]);
      expect(used).toEqual([
        ['standardization', 'Standard Compliance Score', 'Summary'],
        ['alignment', 'Alignment Rules Score', 'Summary'],
        ['compatibility', 'Cross-Component Compatibility Score', 'Summary'],
        ['weighted', 'Weighted Overall Score', 'Summary'],
      ]);
    });

    it('notes where the Comprehensive Scoring section disagrees with the Summary', () => {
      expect(parsed.report.notes).toContain(
        'weighted overall: 9.2 from "Weighted Overall Score" (Summary) counts; also given as 8.5 by "Weighted overall score" (Comprehensive Scoring).',
      );
    });

    it('agrees with its own counts, so it keeps none', () => {
      expect(parsed.report.statedCounts).toBeUndefined();
    });
  });

  describe('the same issue restated under "Critical Issues" and under its component (restated-across-sections.md)', () => {
    const parsed = parseValidationReport(fixture('restated-across-sections.md'), PLAN);

    it('counts each restated issue once', () => {
      expect(parsed.report.issues.map((i) => i.severity)).toEqual(['critical', 'critical', 'minor']);
    });

    it('keeps the wording with the explanation and the location', () => {
      expect(parsed.report.issues[0]?.location).toEqual({ file: 'src/cursus/steps/scripts/xgboost_model_eval.py', line: 88 });
      expect(parsed.report.issues[1]?.message).toContain('downstream steps cannot resolve');
    });

    it('notes each merge with the sections it was found in', () => {
      expect(parsed.report.notes).toEqual([
        expect.stringMatching(/^Issue restated 2 times \(Critical Issues; Script Implementation Validation\), counted once: "script writes the evaluation metrics/),
        expect.stringMatching(/^Issue restated 2 times \(Critical Issues; Specification Validation\), counted once: "Missing `metrics_output`/),
        expect.stringMatching(/^Issue restated 2 times \(Script Implementation Validation; Contract Validation\), counted once: "`ID_FIELD` has no default value"/),
      ]);
    });

    it('then agrees with the Summary’s "Critical Issues: 2" and "Minor Issues: 1"', () => {
      expect(parsed.report.statedCounts).toBeUndefined();
    });
  });

  describe('an "Overall compliance: 8/10" sub-score (overall-compliance-subscore.md)', () => {
    const parsed = parseValidationReport(fixture('overall-compliance-subscore.md'), PLAN);

    it('is not the weighted overall', () => {
      expect(parsed.report.scoreCard.weighted).toBeUndefined();
    });

    it("is no dimension's score", () => {
      expect(parsed.report.scoreCard.dimensions).toEqual({ testability: 8, standardization: 7.5, alignment: 9, compatibility: 8.5 });
    });

    it('is shown as a sub-score, with a note', () => {
      expect(parsed.scores.find((s) => s.label === 'Overall compliance')).toMatchObject({ value: 8, match: 'sub-score', used: false });
      expect(parsed.report.notes).toContain('"Overall compliance: 8/10" (Standardization Validation) is a sub-score: neither the weighted overall nor a dimension\'s score.');
    });

    it('does not let a category sub-score stand for the Summary’s standardization score', () => {
      expect(parsed.scores.find((s) => s.label === 'Interface Standardization')).toMatchObject({ target: 'standardization', used: false });
    });
  });

  describe('a report that states "Critical Issues: 3" and lists 5 restated bullets (stated-counts-disagree.md)', () => {
    const parsed = parseValidationReport(fixture('stated-counts-disagree.md'), PLAN);

    it('lists 4 after merging the one restated word for word', () => {
      expect(parsed.report.issues.filter((i) => i.severity === 'critical')).toHaveLength(4);
    });

    it('counts 3 critical issues, as the report says', () => {
      expect(parsed.report.statedCounts).toEqual({ critical: 3 });
      expect(issueCount(parsed.report, 'critical')).toBe(3);
    });

    it('records the disagreement as a note', () => {
      expect(parsed.report.notes).toContain('The report states 3 critical issues but lists 4 (after merging restated ones); 3 count for convergence.');
    });
  });
});

describe('choosing among several scores for one dimension', () => {
  it("takes the Summary's score even when another section comes first", () => {
    const text = ['## Comprehensive Scoring', '- Alignment Rules Score: 6/10', '', '## Summary', '- Alignment Rules Score: 9/10'].join('\n');
    expect(parseValidationReport(text, PLAN).report.scoreCard.dimensions.alignment).toBe(9);
  });

  it('takes a label of the profile’s table over a sub-score that only mentions the dimension', () => {
    const text = ['## Standardization Validation', '- Interface Standardization: 6/10', '## Comprehensive Scoring', '- Standard Compliance Score: 8/10'].join('\n');
    expect(parseValidationReport(text, PLAN).report.scoreCard.dimensions.standardization).toBe(8);
  });

  it('keeps the first of equal standing', () => {
    const text = '- Alignment Score: 7/10\n- Alignment Score: 9/10';
    expect(parseValidationReport(text, PLAN).report.scoreCard.dimensions.alignment).toBe(7);
  });

  it.each([
    ['- Weighted Overall Score: 8.1/10', 8.1],
    ['- Overall Score: 8.1/10', 8.1],
    ['- **Weighted overall score**: 8.1/10', 8.1],
    ['- Overall: 8.1/10', undefined],
    ['- Overall compliance: 8/10', undefined],
    ['- Overall Compliance Score: 8/10', undefined],
  ])('%s → weighted overall %s', (line, weighted) => {
    expect(parseValidationReport(line, PLAN).report.scoreCard.weighted).toBe(weighted);
  });
});

describe('stated counts', () => {
  it.each([
    ['- Critical Issues: 2', { critical: 2 }],
    ['- Critical: 2', { critical: 2 }],
    ['- Number of minor issues: 4', { minor: 4 }],
    ['- Critical Issues (ERROR): 2', { critical: 2 }],
    ['- Major Issues: none', { major: 0 }],
  ])('reads "%s" in a Summary', (line, counts) => {
    const text = `## Summary\n${line}\n- Alignment Score: 9/10\n- [Critical] one\n- [Major] two\n- [Minor] three`;
    expect(parseValidationReport(text, PLAN).report.statedCounts).toEqual(counts);
  });

  it('ignores count lines outside the Summary (per-component counts)', () => {
    const text = '## Contract Validation\n- Critical Issues: 4\n- [Critical] one';
    expect(parseValidationReport(text, PLAN).report.statedCounts).toBeUndefined();
  });

  it('keeps a stated count above the listed issues', () => {
    const text = '## Summary\n- Critical Issues: 2\n- Alignment Score: 6/10\n## Issues\n- [Critical] only one is tagged';
    const { report } = parseValidationReport(text, PLAN);
    expect(issueCount(report, 'critical')).toBe(2);
    expect(report.notes).toContain('The report states 2 critical issues but lists 1; 2 count for convergence.');
  });
});

describe('merging restated issues', () => {
  const parse = (lines: string[]) => parseValidationReport(['- Alignment Score: 8/10', ...lines].join('\n'), PLAN).report.issues;

  it('merges case, punctuation, emphasis and numbering differences', () => {
    expect(parse(['1. **[Critical]** Missing retry on upload!', '- [Critical] missing retry on upload'])).toHaveLength(1);
  });

  it('keeps the most severe severity of a restatement', () => {
    expect(parse(['- [Minor] Missing retry on upload', '- [Critical] Missing retry on upload']).map((i) => i.severity)).toEqual(['critical']);
  });

  it('merges the same file:line with overlapping words', () => {
    expect(parse(['- [Major] src/upload.ts:12 upload has no retry', '- [Major] No retry when the upload fails (src/upload.ts:12)'])).toHaveLength(1);
  });

  it('keeps two different problems on the same line apart', () => {
    expect(parse(['- [Major] src/upload.ts:12 upload has no retry', '- [Major] src/upload.ts:12 the bucket name is hard-coded'])).toHaveLength(2);
  });

  it('keeps short texts that merely share words apart', () => {
    expect(parse(['- [Minor] Missing docstring', '- [Minor] Missing docstring on build_step in the builder'])).toHaveLength(2);
  });
});
