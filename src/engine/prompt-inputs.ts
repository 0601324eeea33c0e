/**
 * The variables a step's template is rendered with, resolved from the durable record.
 *
 * Besides the seed's variables (the whole latest report, every check result, the knowledge as
 * selected), the built-in templates use compact forms that leave out what the prompt would
 * otherwise carry twice: `reference_material` drops the knowledge sections about files the prompt
 * shows in full, `validation_findings` is the report a reviser needs (scores, unmet criteria,
 * open issues by severity, the checks, the reviewers' notes without the repeated scores), and
 * `check_summary` leaves out check output lines an earlier check already showed.
 */
import type { Rubric, WorkflowDefinition } from '../core/definition-schema.js';
import type { FileChange, Issue, Severity, ToolResult, ValidationReport } from '../core/records.js';
import type { ReviewText } from '../core/events.js';
import type { StepRun, WorkflowState } from '../core/state.js';
import { withoutPaths } from '../knowledge/context-selection.js';
import { formatFiles, formatReport, formatToolResults, scoreLines } from './report-format.js';
import { FILE_BLOCK_AGENT } from './in-place.js';
import type { PromptAgent } from './in-place.js';

export interface PromptInputs {
  requirements: string;
  step_type: string;
  documentation_locations: string[];
  workspace: { type: string; path: string };
  knowledge: string;
  plan: string;
  code: string;
  validation_report: string;
  original_artifact: string;
  change_requests: string[];
  check_results: string;
  step_number: number;
  iteration: number;
  repair_errors: string;
  /** `knowledge` without the sections about files shown in full in `code` (code steps only). */
  reference_material: string;
  /** The latest report, compact, for the step that revises the artifact. */
  validation_findings: string;
  /** The reviews of the latest validation whole, as their authors wrote them (cut with a marker past the budget). */
  validation_reports: string;
  /** `check_results` without output lines an earlier check's output already showed. */
  check_summary: string;
  /** Which version `plan` is: 1 for the first plan, 0 when there is none. */
  plan_version: number;
  /** `produce` (write or revise an artifact) or `validate` (review it). */
  step_kind: 'produce' | 'validate';
  /** How the step's rubric weighs its dimensions, in words ("the mean of the scores", or each share). */
  score_weights: string;
  /** Who the prompt is for: `edits_in_place` for a CLI agent or a host that edits the workspace itself, else file blocks. */
  agent: PromptAgent;
  /** The project's checks, one command line each, for an agent that verifies its own work. */
  check_commands: Array<{ id: string; name: string; command: string; required: boolean; cwd: string }>;
  [key: string]: unknown;
}

/** Every file the code artifact has touched so far, latest content winning. */
export function currentCodeFiles(state: WorkflowState, artifact = 'code'): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const out of state.outputs) {
    if (out.output.artifact !== artifact) continue;
    for (const file of out.output.files) byPath.set(file.path, file);
  }
  return [...byPath.values()];
}

export function promptInputs(def: WorkflowDefinition, state: WorkflowState, run: StepRun, knowledge = '', agent: PromptAgent = FILE_BLOCK_AGENT): PromptInputs {
  const step = def.steps.find((s) => s.id === run.stepId)!;
  const latest = (artifact: string) => state.outputs.findLast((o) => o.output.artifact === artifact);
  const plan = latest('plan')?.output.content ?? '';
  const codeFiles = currentCodeFiles(state);
  const validateSteps = new Set(def.steps.filter((s) => s.kind === 'validate' && s.artifact === step.artifact).map((s) => s.id));
  const lastValidation = state.validations.findLast((v) => validateSteps.has(v.stepId));
  const rubric = lastValidation && def.rubrics.find((r) => r.id === def.steps.find((s) => s.id === lastValidation.stepId)?.rubric);
  const original = latest(step.artifact);
  const previousRun = state.runs.filter((r) => r.stepId === run.stepId && r.actionId !== run.actionId).at(-1);
  // Code steps show every current file in full, so the same files' knowledge sections would repeat them.
  const shown = step.artifact === 'code' ? codeFiles.filter((f) => f.action !== 'delete').map((f) => f.path) : [];

  return {
    requirements: state.requirements,
    step_type: state.taskType ?? '',
    documentation_locations: state.documentationLocations,
    workspace: { type: state.workspace.type, path: state.workspace.path },
    knowledge,
    plan,
    code: formatFiles(codeFiles),
    validation_report: lastValidation ? formatReport(lastValidation.report, rubric) : '',
    original_artifact: original === undefined ? '' : step.artifact === 'code' ? formatFiles(codeFiles) : original.output.content,
    change_requests: run.changeRequests,
    check_results: run.checks ? formatToolResults(run.checks) : '',
    step_number: step.number,
    iteration: step.kind === 'validate'
      ? state.validations.filter((v) => v.loopId === step.loop).length + 1
      : state.outputs.filter((o) => o.output.artifact === step.artifact).length + 1,
    repair_errors:
      run.recoveryStrategy === 'repair_prompt' && previousRun?.failure ? previousRun.failure.message : '',
    reference_material: withoutPaths(knowledge, shown),
    // With the reviews shown whole, the findings leave out the reviewers' notes they would repeat.
    validation_findings: lastValidation ? formatFindings(lastValidation.report, rubric, { notes: lastValidation.reviews === undefined }) : '',
    validation_reports: lastValidation?.reviews ? formatReviews(lastValidation.reviews) : '',
    check_summary: run.checks ? formatToolResults(withoutRepeatedOutput(run.checks)) : '',
    plan_version: state.outputs.filter((o) => o.output.artifact === 'plan').length,
    step_kind: step.kind,
    score_weights: weightsInWords(def.rubrics.find((r) => r.id === step.rubric)),
    agent,
    check_commands: def.checks.map((c) => ({
      id: c.id,
      name: c.name ?? c.id,
      command: typeof c.command === 'string' ? c.command : c.command.join(' '),
      required: c.required,
      cwd: c.cwd ?? '',
    })),
  };
}

/**
 * How much of the reviews a revision prompt carries, in characters (about 10,000 tokens), shared
 * by the reviews of the round. A recommendation with code must reach the reviser whole; past the
 * budget a review keeps its start and its end and says where, and how much, was cut.
 */
export const REVIEWS_BUDGET_CHARS = 40_000;

export function formatReviews(reviews: readonly ReviewText[], budget = REVIEWS_BUDGET_CHARS): string {
  const each = Math.floor(budget / Math.max(1, reviews.length));
  return reviews
    .map((review, i) => {
      const heading = `### Review ${i + 1} of ${reviews.length} (${review.template.replace(/_prompt_template\.md$|\.md$/, '')}), as written`;
      return `${heading}\n\n${cutWithMarker(review.text.trim(), each)}`;
    })
    .join('\n\n');
}

function cutWithMarker(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.7);
  const tail = max - head;
  const cut = text.length - head - tail;
  return `${text.slice(0, head)}\n\n[… ${cut.toLocaleString('en-US')} characters of this review cut here to fit the prompt; the findings above list every issue it raised …]\n\n${text.slice(-tail)}`;
}

/** "the mean of the scores" for equal weights, else each dimension's share ("alignment 40 %, …"). */
export function weightsInWords(rubric: Rubric | undefined): string {
  const dims = Object.entries(rubric?.dimensions ?? {});
  const total = dims.reduce((sum, [, d]) => sum + d.weight, 0);
  if (dims.length === 0 || total <= 0 || dims.every(([, d]) => d.weight === dims[0]![1].weight)) return 'the mean of the scores';
  const shares = dims.map(([name, d]) => `${name} ${Math.round((d.weight / total) * 1000) / 10} %`);
  return `weighted ${shares.join(', ')}`;
}

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'major', 'minor', 'info'];

/**
 * What a reviser needs from a report: the scores and what stops convergence, the open issues most
 * severe first, the false positives (so they are not "fixed"), the checks with the output of those
 * that did not pass, and the reviewers' own words without the score lines already listed.
 */
export function formatFindings(report: ValidationReport, rubric?: Rubric, options: { notes?: boolean } = {}): string {
  const lines = scoreLines(report, rubric);
  const open = report.issues.filter((i) => i.falsePositive === undefined);
  const falsePositives = report.issues.filter((i) => i.falsePositive !== undefined);
  const bySeverity = (a: Issue, b: Issue) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity);
  lines.push('', '### Issues');
  if (open.length === 0) lines.push('- None.');
  for (const issue of [...open].sort(bySeverity)) lines.push(issueLine(issue));
  if (falsePositives.length > 0) {
    lines.push('', '### False positives (no fix needed)');
    for (const issue of falsePositives) lines.push(`${issueLine(issue)} — ${issue.falsePositive!.reason}`);
  }
  if (report.toolResults.length > 0) lines.push('', '### Checks', formatToolResults(withoutRepeatedOutput(report.toolResults)));
  const notes = options.notes === false ? '' : reviewerNotes(report.summary);
  if (notes !== '') lines.push('', '### Reviewer notes', notes);
  return lines.join('\n');
}

function issueLine(issue: Issue): string {
  const loc = issue.location ? `${issue.location.file}${issue.location.line ? `:${issue.location.line}` : ''}` : '';
  // Reviewers often start the message with the location already; don't print it twice.
  const where = loc !== '' && !issue.message.startsWith(loc) ? `${loc} ` : '';
  const source = issue.source === 'llm' ? '' : `(${issue.source}) `;
  return `- [${title(issue.severity)}] ${source}${where}${issue.message}`;
}

/** The reviewers' summaries without the score, assessment and count lines the findings already list. */
function reviewerNotes(summary: string): string {
  const repeated = /^\s*[-*]?\s*(?:\*\*)?(?:[\w ]+ Score|Overall Assessment|Critical Issues|Major Issues|Minor Issues)(?:\*\*)?\s*:/i;
  return summary
    .split('\n')
    .filter((line) => !repeated.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Check results whose outputs leave out the lines an earlier check's output already showed (a test
 * runner that compiles first repeats the compiler's errors): each such output says how many it left out.
 */
export function withoutRepeatedOutput(results: readonly ToolResult[]): ToolResult[] {
  const seen = new Map<string, string>();
  return results.map((r) => {
    if (r.status === 'passed' || r.output === undefined || r.output.trim() === '') return r;
    const lines = r.output.split('\n');
    const kept: string[] = [];
    const repeatedFrom = new Set<string>();
    for (const line of lines) {
      const key = line.trim();
      const earlier = key.length >= 12 ? seen.get(key) : undefined;
      if (earlier !== undefined && earlier !== r.toolId) repeatedFrom.add(earlier);
      else kept.push(line);
    }
    const note = `(${lines.length - kept.length} line${lines.length - kept.length === 1 ? '' : 's'} shown above under ${[...repeatedFrom].join(', ')} left out)`;
    const output = repeatedFrom.size === 0 ? r.output : [note, ...kept].join('\n');
    // Only what the prompt shows counts as shown: formatToolResults keeps an output's last 4,000 characters.
    for (const line of output.slice(-SHOWN_OUTPUT_CHARS).split('\n')) {
      const key = line.trim();
      if (key.length >= 12 && !seen.has(key)) seen.set(key, r.toolId);
    }
    return repeatedFrom.size === 0 ? r : { ...r, output };
  });
}

/** How much of a check's output formatToolResults shows (its tail). */
const SHOWN_OUTPUT_CHARS = 4000;

function title(name: string): string {
  return name.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}
