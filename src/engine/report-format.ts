/**
 * Markdown renderings of recorded results, for prompts (the reviser reads the last report)
 * and for `converge show`.
 */
import { evaluateConvergence } from '../core/convergence.js';
import type { Rubric } from '../core/definition-schema.js';
import type { FileChange, ToolResult, ValidationReport } from '../core/records.js';

export function formatToolResults(results: readonly ToolResult[]): string {
  if (results.length === 0) return 'No deterministic checks ran.';
  const lines = ['| check | level | required | status | summary |', '|---|---|---|---|---|'];
  for (const r of results) {
    lines.push(`| ${r.toolId} | L${r.level} | ${r.required ? 'yes' : 'no'} | ${r.status.toUpperCase()} | ${oneLine(r.summary)} |`);
  }
  for (const r of results) {
    if (r.status === 'passed' || r.output === undefined || r.output.trim() === '') continue;
    lines.push('', `### ${r.toolId} output (${r.status})`, '```', tail(r.output, 4000), '```');
  }
  return lines.join('\n');
}

/** The score lines of a report, and with a rubric whether it converged and what it did not meet. */
export function scoreLines(report: ValidationReport, rubric?: Rubric): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(report.scoreCard.dimensions)) lines.push(`- ${title(name)} Score: ${value}/10`);
  for (const name of report.scoreCard.missing) lines.push(`- ${title(name)} Score: MISSING`);
  if (report.scoreCard.weighted !== undefined) lines.push(`- Weighted Overall Score: ${report.scoreCard.weighted}/10`);
  if (rubric !== undefined) {
    const result = evaluateConvergence(rubric, report);
    lines.push(`- Converged: ${result.converged ? 'yes' : 'no'}${result.unmet.length > 0 ? ` (unmet: ${result.unmet.join('; ')})` : ''}`);
  }
  return lines;
}

export function formatReport(report: ValidationReport, rubric?: Rubric): string {
  const lines = [`## Validation report (${report.kind})`, '', ...scoreLines(report, rubric)];
  lines.push('', '### Issues');
  if (report.issues.length === 0) lines.push('- none');
  for (const issue of report.issues) {
    const loc = issue.location ? `${issue.location.file}${issue.location.line ? `:${issue.location.line}` : ''}` : '';
    // Reviewers often start the message with the location already; don't print it twice.
    const where = loc !== '' && !issue.message.startsWith(loc) ? ` ${loc}` : '';
    const fp = issue.falsePositive ? ` (false positive: ${issue.falsePositive.reason})` : '';
    lines.push(`- [${title(issue.severity)}] (${issue.source})${where} ${issue.message}${fp}`);
  }
  const stated = Object.entries(report.statedCounts ?? {});
  if (stated.length > 0) {
    lines.push('', `Counted for convergence (the reviewer's own counts): ${stated.map(([severity, n]) => `${severity} ${n}`).join(', ')}.`);
  }
  if (report.toolResults.length > 0) lines.push('', '### Checks', formatToolResults(report.toolResults));
  if (report.summary.trim() !== '') lines.push('', '### Reviewer summary', report.summary.trim());
  // How the report was read, so a surprising count or score can be traced to its line.
  if ((report.notes ?? []).length > 0) lines.push('', '### Parser notes', ...report.notes!.map((n) => `- ${n}`));
  return lines.join('\n');
}

export function formatFiles(files: readonly FileChange[]): string {
  return files
    .filter((f) => f.action !== 'delete')
    .map((f) => `# File: ${f.path}\n\`\`\`\n${f.content ?? ''}\n\`\`\``)
    .join('\n\n');
}

function title(name: string): string {
  return name.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 200);
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…\n${text.slice(-max)}`;
}
