/**
 * Reading and writing a workflow's log: state from snapshot + newer events, and appends that
 * carry the expected sequence number and the refreshed index row.
 */
import { reduce } from '../core/apply.js';
import { ConvergeError } from '../core/errors.js';
import type { NewEvent, WorkflowEvent } from '../core/events.js';
import type { WorkflowState } from '../core/state.js';
import { externalWait, externalWaitingFor } from './external-wait.js';
import { redactRecord } from '../store/record-redaction.js';
import type { Store } from '../store/store.js';

/**
 * When a snapshot is written. A snapshot copies the whole state, which grows with the log, so a
 * fixed cadence makes the cost per event grow with the log too (a full copy every 50 events was
 * 5.8 ms per transition at 10,000 events). Up to EVENLY_UNTIL events a snapshot falls every
 * EVERY events, as before; beyond, the gap grows with the log, one snapshot each time the log
 * grows by GROWTH of itself. The state is about proportional to the log, so each snapshot's
 * size is paid for by the events since the one before: the amortized cost per event stays
 * constant, and a load folds at most GROWTH of the log after its snapshot. The points are a
 * function of the sequence number alone, so every writer (runner, CLI, server) agrees on them.
 */
const EVERY = 50;
const EVENLY_UNTIL = 1000;
const GROWTH = 1 / 16;

/** How many snapshot points lie at or below `seq`; a snapshot is due when an append crosses one. */
export function snapshotPoint(seq: number): number {
  if (seq < EVENLY_UNTIL) return Math.floor(seq / EVERY);
  return EVENLY_UNTIL / EVERY + Math.floor(Math.log(seq / EVENLY_UNTIL) / Math.log1p(GROWTH));
}

export async function loadState(store: Store, workflowId: string): Promise<WorkflowState> {
  const snapshot = await store.loadSnapshot(workflowId);
  const events = await store.readEvents(workflowId, snapshot?.seq ?? 0);
  if (snapshot === undefined && events.length === 0) {
    throw new ConvergeError('WORKFLOW_NOT_FOUND', `There is no workflow ${workflowId} in this store.`, {
      hint: 'Run `converge list` to see the workflows, or check --store.',
    });
  }
  return reduce(workflowId, events, snapshot?.state as WorkflowState | undefined);
}

export function waitingFor(state: WorkflowState): string | null {
  if (state.gate !== null) return `gate:${state.gate.gateId}`;
  if (state.escalation !== null) return `escalation:${state.escalation.reason}`;
  if (state.paused) return 'paused';
  const wait = externalWait(state);
  return wait === null ? null : externalWaitingFor(wait);
}

/** `events` numbered after `state` and folded onto it: the state once they are appended. */
export function foldOnto(state: WorkflowState, events: readonly NewEvent[]): WorkflowState {
  return reduce(state.workflowId, events.map((e, i) => ({ ...e, seq: state.seq + i + 1 }) as WorkflowEvent), state);
}

/**
 * The index row's summary needs `decide` (for wakeAt), seven core modules that a read such as
 * `converge status` never uses: loaded by the first append, not with the log (issue 19, CLI start).
 */
let summaries: Promise<typeof import('./workflow-summary.js')> | undefined;

/**
 * Appends events fenced by `state.seq` and returns the state after them; `next` is that state when
 * the caller already folded it (the runner does, to decide ahead).
 */
export async function appendEvents(store: Store, state: WorkflowState, events: NewEvent[], folded?: WorkflowState): Promise<WorkflowState> {
  // The store redacts what it writes; folding the redacted events keeps the state in memory equal to
  // the state a restart reads back, and keeps a secret out of the prompts built from it.
  const clean = redactRecord(events);
  const next = clean === events && folded !== undefined ? folded : foldOnto(state, clean);
  const { summaryOf } = await (summaries ??= import('./workflow-summary.js'));
  await store.append(state.workflowId, state.seq, clean, summaryOf(next));
  if (snapshotPoint(next.seq) > snapshotPoint(state.seq)) {
    await store.saveSnapshot(state.workflowId, { seq: next.seq, state: next });
  }
  return next;
}
