/**
 * The review at a gate (issue 17, part 1), one object for the dashboard, `converge review` and the
 * MCP resource: first the change under review — the code against the workflow's base (the
 * workspace when it started), file by file, or the plan against its previous version — then the
 * validator's issues by severity with file:line, the reviewers' text, each check's parsed failures
 * and output tail (every round's, so round 1's compiler error stays in view after round 2
 * passed), the scores against their thresholds, and the usage (null for external steps: n/a).
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { evaluateConvergence } from '../../core/convergence.js';
import type { Severity, ToolResult } from '../../core/records.js';
import type { OutputRecord, StepRun, ValidationRecord, WorkflowState } from '../../core/state.js';
import { currentCodeFiles } from '../../engine/prompt-inputs.js';
import { readBaseFiles } from '../../workspace/index.js';
import { checkFailures, outputTail } from './check-failures.js';

export type ChangedFileStatus = 'added' | 'modified' | 'deleted';

export interface ReviewFile {
  path: string;
  status: ChangedFileStatus;
  additions: number;
  deletions: number;
  diff: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, major: 1, minor: 2, info: 3 };

export type WorkflowReview = Awaited<ReturnType<typeof buildReview>>;

export async function buildReview(state: WorkflowState) {
  const def = state.definition;
  const stepId = state.gate?.stepId ?? state.validations.at(-1)?.stepId ?? state.outputs.at(-1)?.stepId ?? def.start;
  const step = def.steps.find((s) => s.id === stepId) ?? def.steps[0]!;
  const kind: 'plan' | 'code' = step.artifact === 'plan' ? 'plan' : 'code';
  const validateSteps = new Set(def.steps.filter((s) => s.kind === 'validate' && s.artifact === step.artifact).map((s) => s.id));
  const validations = state.validations.filter((v) => validateSteps.has(v.stepId));
  const latest = validations.at(-1);
  const rubric = def.rubrics.find((r) => r.id === def.steps.find((s) => s.id === latest?.stepId)?.rubric);
  const criteria = latest !== undefined && rubric !== undefined ? evaluateConvergence(rubric, latest.report) : undefined;
  const gate = state.gate;

  return {
    workflow_id: state.workflowId,
    status: state.status,
    gate: gate === null ? null : {
      gate_id: gate.gateId,
      gate_name: def.gates.find((g) => g.id === gate.gateId)?.name ?? gate.gateId,
      interaction_id: gate.interactionId,
      step_number: step.number,
      kind,
      requested_at: gate.requestedAt,
    },
    step: { id: step.id, number: step.number, name: step.name ?? step.id },
    change: kind === 'plan' ? planChange(state, latest) : await codeChange(state, step.artifact),
    issues: (latest?.report.issues ?? [])
      .map((issue) => ({
        severity: issue.severity,
        text: withoutLocation(issue.message, issue.location),
        file: issue.location?.file ?? null,
        line: issue.location?.line ?? null,
        reviewer: issue.source,
        recommendation: issue.recommendation ?? null,
        false_positive: issue.falsePositive?.reason ?? null,
      }))
      .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]),
    reviews: (latest?.reviews ?? []).map((r) => ({ template: r.template, text: r.text })),
    summary: latest?.report.summary ?? '',
    round: latest?.round ?? null,
    checks: latest === undefined ? [] : checksOf(latest),
    checks_by_round: validations.filter((v) => v.report.toolResults.length > 0).map((v) => ({ round: v.round, step_id: v.stepId, at: v.at, checks: checksOf(v) })),
    scores: rubric === undefined || latest === undefined ? [] : Object.entries(rubric.dimensions).map(([dimension, d]) => {
      const value = latest.report.scoreCard.dimensions[dimension] ?? null;
      const threshold = d.min ?? null;
      return { dimension, value, threshold, met: threshold === null ? null : value !== null && value >= threshold };
    }),
    criteria: criteria === undefined ? null : { converged: criteria.converged, met: criteria.met, unmet: criteria.unmet },
    usage: usageOf(state.runs),
    step_usage: usageOf(state.runs.filter((r) => r.stepId === step.id).slice(-1)),
  };
}

/** A reviewer's "src/a.ts:3 does X" with its location parsed out reads "does X" beside file:line. */
function withoutLocation(message: string, location: { file: string; line?: number | undefined } | undefined): string {
  if (location === undefined) return message;
  const prefix = location.line !== undefined ? `${location.file}:${location.line}` : location.file;
  const rest = message.startsWith(prefix) ? message.slice(prefix.length).replace(/^[\s:,-]+/, '') : message;
  return rest === '' ? message : rest;
}

function checksOf(v: ValidationRecord) {
  return v.report.toolResults.map((t: ToolResult) => ({
    id: t.toolId,
    status: t.status,
    required: t.required,
    exit_code: t.exitCode ?? null,
    summary: t.summary,
    failures: checkFailures(t),
    output_tail: outputTail(t.output),
    round: v.round,
  }));
}

function planChange(state: WorkflowState, latest: ValidationRecord | undefined) {
  const plans = state.outputs.filter((o) => o.output.artifact === 'plan');
  const current = plans.at(-1);
  const previous = plans.at(-2);
  const files: ReviewFile[] = [];
  if (current !== undefined) {
    const from = previous === undefined ? '/dev/null' : `plan v${previous.version}`;
    files.push(fileDiff('plan', from, `plan v${current.version}`, previous?.output.content, current.output.content));
  }
  return {
    kind: 'plan' as const,
    base: previous === undefined ? 'nothing: this is the first plan' : `plan v${previous.version}${previous.human ? ` (human revision by ${previous.human.actor.id})` : ''}`,
    base_commit: state.workspace.base ?? null,
    files,
    plan: current === undefined ? null : {
      text: current.output.content,
      previous_text: previous?.output.content ?? null,
      version: current.version,
      round: latest?.round ?? plans.length,
      revised_by: revisedBy(current),
    },
  };
}

async function codeChange(state: WorkflowState, artifact: string) {
  // Refused writes never reach an output's files, so these are what the workspace holds now.
  const current = currentCodeFiles(state, artifact);
  const paths = current.map((f) => f.path).sort();
  const base = await readBaseFiles(state.workspace, paths).catch(() => undefined);
  const files: ReviewFile[] = [];
  for (const path of paths) {
    const change = current.find((f) => f.path === path)!;
    const before = base?.get(path);
    const after = change.action === 'delete' ? undefined : change.content ?? '';
    if (before === after) continue;
    files.push(fileDiff(path, before === undefined ? '/dev/null' : `a/${path}`, after === undefined ? '/dev/null' : `b/${path}`, before, after));
  }
  const revisions = state.outputs.filter((o) => o.output.artifact === artifact && o.human !== undefined).map((o) => revisedBy(o)!);
  return {
    kind: 'code' as const,
    base: baseText(state, base !== undefined),
    base_commit: state.workspace.base ?? null,
    files,
    plan: null,
    revisions,
  };
}

function baseText(state: WorkflowState, readable: boolean): string {
  const sha = state.workspace.base;
  if (sha === undefined) return 'no recorded base (the workflow started before bases were recorded, or outside git): files are shown whole, as added';
  if (!readable) return `the base ${sha.slice(0, 7)} cannot be read (the workspace or its ref is gone): files are shown whole, as added`;
  return `workspace at start (${sha.slice(0, 7)})`;
}

function fileDiff(path: string, from: string, to: string, before: string | undefined, after: string | undefined): ReviewFile {
  const diff = createTwoFilesPatch(from, to, before ?? '', after ?? '', undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
  let additions = 0;
  let deletions = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) additions++;
    else if (line.startsWith('-')) deletions++;
  }
  const status: ChangedFileStatus = before === undefined ? 'added' : after === undefined ? 'deleted' : 'modified';
  return { path, status, additions, deletions, diff };
}

function revisedBy(record: OutputRecord) {
  return record.human === undefined ? null : { actor: record.human.actor.id, at: record.at, comment: record.human.comment ?? null, path: record.human.path ?? null, version: record.version };
}

/**
 * Tokens and cost of these runs. A run whose result came from outside (an external step) has no
 * usage Converge could know: when every run is external, both are null (n/a), never 0.
 */
export function usageOf(runs: readonly StepRun[]) {
  const counted = runs.filter((r) => r.agent !== 'external');
  const externalRuns = runs.length - counted.length;
  if (counted.length === 0 && externalRuns > 0) return { tokens: null, cost_usd: null, external: true, external_runs: externalRuns };
  const usage = counted.flatMap((r) => r.usage);
  return {
    tokens: usage.reduce((n, u) => n + u.inputTokens + u.outputTokens, 0),
    cost_usd: Math.round(usage.reduce((n, u) => n + u.costUsd, 0) * 1e6) / 1e6,
    external: false,
    external_runs: externalRuns,
  };
}
