import { describe, expect, it } from 'vitest';
import { dimensionForLabel, overallFromText, parseValidationReport } from '../../../src/agents/parsing/index.js';
import type { ConvergeError } from '../../../src/core/errors.js';

const PLAN = { kind: 'plan', dimensions: ['alignment', 'standardization', 'compatibility'] } as const;
const CODE = { kind: 'code', dimensions: ['alignment', 'standardization'] } as const;

function parseError(text: string): ConvergeError {
  try {
    parseValidationReport(text, PLAN);
  } catch (error) {
    return error as ConvergeError;
  }
  throw new Error('expected the parse to fail');
}

const SEED_PARTIAL_REPORT = `# Validation Report for DummyTraining Step Plan

## Summary
- Overall Assessment: NEEDS IMPROVEMENT
- Critical Issues: 3
- Minor Issues: 4
- Recommendations: 6
- Standard Compliance Score: 8/10

## Specification Validation
- [✓] Appropriate node type and consistency with dependencies/outputs
- [✗] Compatible sources are correctly specified
- Issues:
  - [Critical] The specification lists \`ProcessingStep\` as a compatible source but no builder produces it
  - [Minor] Semantic keywords are missing for the model output

## Contract Validation
- Issues:
  - [Critical] Output path \`/opt/ml/model\` is hard-coded in src/scripts/train.py:42
`;

const SEED_DECIMAL_REPORT = `# Validation Report for DummyTraining Step Plan (v4)

## Summary
- Overall Assessment: PASS
- Critical Issues: 0
- Minor Issues: 1
- Script Testability Score: 9.0/10
- Standard Compliance Score: 9.2/10
- Alignment Rules Score: 9.5/10
- Cross-Component Compatibility Score: 9.5/10
- Weighted Overall Score: 9.8/10

## Comprehensive Scoring
- Naming conventions: 9/10
- Interface Standardization: 7/10
- Standard Compliance Overall Score: 7.5/10
- Predicted Resolver Score: 85%

## Issues
- [Minor] Consider documenting the hyperparameter defaults
`;

describe('parseValidationReport', () => {
  describe('seed-style markdown', () => {
    it('lists the dimensions a partial report omits as missing, never as zero', () => {
      const { report, format } = parseValidationReport(SEED_PARTIAL_REPORT, PLAN);
      expect(format).toBe('markdown');
      expect(report.scoreCard.dimensions).toEqual({ standardization: 8 });
      expect(report.scoreCard.missing).toEqual(['alignment', 'compatibility']);
      expect(report.scoreCard.weighted).toBeUndefined();
      expect(report.overall).toBe('needs_improvement');
    });

    it('reads nested issue lines with their severity and location', () => {
      const { report } = parseValidationReport(SEED_PARTIAL_REPORT, PLAN);
      expect(report.issues.map((i) => i.severity)).toEqual(['critical', 'minor', 'critical']);
      expect(report.issues[2]).toMatchObject({
        source: 'llm',
        level: 1,
        location: { file: 'src/scripts/train.py', line: 42 },
      });
      expect(report.issues[0]?.message).toContain('compatible source');
    });

    it('ignores checklist marks and count lines', () => {
      const { report } = parseValidationReport(SEED_PARTIAL_REPORT, PLAN);
      expect(report.issues).toHaveLength(3);
    });

    it('reads decimal scores and maps the seed labels onto dimensions', () => {
      const { report } = parseValidationReport(SEED_DECIMAL_REPORT, PLAN);
      expect(report.scoreCard.dimensions).toEqual({
        testability: 9,
        standardization: 9.2,
        alignment: 9.5,
        compatibility: 9.5,
      });
      expect(report.scoreCard.weighted).toBe(9.8);
      expect(report.scoreCard.missing).toEqual([]);
      expect(report.overall).toBe('pass');
    });

    it("keeps the Summary's score of a dimension when later sections repeat sub-scores", () => {
      const { report } = parseValidationReport(SEED_DECIMAL_REPORT, PLAN);
      expect(report.scoreCard.dimensions.standardization).toBe(9.2);
    });

    it('ignores scores not out of 10 and says so in warnings', () => {
      const { report, warnings } = parseValidationReport(SEED_DECIMAL_REPORT, PLAN);
      expect(Object.keys(report.scoreCard.dimensions)).not.toContain('predicted_resolver');
      expect(warnings.join('\n')).toContain('Predicted Resolver Score: 85%');
    });

    it('takes the Summary section as the summary', () => {
      const { report } = parseValidationReport(SEED_DECIMAL_REPORT, PLAN);
      expect(report.summary).toMatch(/^- Overall Assessment: PASS/);
      expect(report.summary).not.toContain('Comprehensive Scoring');
    });
  });

  describe('score line variants', () => {
    it.each([
      ['**Alignment Score**: 8 / 10', 'alignment', 8],
      ['- **Alignment Score:** 8.5/10', 'alignment', 8.5],
      ['Script Testability Score: 8/10', 'testability', 8],
      ['- Cross-Component Compatibility Score: 9.5/10', 'compatibility', 9.5],
      ['Standard Compliance Score: 9.2/10', 'standardization', 9.2],
      ['- Standardization Score: 7', 'standardization', 7],
      ['| Alignment Score | 9/10 |', 'alignment', 9],
      ['- Alignment: 9/10', 'alignment', 9],
      ['- Security Score: 6/10', 'security', 6],
      ['- Alignment Score (40%): 7.5/10', 'alignment', 7.5],
    ])('%s → %s %d', (line, dimension, value) => {
      const { report } = parseValidationReport(line, PLAN);
      expect(report.scoreCard.dimensions[dimension]).toBe(value);
    });

    it.each([['- Alignment Score: 85/100'], ['- Alignment Score: 11'], ['- Alignment Score: 90%']])(
      'leaves %s missing',
      (line) => {
        const { report } = parseValidationReport(`${line}\n- [Minor] something small`, PLAN);
        expect(report.scoreCard.dimensions.alignment).toBeUndefined();
        expect(report.scoreCard.missing).toContain('alignment');
      },
    );

    it('reads the weighted score into the weighted field, not a dimension', () => {
      const { report } = parseValidationReport('- Weighted Overall Score: 9.8/10\n- Overall Score: 3/10', PLAN);
      expect(report.scoreCard.weighted).toBe(9.8);
      expect(report.scoreCard.dimensions).toEqual({});
    });

    it('ignores tool pass counts such as 6/8', () => {
      const { report } = parseValidationReport('- Overall: 6/8 tools passed\n- Alignment Score: 9/10', CODE);
      expect(report.scoreCard.weighted).toBeUndefined();
      expect(report.scoreCard.dimensions).toEqual({ alignment: 9 });
    });
  });

  describe('code review reports', () => {
    const review = `# Code Alignment Review

## Summary
- Overall Assessment: FAIL
- Alignment Score: 6/10
- Critical Issues: 1

## Check Results
- tsc: failed — two type errors in the exporter
- eslint: failed — one finding in generated code

## False Positives
- [FalsePositive] eslint: src/generated/schema.ts is generated; the rule does not apply.
- [FalsePositive] \`vitest\`: the flaky timer test is quarantined upstream.

## Issues
- [Critical] src/export/csv-writer.ts:31 MISSING_ESCAPE: commas inside values are not quoted
- [Major] src/cli/export-command.ts does not pass --out to the writer
- [Info] None of the tests cover an empty table; fine for now.
- [Minor] None.

\`\`\`
- [Critical] this line is an example inside a fence
\`\`\`
`;

    it('records false-positive claims separately from issues', () => {
      const { falsePositives, report } = parseValidationReport(review, CODE);
      expect(falsePositives).toEqual([
        { checkId: 'eslint', reason: 'src/generated/schema.ts is generated; the rule does not apply.' },
        { checkId: 'vitest', reason: 'the flaky timer test is quarantined upstream.' },
      ]);
      expect(report.issues.some((i) => i.message.includes('generated'))).toBe(false);
    });

    it('reads issue codes and locations, and skips "None." and fenced examples', () => {
      const { report } = parseValidationReport(review, CODE);
      expect(report.issues).toHaveLength(3);
      expect(report.issues[0]).toMatchObject({
        severity: 'critical',
        code: 'MISSING_ESCAPE',
        location: { file: 'src/export/csv-writer.ts', line: 31 },
      });
      expect(report.issues[1]?.location).toEqual({ file: 'src/cli/export-command.ts' });
      expect(report.issues[2]?.severity).toBe('info');
    });

    it('lists the standardization dimension as missing from an alignment review', () => {
      const { report } = parseValidationReport(review, CODE);
      expect(report.kind).toBe('code');
      expect(report.scoreCard.missing).toEqual(['standardization']);
      expect(report.toolResults).toEqual([]);
      expect(report.overall).toBe('fail');
    });

    it('maps the standardization scale ERROR/WARNING/INFO onto critical/minor/info', () => {
      const text = [
        '## Executive Summary',
        '**Overall Status**: FAILED',
        'ERROR: Builder class name does not end in StepBuilder',
        'WARNING: Missing docstring on build_step',
        'INFO: Logging uses print instead of the logger',
        '- [ERROR] Registry entry missing',
      ].join('\n');
      const { report } = parseValidationReport(text, CODE);
      expect(report.issues.map((i) => i.severity)).toEqual(['critical', 'minor', 'info', 'critical']);
      expect(report.overall).toBe('fail');
    });

    it('reads the two-level report priority markers and skips section titles', () => {
      const text = [
        '**Overall Status**: ⚠️ CONDITIONAL PASS',
        '### 🔴 Critical Issues (1)',
        '- 🔴 **Critical**: `src/builder.py:88` reads an undeclared config field',
        '### 🟡 Pattern Improvements',
        '- 🟡 Use the shared path helper in src/script.py',
        '### 🟢 Best Practices',
        '- 🟢 Minor: add type hints to main()',
      ].join('\n');
      const { report } = parseValidationReport(text, CODE);
      expect(report.overall).toBe('conditional');
      expect(report.issues.map((i) => [i.severity, i.message])).toEqual([
        ['critical', '`src/builder.py:88` reads an undeclared config field'],
        ['major', 'Use the shared path helper in src/script.py'],
        ['minor', 'add type hints to main()'],
      ]);
      expect(report.issues[0]?.location).toEqual({ file: 'src/builder.py', line: 88 });
    });

    it('skips markdown link definitions that look like bracket tags', () => {
      const text = '- Alignment Score: 8/10\n[Note]: https://example.com/style-guide';
      expect(parseValidationReport(text, CODE).report.issues).toEqual([]);
    });

    it('counts an issue repeated in two sections once', () => {
      const text = '- Alignment Score: 7/10\n- [Major] Missing retry\n## Issues\n- [Major] Missing retry';
      expect(parseValidationReport(text, CODE).report.issues).toHaveLength(1);
    });
  });

  describe('JSON reports', () => {
    it('reads a fenced json block before any markdown', () => {
      const text = [
        'Here is my review.',
        '- Alignment Score: 2/10',
        '```json',
        JSON.stringify({
          scores: { alignment: 8.5, standardization: '9/10', compatibility: 8, weighted: 8.6 },
          overall: 'needs_improvement',
          summary: 'Solid plan with one gap.',
          issues: [{ severity: 'major', message: 'No retry on upload', file: 'src/upload.ts', line: 7, code: 'NO_RETRY' }],
          false_positives: [{ check_id: 'eslint', reason: 'generated file' }],
        }),
        '```',
      ].join('\n');
      const parsed = parseValidationReport(text, PLAN);
      expect(parsed.format).toBe('json');
      expect(parsed.report.scoreCard).toEqual({
        dimensions: { alignment: 8.5, standardization: 9, compatibility: 8 },
        weighted: 8.6,
        missing: [],
      });
      expect(parsed.report.overall).toBe('needs_improvement');
      expect(parsed.report.summary).toBe('Solid plan with one gap.');
      expect(parsed.report.issues).toEqual([
        { severity: 'major', source: 'llm', level: 1, message: 'No retry on upload', code: 'NO_RETRY', location: { file: 'src/upload.ts', line: 7 } },
      ]);
      expect(parsed.falsePositives).toEqual([{ checkId: 'eslint', reason: 'generated file' }]);
    });

    it('finds a raw JSON object in prose', () => {
      const text = 'Result: {"scores": {"Alignment Score": 9, "Standard Compliance": 8}, "overall": 8.5} — done.';
      const { report, format } = parseValidationReport(text, PLAN);
      expect(format).toBe('json');
      expect(report.scoreCard.dimensions).toEqual({ alignment: 9, standardization: 8 });
      expect(report.scoreCard.weighted).toBe(8.5);
      expect(report.scoreCard.missing).toEqual(['compatibility']);
    });

    it('leaves an out-of-range JSON score missing and warns', () => {
      const text = '```json\n{"scores": {"alignment": 95, "standardization": 9, "compatibility": 8}}\n```';
      const { report, warnings } = parseValidationReport(text, PLAN);
      expect(report.scoreCard.missing).toEqual(['alignment']);
      expect(warnings[0]).toContain('scores.alignment');
    });

    it('reads an unknown JSON severity as major', () => {
      const text = '{"scores": {}, "issues": [{"severity": "urgent-ish", "message": "x"}]}';
      expect(parseValidationReport(text, PLAN).report.issues[0]?.severity).toBe('major');
    });

    it('falls back to markdown when the JSON does not match the schema', () => {
      const text = '```json\n{"scores": [1, 2]}\n```\n- Alignment Score: 9/10';
      const parsed = parseValidationReport(text, PLAN);
      expect(parsed.format).toBe('markdown');
      expect(parsed.report.scoreCard.dimensions).toEqual({ alignment: 9 });
    });
  });

  describe('unparseable output', () => {
    it('throws AGENT_FAILED invalid_output for prose without scores or issues', () => {
      const error = parseError('I reviewed the plan and it looks reasonable overall. Let me know if you need anything else!');
      expect(error.code).toBe('AGENT_FAILED');
      expect(error.details.failureClass).toBe('invalid_output');
      expect(error.retryable).toBe(true);
      expect(error.details.errors).toEqual(expect.arrayContaining([expect.stringContaining('No score line')]));
    });

    it('quotes the expected format in the message for the repair prompt', () => {
      const error = parseError('');
      expect(error.message).toContain('- Alignment Score: 8/10');
      expect(error.message).toContain('- [Critical] message');
      expect(error.hint).toContain('- [Minor]');
    });

    it('explains why a near-miss JSON report was rejected', () => {
      const error = parseError('```json\n{"scores": "high"}\n```');
      expect((error.details.errors as string[])[0]).toMatch(/^JSON report rejected: scores:/);
    });

    it('accepts a verdict alone, with every dimension missing', () => {
      const { report } = parseValidationReport('## Summary\nOverall Status: PASSED — no issues found.', PLAN);
      expect(report.overall).toBe('pass');
      expect(report.scoreCard.missing).toEqual(['alignment', 'standardization', 'compatibility']);
    });
  });
});

describe('dimensionForLabel', () => {
  it.each([
    ['Alignment Rules', 'alignment'],
    ['Enhanced Alignment', 'alignment'],
    ['Standard Compliance', 'standardization'],
    ['Standardization', 'standardization'],
    ['Standard Compliance Overall', 'standardization'],
    ['Cross-Component Compatibility', 'compatibility'],
    ['Script Testability', 'testability'],
    ['Weighted Overall', 'weighted'],
    ['Overall', 'weighted'],
    ['Overall compliance', ''],
    ['Error Handling Score', 'error_handling'],
    ['SageMaker Step Type Classification', 'sagemaker_step_type_classification'],
  ])('%s → %s', (label, name) => {
    expect(dimensionForLabel(label)).toBe(name);
  });
});

describe('overallFromText', () => {
  it.each([
    ['PASS', 'pass'],
    ['✅ PASS', 'pass'],
    ['PASS WITH MINOR ISSUES', 'pass'],
    ['CONDITIONAL PASS', 'conditional'],
    ['⚠️ CONDITIONAL PASS', 'conditional'],
    ['NEEDS IMPROVEMENT', 'needs_improvement'],
    ['needs_improvement', 'needs_improvement'],
    ['FAIL', 'fail'],
    ['❌ FAILED', 'fail'],
    ['unclear', undefined],
  ])('%s → %s', (text, overall) => {
    expect(overallFromText(text)).toBe(overall);
  });
});
