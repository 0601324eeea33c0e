import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/engine/report-format.js';
import type { ValidationReport } from '../../src/core/records.js';

const report: ValidationReport = {
  kind: 'plan',
  scoreCard: { dimensions: { alignment: 6 }, missing: [] },
  issues: [{ severity: 'critical', source: 'llm', level: 1, message: 'one of four listed' }],
  toolResults: [],
  summary: '',
  statedCounts: { critical: 3 },
  notes: ['The report states 3 critical issues but lists 1; 3 count for convergence.'],
};

describe('formatReport', () => {
  it("shows the reviewer's stated counts that convergence uses", () => {
    expect(formatReport(report)).toContain("Counted for convergence (the reviewer's own counts): critical 3.");
  });

  it('lists the parser notes', () => {
    expect(formatReport(report)).toContain('### Parser notes\n- The report states 3 critical issues but lists 1; 3 count for convergence.');
  });

  it('adds neither for a report recorded before reports were read this way', () => {
    const { statedCounts: _s, notes: _n, ...old } = report;
    const text = formatReport(old);
    expect(text).not.toContain('Parser notes');
    expect(text).not.toContain('Counted for convergence');
  });
});
