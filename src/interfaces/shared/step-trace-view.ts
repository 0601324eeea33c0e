/**
 * A step's trace (issue 17, part 2), one object for the dashboard, `converge show ID --step N`
 * and MCP: per run of the step, the prompts as rendered, the raw output, the parsed result,
 * tokens, cost and duration, and the agent's activity. Prompts and activity come from the trace
 * kept beside the log; the rest from the log itself, so runs recorded before traces existed, and
 * results submitted from outside, still show what was recorded.
 */
import { ConvergeError } from '../../core/errors.js';
import type { StepRun, WorkflowState } from '../../core/state.js';
import type { StepTrace, Store } from '../../store/store.js';

export type StepTraceView = Awaited<ReturnType<typeof buildStepTrace>>;

export async function buildStepTrace(store: Store, state: WorkflowState, stepNumber: number) {
  const step = state.definition.steps.find((s) => s.number === stepNumber);
  if (step === undefined) {
    throw new ConvergeError('USAGE', `Workflow ${state.workflowId} has no step ${stepNumber}.`, {
      hint: `Its steps: ${state.definition.steps.map((s) => `${s.number} ${s.name ?? s.id}`).join(', ')}.`,
      details: { field: 'step' },
    });
  }
  const traces = await store.listTraces(state.workflowId, stepNumber);
  const runs = state.runs.filter((r) => r.stepId === step.id);
  return {
    workflow_id: state.workflowId,
    step: { id: step.id, number: step.number, name: step.name ?? step.id, kind: step.kind, role: step.role },
    runs: runs.map((run) => runView(state, run, traces.find((t) => t.actionId === run.actionId))),
  };
}

function runView(state: WorkflowState, run: StepRun, trace: StepTrace | undefined) {
  const output = state.outputs.find((o) => o.actionId === run.actionId);
  const validation = state.validations.find((v) => v.actionId === run.actionId);
  const external = run.agent === 'external';
  const usage = run.usage;
  const recordedOutput = output !== undefined
    ? output.output.raw ?? output.output.content
    : validation?.reviews !== undefined
      ? validation.reviews.map((r) => r.text).join('\n\n')
      : null;
  const rawOutput = trace !== undefined && trace.outputs.length > 0 ? trace.outputs.map((o) => o.text).join('\n\n') : recordedOutput;
  return {
    action_id: run.actionId,
    attempt: run.attempt,
    agent: run.agent ?? trace?.agent ?? null,
    status: run.status,
    started_at: run.startedAt ?? trace?.startedAt ?? null,
    completed_at: run.completedAt ?? null,
    duration_ms: run.startedAt !== undefined && run.completedAt !== undefined ? Date.parse(run.completedAt) - Date.parse(run.startedAt) : null,
    prompts: trace?.prompts ?? [],
    /** Why there is no prompt to show, when there is none. */
    prompts_note: trace !== undefined ? null : external && run.status !== 'completed' ? 'not submitted yet: `converge next` renders it' : 'not recorded (the run is older than step traces, or its trace could not be written)',
    raw_output: rawOutput,
    parsed: parsedOf(output, validation),
    tokens: external ? null : {
      input: usage.reduce((n, u) => n + u.inputTokens, 0),
      output: usage.reduce((n, u) => n + u.outputTokens, 0),
      cached: usage.reduce((n, u) => n + u.cachedInputTokens, 0),
    },
    cost_usd: external ? null : Math.round(usage.reduce((n, u) => n + u.costUsd, 0) * 1e6) / 1e6,
    activity: trace?.activity ?? [],
    failure: run.failure ?? null,
    change_requests: run.changeRequests,
  };
}

function parsedOf(output: WorkflowState['outputs'][number] | undefined, validation: WorkflowState['validations'][number] | undefined): Record<string, unknown> | null {
  if (output !== undefined) {
    return {
      artifact: output.output.artifact,
      version: output.version,
      content: output.output.content,
      files: output.output.files.map((f) => ({ path: f.path, action: f.action, chars: f.content?.length ?? 0 })),
      refused_paths: output.output.refusedPaths ?? [],
      protected_paths: output.output.protectedPaths ?? [],
    };
  }
  if (validation !== undefined) {
    const r = validation.report;
    return {
      kind: r.kind,
      round: validation.round,
      scores: r.scoreCard.dimensions,
      weighted: r.scoreCard.weighted ?? null,
      missing: r.scoreCard.missing,
      overall: r.overall ?? null,
      issues: r.issues.map((i) => ({ severity: i.severity, source: i.source, message: i.message, file: i.location?.file ?? null, line: i.location?.line ?? null })),
      checks: r.toolResults.map((t) => ({ id: t.toolId, status: t.status, summary: t.summary })),
      summary: r.summary,
    };
  }
  return null;
}
