/**
 * The review and a step's trace as text: `converge review` and `converge show --step` for a person
 * at a terminal, and the MCP review resource (without colour) for a coding agent. The same objects
 * the HTTP API gives (workflow-review.ts, step-trace-view.ts). Diffs are coloured when stdout is a
 * terminal. Stored text (agent output, diffs, check output) is stripped of escape
 * sequences and control characters before any colour is added, as printText does for all text.
 */
import type { StepTraceView } from './step-trace-view.js';
import type { WorkflowReview } from './workflow-review.js';

const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[ -/]*[0-~]?)/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Stored text as a terminal may show it. */
export function plain(text: string): string {
  return text.replace(ESCAPES, '').replace(/\r\n/g, '\n').replace(CONTROL, '');
}

export interface Paint {
  red(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
export const COLOURS: Paint = { red: sgr(31, 39), green: sgr(32, 39), cyan: sgr(36, 39), bold: sgr(1, 22), dim: sgr(2, 22) };
export const NO_COLOUR: Paint = { red: (t) => t, green: (t) => t, cyan: (t) => t, bold: (t) => t, dim: (t) => t };

/** Colour for a TTY unless NO_COLOR is set (no-color.org). */
export function paintFor(stream: NodeJS.WriteStream = process.stdout): Paint {
  return stream.isTTY === true && (process.env.NO_COLOR ?? '') === '' ? COLOURS : NO_COLOUR;
}

export function diffText(diff: string, paint: Paint): string {
  return plain(diff)
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return paint.bold(line);
      if (line.startsWith('@@')) return paint.cyan(line);
      if (line.startsWith('+')) return paint.green(line);
      if (line.startsWith('-')) return paint.red(line);
      return line;
    })
    .join('\n');
}

function indent(text: string, by = '    '): string {
  return text.split('\n').map((l) => `${by}${l}`).join('\n');
}

const n = (value: number | null, unit = ''): string => (value === null ? 'n/a' : `${value}${unit}`);

export function reviewText(review: WorkflowReview, paint: Paint): string {
  const out: string[] = [];
  const gate = review.gate;
  out.push(paint.bold(`Review of workflow ${review.workflow_id}`) + ` — ${gate !== null ? `waiting at ${gate.gate_name} (step ${gate.step_number}, ${gate.kind})` : `no gate pending (status ${review.status})`}`);
  out.push(`Step ${review.step.number} ${plain(review.step.name)}${review.round !== null ? `, round ${review.round}` : ''}`);

  const change = review.change;
  out.push('', paint.bold(`Change (${change.kind}) against ${plain(change.base)}`));
  if (change.files.length === 0) out.push('  no changes');
  for (const f of change.files) out.push(`  ${f.status.padEnd(8)} ${plain(f.path)}  ${paint.green(`+${f.additions}`)} ${paint.red(`-${f.deletions}`)}`);
  if (change.plan !== null && change.plan.revised_by !== null) out.push(`  plan v${change.plan.version} is a human revision by ${plain(change.plan.revised_by.actor)}${change.plan.revised_by.comment ? `: ${plain(change.plan.revised_by.comment)}` : ''}`);
  for (const f of change.files) out.push('', diffText(f.diff, paint));

  out.push('', paint.bold(`Issues (${review.issues.length})`));
  if (review.issues.length === 0) out.push('  none');
  for (const issue of review.issues) {
    const where = issue.file !== null ? `${plain(issue.file)}${issue.line !== null ? `:${issue.line}` : ''} ` : '';
    const severity = issue.severity === 'critical' || issue.severity === 'major' ? paint.red(issue.severity) : issue.severity;
    out.push(`  [${severity}] ${where}${plain(issue.text)}${issue.reviewer ? paint.dim(` (${plain(issue.reviewer)})`) : ''}${issue.false_positive ? paint.dim(` — false positive: ${plain(issue.false_positive)}`) : ''}`);
  }

  if (review.reviews.length > 0) {
    out.push('', paint.bold('Reviews'));
    for (const r of review.reviews) out.push(`  ${paint.dim(`── ${plain(r.template)}`)}`, indent(plain(r.text).trim(), '  '));
  }

  out.push('', paint.bold('Checks'));
  const rounds = review.checks_by_round.length > 0 ? review.checks_by_round : [];
  if (rounds.length === 0) out.push('  none ran');
  for (const round of rounds) {
    for (const check of round.checks) {
      const status = check.status === 'passed' ? paint.green(check.status) : check.status === 'skipped' ? check.status : paint.red(check.status);
      out.push(`  round ${round.round}  ${plain(check.id)} ${status}${check.required ? '' : ' (optional)'}${check.exit_code !== null ? `, exit code ${check.exit_code}` : ''}: ${plain(check.summary)}`);
      for (const f of check.failures) out.push(`    ${f.file !== null ? `${plain(f.file)}${f.line !== null ? `:${f.line}` : ''}: ` : ''}${plain(f.message)}`);
      if (check.status !== 'passed' && check.output_tail !== '') out.push(paint.dim('    output (tail):'), indent(plain(check.output_tail), '      '));
    }
  }

  out.push('', paint.bold('Scores'));
  if (review.scores.length === 0) out.push('  none');
  for (const s of review.scores) {
    const mark = s.met === null ? '' : s.met ? paint.green(' ✓') : paint.red(' ✗');
    out.push(`  ${s.dimension.padEnd(16)} ${n(s.value)}${s.threshold !== null ? ` (needs ≥ ${s.threshold})` : ''}${mark}`);
  }
  if (review.criteria !== null) {
    out.push(`  ${review.criteria.converged ? paint.green('converged') : paint.red('not converged')}: ${[...review.criteria.met, ...review.criteria.unmet].map(plain).join('; ')}`);
  }
  const u = review.usage;
  out.push('', `Usage: ${u.external ? 'n/a (external steps)' : `${n(u.tokens)} tokens, $${(u.cost_usd ?? 0).toFixed(4)}${u.external_runs > 0 ? ` (${u.external_runs} external run${u.external_runs === 1 ? '' : 's'}: n/a)` : ''}`}`);
  return out.join('\n');
}

export function traceText(trace: StepTraceView, paint: Paint): string {
  const out: string[] = [paint.bold(`Workflow ${trace.workflow_id}, step ${trace.step.number} ${plain(trace.step.name)} (${trace.step.role}, ${trace.step.kind})`)];
  if (trace.runs.length === 0) out.push('', 'This step has not run.');
  for (const run of trace.runs) {
    const tokens = run.tokens === null ? 'n/a' : `${run.tokens.input} in / ${run.tokens.output} out${run.tokens.cached > 0 ? ` (${run.tokens.cached} cached)` : ''}`;
    out.push(
      '',
      paint.bold(`Run ${run.action_id}, attempt ${run.attempt}: ${run.status}`),
      `  agent ${plain(run.agent ?? 'unknown')}; started ${run.started_at ?? 'n/a'}; duration ${run.duration_ms === null ? 'n/a' : `${(run.duration_ms / 1000).toFixed(1)} s`}`,
      `  tokens ${tokens}; cost ${run.cost_usd === null ? 'n/a' : `$${run.cost_usd.toFixed(4)}`}`,
    );
    if (run.failure !== null) out.push(`  ${paint.red('failed')}: ${plain(run.failure.message)}`);
    if (run.prompts.length === 0) out.push('', paint.dim(`  Prompt: ${run.prompts_note ?? 'none'}`));
    for (const p of run.prompts) out.push('', paint.bold(`  Prompt (${plain(p.template)})`), indent(plain(p.text)));
    out.push('', paint.bold('  Raw output'), run.raw_output === null ? '    none recorded' : indent(plain(run.raw_output)));
    if (run.parsed !== null) out.push('', paint.bold('  Parsed result'), indent(plain(JSON.stringify(run.parsed, null, 2))));
    if (run.activity.length > 0) {
      out.push('', paint.bold('  Activity'));
      for (const a of run.activity) out.push(`    ${a.at} ${plain(a.kind)}: ${plain(a.text)}`);
    }
  }
  return out.join('\n');
}
