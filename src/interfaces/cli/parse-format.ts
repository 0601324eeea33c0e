/**
 * The text of `converge parse` and `converge submit --dry-run`: what Converge read from a file,
 * laid out so a surprising score or count can be traced to the line it came from.
 */
import { fmt } from '../../core/convergence.js';
import type { OutputReading, ReportReading } from '../../engine/output-reading.js';

export function readingText(reading: OutputReading, heading: string): string {
  const lines = [heading, ''];
  for (const why of reading.truncated ?? []) {
    lines.push(`Cut off: the ${reading.as} ${why}. A step refuses it as invalid output (truncated); send the complete text.`, '');
  }
  if (reading.plan !== undefined) {
    lines.push(`Plan: ${reading.plan.title === null ? '(no "# " title)' : `"${reading.plan.title}"`}, ${reading.plan.lines} lines, ${reading.plan.chars} characters.`);
  }
  if (reading.files !== undefined) {
    lines.push(`Files (${reading.files.length}):`);
    for (const f of reading.files) lines.push(`  ${f.path}  ${f.action}, ${f.lines} line${f.lines === 1 ? '' : 's'}${f.refused ? `  REFUSED: ${f.refused}` : ''}`);
  }
  if (reading.report !== undefined) lines.push(...reportLines(reading.report));
  return lines.join('\n').trimEnd();
}

function reportLines(r: ReportReading): string[] {
  const lines: string[] = [];
  const many = r.reviews.length > 1;
  lines.push('Scores (the one that counts per dimension, and the label it came from):');
  r.reviews.forEach((review, index) => {
    const at = many ? '    ' : '  ';
    if (many) lines.push(`  review ${index + 1} (${review.format})`);
    const used = review.scores.filter((s) => s.used);
    if (used.length === 0) lines.push(`${at}- none`);
    for (const s of used) lines.push(`${at}${pad(name(s.target))} ${pad(String(s.value), 5)} "${s.label}"${s.section ? ` (${s.section})` : ''}`);
    const ignored = review.scores.filter((s) => !s.used);
    if (ignored.length > 0) lines.push(`${at}not counted:`);
    for (const s of ignored) {
      const why = s.target === undefined ? 'a sub-score, neither the overall nor a dimension' : `outranked for ${name(s.target)}`;
      lines.push(`${at}  "${s.label}" ${s.value}${s.section ? ` (${s.section})` : ''}: ${why}`);
    }
    for (const w of review.warnings) lines.push(`${at}ignored: ${w}`);
  });
  lines.push(`Missing scores: ${r.report.scoreCard.missing.length === 0 ? 'none' : r.report.scoreCard.missing.join(', ')}`);
  lines.push(
    `Overall: ${r.overall === null ? 'none (no score given)' : `${fmt(r.overall.value)}${r.overall.stated ? ' (stated by the review)' : ` (weighted mean of ${r.overall.from.join(', ')})`}`}`,
  );
  if (r.report.overall !== undefined) lines.push(`Verdict: ${r.report.overall}`);
  lines.push('', `Issues — counted for convergence: ${(['critical', 'major', 'minor', 'info'] as const).map((s) => `${s} ${r.counted[s]}`).join(', ')}`);
  for (const severity of ['critical', 'major', 'minor', 'info'] as const) {
    const issues = r.report.issues.filter((i) => i.severity === severity);
    const stated = r.report.statedCounts?.[severity];
    if (issues.length === 0 && stated === undefined) continue;
    lines.push(`  ${severity} (${issues.length} listed${stated !== undefined ? `, ${stated} stated` : ''})`);
    for (const issue of issues) lines.push(`    - ${issue.source === 'llm' ? '' : `(${issue.source}) `}${issue.message}${issue.falsePositive ? ` [false positive: ${issue.falsePositive.reason}]` : ''}`);
  }
  const notes = r.report.notes ?? [];
  if (notes.length > 0) lines.push('', 'Notes:', ...notes.map((n) => `  - ${n}`));
  lines.push('', `Against rubric ${r.rubric}${r.report.toolResults.length === 0 ? ' (no checks ran)' : ''}: ${r.convergence.converged ? 'converged' : `not converged — ${r.convergence.unmet.join('; ')}`}`);
  return lines;
}

function name(target: string | undefined): string {
  return target === undefined ? 'sub-score' : target === 'weighted' ? 'weighted overall' : target;
}

function pad(text: string, width = 17): string {
  return text.padEnd(width);
}
