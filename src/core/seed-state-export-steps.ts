/**
 * The per-run parts of the seed state export: one `step_history` entry per run, with the schema's
 * error record, and the scores as the schema names them.
 */
import { evaluateConvergence, weightedScore } from './convergence.js';
import type { WorkflowDefinition } from './definition-schema.js';
import { issueCount } from './records.js';
import type { ValidationReport } from './records.js';
import type { StepRun, ValidationRecord, WorkflowState } from './state.js';
import { SUMMARY_CHARS } from './seed-state-shape.js';
import type { SeedScores, SeedStepEntry } from './seed-state-shape.js';
import { rubricOf, stepOf } from './seed-state-lookups.js';

export function stepEntry(state: WorkflowState, run: StepRun): SeedStepEntry {
  const def = state.definition;
  const step = stepOf(def, run.stepId);
  const output = state.outputs.find((o) => o.actionId === run.actionId);
  const validation = state.validations.find((v) => v.actionId === run.actionId);
  const startedAt = run.startedAt ?? run.scheduledAt;
  const entry: SeedStepEntry = {
    step_number: run.stepNumber,
    step_id: run.stepId,
    action_id: run.actionId,
    agent: run.role,
    template: step.templates[0]!,
    templates: [...step.templates],
    status: run.status === 'completed' ? 'completed' : run.status === 'failed' ? 'failed' : 'in_progress',
    scheduled_at: run.scheduledAt,
    started_at: startedAt,
    completed_at: run.completedAt ?? null,
    execution_time: run.completedAt === undefined ? null : seconds(startedAt, run.completedAt),
    input_context: {
      attempt: run.attempt,
      timeout_ms: run.timeoutMs,
      ...(run.recoveryStrategy !== undefined ? { recovery_strategy: run.recoveryStrategy } : {}),
      ...(run.changeRequests.length > 0 ? { change_requests: [...run.changeRequests] } : {}),
    },
    output: null,
    validation_scores: null,
    error_info: null,
  };
  if (output !== undefined) {
    entry.output = {
      artifact: output.output.artifact,
      version: output.version,
      summary: summarise(output.output.content),
      files: output.output.files.map((f) => f.path),
    };
  }
  if (validation !== undefined) {
    const report = validation.report;
    const result = convergenceFor(def, validation);
    entry.output = {
      report_kind: report.kind,
      summary: summarise(report.summary),
      overall: report.overall ?? null,
      critical_issues: issueCount(report, 'critical'),
      major_issues: issueCount(report, 'major'),
      minor_issues: issueCount(report, 'minor'),
      checks: report.toolResults.map((t) => ({
        id: t.toolId,
        status: t.status,
        required: t.required,
        ...(t.coverage !== undefined ? { coverage: t.coverage } : {}),
      })),
      converged: result.converged,
      unmet: result.unmet,
    };
    entry.validation_scores = scoresOf(def, validation);
  }
  if (run.status === 'failed' && run.failure !== undefined) {
    const index = state.runs.indexOf(run);
    const retry = state.runs[index + 1];
    const recovered = retry !== undefined && retry.stepId === run.stepId && retry.recoveryStrategy !== undefined;
    entry.error_info = {
      error_type: run.failure.class,
      error_message: run.failure.message,
      error_details: {
        agent: run.role,
        step: run.stepNumber,
        template: step.templates[0]!,
        timeout_duration: run.timeoutMs / 1000,
        partial_output: null,
        ...(run.failure.retryAfterMs !== undefined ? { retry_after_ms: run.failure.retryAfterMs } : {}),
      },
      recovery_attempts: run.attempt - 1,
      recovery_strategies: recovered
        ? [
            {
              strategy: retry.recoveryStrategy!,
              attempted_at: retry.scheduledAt,
              result: retry.status === 'completed' ? 'success' : retry.status === 'failed' ? 'failed' : 'in_progress',
            },
          ]
        : [],
    };
  }
  return entry;
}

/** The schema's four scores always, null when not scored (the code rubric has no compatibility), plus any other dimension. */
export function scoresOf(def: WorkflowDefinition, v: ValidationRecord): SeedScores {
  const rubric = rubricOf(def, stepOf(def, v.stepId));
  return {
    alignment_score: null,
    standardization_score: null,
    compatibility_score: null,
    ...dimensionScores(v.report),
    overall_score: weightedScore(rubric, v.report.scoreCard) ?? v.report.scoreCard.weighted ?? null,
  };
}

export function dimensionScores(report: ValidationReport): SeedScores {
  return Object.fromEntries(Object.entries(report.scoreCard.dimensions).map(([name, value]) => [`${name}_score`, value]));
}

export function convergenceFor(def: WorkflowDefinition, v: ValidationRecord) {
  return evaluateConvergence(rubricOf(def, stepOf(def, v.stepId)), v.report);
}

export function summarise(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}

export function seconds(from: string, to: string): number | null {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? null : Math.max(0, ms) / 1000;
}
