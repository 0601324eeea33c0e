/**
 * What the reducer looks up on every output and validation — how many versions an artifact has,
 * its newest version, how many rounds a loop has run — kept beside the state instead of found by
 * filtering the whole history each time, so a replay costs O(events), not O(events²).
 *
 * The index lives in a WeakMap keyed by the state object, off the state's shape: the state read
 * back from a snapshot, serialized, or compared stays exactly what it was. A state without an
 * index (a snapshot just parsed) gets one built by one pass over its lists on first use.
 */
import type { OutputRecord, ValidationRecord, WorkflowState } from './state.js';

interface StateIndex {
  /** Per artifact: how many versions, and the position of the newest in `state.outputs`. */
  outputs: Map<string, { count: number; last: number }>;
  /** Per loop (validations outside any loop under NO_LOOP): how many validations. */
  rounds: Map<string, number>;
}

const NO_LOOP = '\u0000';
const indexes = new WeakMap<WorkflowState, StateIndex>();

/** Gives `to`, a fresh copy of `from` about to be folded onto, its own copy of `from`'s index. */
export function carryIndex(from: WorkflowState, to: WorkflowState): void {
  const index = indexes.get(from);
  if (index !== undefined) indexes.set(to, { outputs: new Map(index.outputs), rounds: new Map(index.rounds) });
}

function indexOf(state: WorkflowState): StateIndex {
  let index = indexes.get(state);
  if (index === undefined) {
    index = { outputs: new Map(), rounds: new Map() };
    state.outputs.forEach((o, i) => noteOutput(index!, o, i));
    for (const v of state.validations) noteValidation(index, v.loopId);
    indexes.set(state, index);
  }
  return index;
}

function noteOutput(index: StateIndex, record: OutputRecord, position: number): void {
  const artifact = record.output.artifact;
  index.outputs.set(artifact, { count: (index.outputs.get(artifact)?.count ?? 0) + 1, last: position });
}

function noteValidation(index: StateIndex, loopId: string | undefined): void {
  const key = loopId ?? NO_LOOP;
  index.rounds.set(key, (index.rounds.get(key) ?? 0) + 1);
}

/** How many versions of `artifact` the state holds. */
export function versionCount(state: WorkflowState, artifact: string): number {
  return indexOf(state).outputs.get(artifact)?.count ?? 0;
}

/** The newest version of `artifact`, if any. */
export function newestOutput(state: WorkflowState, artifact: string): OutputRecord | undefined {
  const entry = indexOf(state).outputs.get(artifact);
  return entry === undefined ? undefined : state.outputs[entry.last];
}

/** How many validations were recorded in `loopId` (outside any loop when undefined). */
export function roundCount(state: WorkflowState, loopId: string | undefined): number {
  return indexOf(state).rounds.get(loopId ?? NO_LOOP) ?? 0;
}

/** Appends an output record, keeping the index in step. */
export function pushOutput(state: WorkflowState, record: OutputRecord): void {
  const index = indexOf(state);
  state.outputs.push(record);
  noteOutput(index, record, state.outputs.length - 1);
}

/** Appends a validation record, keeping the index in step. */
export function pushValidation(state: WorkflowState, record: ValidationRecord): void {
  const index = indexOf(state);
  state.validations.push(record);
  noteValidation(index, record.loopId);
}
