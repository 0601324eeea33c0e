/**
 * What `converge submit` prints: what Converge read from the result (scores and the labels they
 * came from, issues by severity, missing scores, files) — after recording it, or with --dry-run
 * instead of recording it. The reading is `converge parse`'s, for the step that waits.
 */
import type { WorkflowState } from '../../core/state.js';
import { shownStatus } from '../../engine/external-wait.js';
import { readSubmission } from '../../engine/output-reading.js';
import type { OutputReading } from '../../engine/output-reading.js';
import { asResultInvalid, assertSubmissionComplete } from '../../engine/submission-check.js';
import { externalRunFor } from '../../engine/workflow-commands.js';
import { waitingFor } from '../../engine/workflow-log.js';
import { readingText } from './parse-format.js';
import { statusLine } from './show-format.js';
import { printJsonLine, printText } from './cli-output.js';

export interface SubmissionReading {
  step: { number: number; id: string };
  reading: OutputReading;
  /** A code step whose host edits in place: what is recorded is read from the workspace, not the text. */
  inPlace?: boolean;
}

/**
 * Reads `texts` as the waiting step would, after the same checks as a submit (the step waits, it
 * is the named one, no review is missing); a result no parser can read is RESULT_INVALID.
 */
export function readForSubmit(state: WorkflowState, stepNumber: number | undefined, texts: string[], readOnly: readonly string[]): SubmissionReading {
  const run = externalRunFor(state, stepNumber);
  const step = state.definition.steps.find((s) => s.id === run.stepId)!;
  assertSubmissionComplete(step, texts);
  try {
    const inPlace = step.kind === 'produce' && step.role === 'programmer' && run.snapshot !== undefined && run.snapshot.method !== 'none';
    return { step: { number: step.number, id: step.id }, reading: readSubmission(state, step, texts, run.checks ?? [], readOnly), ...(inPlace ? { inPlace } : {}) };
  } catch (error) {
    throw asResultInvalid(error);
  }
}

export function printDryRun(id: string, read: SubmissionReading, json: boolean): void {
  const { step, reading } = read;
  if (json) printJsonLine({ workflow_id: id, step: step.number, recorded: false, ...reading });
  else printText(`${readingText(reading, `Dry run: step ${step.number} (${step.id}) of ${id} would record this; nothing was recorded.`)}`);
}

/** After a recorded submit: what was read, where the workflow stands, how it goes on. */
export function printRecorded(read: SubmissionReading, after: WorkflowState, json: boolean): void {
  const id = after.workflowId;
  const { step } = read;
  const reading = read.inPlace ? withRecordedFiles(read.reading, after, step.id) : read.reading;
  if (json) {
    printJsonLine({ workflow_id: id, step: step.number, recorded: true, status: shownStatus(after), waiting_for: waitingFor(after), ...reading });
    return;
  }
  const heading = `Recorded the result of step ${step.number} (${step.id}) of ${id}. Converge read:`;
  const next = 'A waiting `converge run` continues on its own; otherwise run `converge resume ' + id + '`.';
  printText(`${readingText(reading, heading)}\n\n${next}\n${statusLine(after)}`);
}


/** The files the step recorded (its edits in the workspace and any blocks), in place of the blocks the text carried. */
function withRecordedFiles(reading: OutputReading, after: WorkflowState, stepId: string): OutputReading {
  const recorded = after.outputs.findLast((o) => o.stepId === stepId);
  if (recorded === undefined) return reading;
  return { ...reading, files: recorded.output.files.map((f) => ({ path: f.path, action: f.action, lines: (f.content ?? '').split('\n').length })) };
}
