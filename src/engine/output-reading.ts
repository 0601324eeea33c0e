/**
 * What Converge reads from an agent's output, without recording anything: the same parsers and
 * merge a step uses, laid out for a person checking their own file (`converge parse`) or a result
 * before submitting it (`converge submit --dry-run`).
 */
import { evaluateConvergence, level1Overall } from '../core/convergence.js';
import type { Step, WorkflowDefinition } from '../core/definition-schema.js';
import { ConvergeError } from '../core/errors.js';
import { issueCount } from '../core/records.js';
import type { Severity, ToolResult, ValidationReport } from '../core/records.js';
import { currentRun } from '../core/state.js';
import type { WorkflowState } from '../core/state.js';
import { parseFileBlocks, parsePlan, truncationOf } from '../agents/parsing/index.js';
import type { ScoreReading } from '../agents/parsing/index.js';
import { resolveInside } from '../workspace/path-guard.js';
import { mergeReviews } from './review-merge.js';
import { mergeReports } from './step-executor.js';
import { fileBlocksIn, usableSnapshot } from './in-place.js';

export const READ_AS = ['plan', 'report', 'code'] as const;
export type ReadAs = (typeof READ_AS)[number];

const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor', 'info'];

export interface ReportReading {
  kind: ValidationReport['kind'];
  rubric: string;
  /** One entry per review file: its format, every score line and what was ignored. */
  reviews: Array<{ format: 'json' | 'markdown'; scores: ScoreReading[]; warnings: string[] }>;
  /** The report as it would be recorded (merged over the reviews; with checks for a submitted step). */
  report: ValidationReport;
  /** The L1 overall the code rubric's gate reads: stated, or the weighted mean of the scores given. */
  overall: { value: number; stated: boolean; from: string[] } | null;
  /** Per severity, what the convergence rule counts (the reviewer's stated count where it disagrees with the list). */
  counted: Record<Severity, number>;
  convergence: { converged: boolean; met: string[]; unmet: string[] };
}

export interface OutputReading {
  as: ReadAs;
  /** Why a text looks cut off mid-structure: a step would refuse it as `invalid_output: truncated`. */
  truncated?: string[];
  plan?: { title: string | null; chars: number; lines: number };
  files?: Array<{ path: string; action: string; lines: number; refused?: string }>;
  report?: ReportReading;
}

/** The validate step that uses `rubricId`, whose artifact says whether a report is a plan or a code review. */
export function stepForRubric(def: WorkflowDefinition, rubricId: string): Step {
  const step = def.steps.find((s) => s.kind === 'validate' && s.rubric === rubricId);
  if (step === undefined) {
    const rubrics = [...new Set(def.steps.filter((s) => s.kind === 'validate').map((s) => s.rubric))].join(', ');
    throw new ConvergeError('USAGE', `No validate step of ${def.id} uses a rubric "${rubricId}".`, { hint: `Rubrics: ${rubrics}.` });
  }
  return step;
}

/** Reads `texts` as `as`, the way `step` would; for a report without a workflow, without checks. */
export function readOutput(def: WorkflowDefinition, as: ReadAs, texts: readonly string[], step?: Step): OutputReading {
  return withTruncation(texts, readOutputOnly(def, as, texts, step));
}

function readOutputOnly(def: WorkflowDefinition, as: ReadAs, texts: readonly string[], step?: Step): OutputReading {
  if (as === 'plan') {
    const plan = parsePlan(texts.join('\n\n'));
    return { as, plan: { title: plan.title ?? null, chars: plan.content.length, lines: plan.content.split('\n').length } };
  }
  if (as === 'code') return { as, files: readFiles(texts.join('\n\n')) };
  const reviewed = step ?? stepForRubric(def, 'plan');
  const merged = mergeReviews(def, reviewed, texts);
  const rubric = def.rubrics.find((r) => r.id === reviewed.rubric)!;
  const report: ValidationReport = {
    kind: merged.kind,
    scoreCard: {
      dimensions: merged.dimensions,
      ...(merged.weighted !== undefined ? { weighted: merged.weighted } : {}),
      missing: Object.keys(rubric.dimensions).filter((d) => rubric.dimensions[d]!.min !== undefined && merged.dimensions[d] === undefined),
    },
    issues: merged.issues,
    toolResults: [],
    ...(merged.overall !== undefined ? { overall: merged.overall } : {}),
    summary: merged.summaries.join('\n\n'),
    ...(merged.statedCounts !== undefined ? { statedCounts: merged.statedCounts } : {}),
    ...(merged.notes.length > 0 ? { notes: merged.notes } : {}),
  };
  return { as, report: reportReading(def, reviewed, merged.parsed, report) };
}

/**
 * What `converge submit` would record for the run waiting at `step`: the produce step's plan or
 * files (paths outside the workspace flagged, nothing written), or the validate step's merged
 * report with the checks already recorded for it.
 */
export function readSubmission(state: WorkflowState, step: Step, texts: readonly string[], checks: ToolResult[], readOnly: readonly string[] = []): OutputReading {
  return withTruncation(texts, readSubmissionOnly(state, step, texts, checks, readOnly));
}

/** A cut-off text is named beside what was read from it, as the step itself would refuse it. */
function withTruncation(texts: readonly string[], reading: OutputReading): OutputReading {
  const cut = texts.flatMap((text, i) => {
    const why = truncationOf(text);
    return why === undefined ? [] : [`${texts.length > 1 ? `text ${i + 1} ` : ''}ends ${why}`];
  });
  return cut.length === 0 ? reading : { ...reading, truncated: cut };
}

function readSubmissionOnly(state: WorkflowState, step: Step, texts: readonly string[], checks: ToolResult[], readOnly: readonly string[] = []): OutputReading {
  const def = state.definition;
  if (step.kind === 'produce' && step.role !== 'programmer') return readOutput(def, 'plan', texts);
  // A host that edits in place may submit a summary alone: only the blocks its text carries, if any, are read from it.
  const inPlace = usableSnapshot(currentRun(state)) !== undefined;
  const parse = inPlace ? (text: string) => fileBlocksIn(text, { strict: true }) : parseFileBlocks;
  if (step.kind === 'produce') return { as: 'code', files: readFiles(texts.join('\n\n'), state.workspace.path, readOnly, parse) };
  const report = mergeReports(def, step, [...texts], checks, state);
  return { as: 'report', report: reportReading(def, step, mergeReviews(def, step, texts).parsed, report) };
}

function reportReading(def: WorkflowDefinition, step: Step, parsed: ReturnType<typeof mergeReviews>['parsed'], report: ValidationReport): ReportReading {
  const rubric = def.rubrics.find((r) => r.id === step.rubric)!;
  const result = evaluateConvergence(rubric, report);
  return {
    kind: report.kind,
    rubric: rubric.id,
    reviews: parsed.map((p) => ({ format: p.format, scores: p.scores, warnings: p.warnings })),
    report,
    overall: level1Overall(rubric, report.scoreCard) ?? null,
    counted: Object.fromEntries(SEVERITIES.map((s) => [s, issueCount(report, s)])) as Record<Severity, number>,
    convergence: { converged: result.converged, met: result.met, unmet: result.unmet },
  };
}

function readFiles(text: string, workspace?: string, readOnly: readonly string[] = [], parse = parseFileBlocks): OutputReading['files'] {
  return parse(text).map((file) => {
    const entry: NonNullable<OutputReading['files']>[number] = { path: file.path, action: file.action, lines: (file.content ?? '').split('\n').length };
    if (workspace === undefined) return entry;
    try {
      resolveInside(workspace, file.path, readOnly);
    } catch (error) {
      entry.refused = error instanceof Error ? error.message : String(error);
    }
    return entry;
  });
}
