/**
 * How commands print: `--json` is JSON Lines (one object a line, never pretty-printed), and
 * every object about a workflow names it `workflow_id`, whatever the record calls it inside.
 * Stdout that closes early (`converge history ID | head`) ends the process quietly.
 */
import type { Command } from 'commander';
import type { WorkflowEvent } from '../../core/events.js';
import type { WorkflowState } from '../../core/state.js';
import type { WorkflowSummary } from '../../store/store.js';
import { globalOptions } from './cli-context.js';

/** One JSON Lines record on stdout. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** `json` as one line under `--json`, else `text`. */
export function printResult(command: Command, json: unknown, text: string): void {
  if (globalOptions(command).json) printJsonLine(json);
  else process.stdout.write(`${text}\n`);
}

/** A JSON document a command prints whatever the flags (schema, decide, export): pretty for a person, one line under `--json`. */
export function printDocument(command: Command, value: unknown): void {
  process.stdout.write(globalOptions(command).json ? `${JSON.stringify(value)}\n` : `${JSON.stringify(value, null, 2)}\n`);
}

/** The folded state as `show --json` prints it: `workflow_id` first, in place of the internal `workflowId`. */
export function stateJson(state: WorkflowState): Record<string, unknown> {
  const { workflowId, forkedFrom, ...rest } = state;
  return {
    workflow_id: workflowId,
    ...rest,
    ...(forkedFrom !== undefined ? { forkedFrom: { workflow_id: forkedFrom.workflowId, seq: forkedFrom.seq, step: forkedFrom.step } } : {}),
  };
}

/** A store's index row, in the names the HTTP API and MCP use. */
export function summaryJson(row: WorkflowSummary): Record<string, unknown> {
  return {
    workflow_id: row.id,
    name: row.name,
    definition_id: row.definitionId,
    status: row.status,
    phase: row.phase,
    current_step: row.currentStep,
    waiting_for: row.waitingFor,
    requirements: row.requirements,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    last_seq: row.lastSeq,
    ...(row.damage !== undefined ? { damage: { seq: row.damage.seq, reason: row.damage.reason } } : {}),
  };
}

/** One event of a workflow's log, tagged with the workflow it belongs to (events do not carry it). */
export function eventJson(workflowId: string, event: WorkflowEvent | Record<string, unknown>): Record<string, unknown> {
  return { workflow_id: workflowId, ...event };
}

let guarded = false;

/**
 * A reader that stops early (`| head`) closes the pipe; the next write fails with EPIPE, which
 * Node raises as an uncaught error with a stack trace. The reader has what it wanted, so the
 * process ends at once with the exit code it had so far.
 */
export function endQuietlyOnClosedOutput(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw error;
  });
  // Nobody is left to read a report about stderr itself.
  process.stderr.on('error', () => undefined);
}
