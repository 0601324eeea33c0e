/**
 * How commands print: `--json` is JSON Lines (one object a line, never pretty-printed), and
 * every object about a workflow names it `workflow_id`, whatever the record calls it inside.
 * Text for a person goes through `printText`, which strips control characters: requirements,
 * names and agent output are stored as given, and an escape sequence in them must not reach the
 * terminal. JSON escapes them instead (C0 by JSON.stringify, C1 and DEL by `jsonText`).
 * Stdout that closes early (`converge history ID | head`) ends the process quietly.
 */
import type { Command } from 'commander';
import type { WorkflowEvent } from '../../core/events.js';
import type { WorkflowState } from '../../core/state.js';
import type { WorkflowSummary } from '../../store/store.js';

/** Escape sequences (CSI, OSC, and two-character ones) whole, so no parameters are left behind. */
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[ -/]*[0-~]?)/g;
/** C0 but tab and line feed, DEL, C1; a carriage return too, which would let text overwrite a line. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` as a terminal may show it: escape sequences and control characters removed (CRLF kept as LF). */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(/\r\n/g, '\n').replace(CONTROL, '');
}

/** Text for a person on stdout, one line or several, control characters stripped. */
export function printText(text: string): void {
  process.stdout.write(`${terminalSafe(text)}\n`);
}

/** JSON.stringify, with DEL and C1 characters escaped too (it leaves them raw, and U+009B is a CSI to some terminals). */
export function jsonText(value: unknown, indent?: number): string {
  return (JSON.stringify(value, null, indent) ?? 'null').replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One JSON Lines record on stdout. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${jsonText(value)}\n`);
}

/** Whether `--json` was given (read here, not through cli-context, which would load the store and engine with every command). */
function wantsJsonOutput(command: Command): boolean {
  return (command.optsWithGlobals() as { json?: boolean }).json === true;
}

/** `json` as one line under `--json`, else `text`. */
export function printResult(command: Command, json: unknown, text: string): void {
  if (wantsJsonOutput(command)) printJsonLine(json);
  else printText(text);
}

/** A JSON document a command prints whatever the flags (schema, decide, export): pretty for a person, one line under `--json`. */
export function printDocument(command: Command, value: unknown): void {
  process.stdout.write(wantsJsonOutput(command) ? `${jsonText(value)}\n` : `${jsonText(value, 2)}\n`);
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
