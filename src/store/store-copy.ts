/**
 * Copies every workflow of one store into another — typically a SQLite history into PostgreSQL
 * before moving to several workers — keeping ids, sequence numbers, event times and the index
 * row exactly, plus the newest snapshot and the step traces. Only the Store contract is used, so any pair works.
 *
 * Safe to run again: a workflow already in the target with the same history is skipped, and one
 * whose target log is a prefix of the source (an interrupted copy) is completed. A workflow whose
 * target history differs is left alone, and the copy ends with an error naming every such one.
 * Leases, attempt counters and store settings are not copied. Stop the workers that write to the
 * source first: a workflow that moves during the copy is copied as it was when it was read.
 */
import { ConvergeError } from '../core/errors.js';
import type { NewEvent, WorkflowEvent } from '../core/events.js';
import type { Store, WorkflowSummary } from './store.js';

export interface CopyProgress {
  /** Workflows handled so far (copied, completed, skipped or conflicting). */
  done: number;
  total: number;
  copied: number;
  skipped: number;
}

export interface CopyOptions {
  /** Called after each workflow; the CLI prints every 100th. */
  onProgress?: (progress: CopyProgress) => void;
  /** Workflows copied at once (default 8): round trips to a remote server dominate. */
  concurrency?: number;
}

export interface CopyResult extends CopyProgress {
  /** Events written to the target. */
  events: number;
  /** Workflows whose target log was a prefix of the source's and was completed. */
  completed: number;
}

const PAGE = 1000;

/** JSON with sorted keys: PostgreSQL's JSONB reorders keys, so plain JSON text would differ. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function sameEvent(a: WorkflowEvent | undefined, b: WorkflowEvent | undefined): boolean {
  return a !== undefined && b !== undefined && canonical(a) === canonical(b);
}

/** The event as appended: the target assigns `seq` itself, which equals the source's for a contiguous log. */
function bare(event: WorkflowEvent): NewEvent {
  const { seq: _seq, ...rest } = event as WorkflowEvent & { seq: number };
  return rest as NewEvent;
}

function diverged(workflowId: string, reason: string): ConvergeError {
  return new ConvergeError('SEQUENCE_CONFLICT', `Workflow ${workflowId} already exists in the target with a different history (${reason}).`, {
    hint: 'Copy into an empty store, or delete that workflow from the target first; nothing of it was changed.',
    details: { workflowId },
  });
}

async function allIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  // Ids first, then the logs: paging while copying could skip rows if the source changed order.
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listWorkflows({ limit: PAGE, offset });
    ids.push(...page.map((w) => w.id));
    if (page.length < PAGE) return ids;
  }
}

type Outcome = { kind: 'copied' | 'completed'; events: number } | { kind: 'skipped' } | { kind: 'conflict'; error: ConvergeError };

async function copyOne(from: Store, to: Store, id: string): Promise<Outcome> {
  const summary = await from.getWorkflow(id);
  if (summary === undefined) return { kind: 'skipped' }; // pruned since the ids were read
  const events = await from.readEvents(id);
  const last = events.at(-1);
  if (last === undefined || events.some((e, i) => e.seq !== i + 1)) {
    throw new ConvergeError('INTERNAL', `Workflow ${id} in the source has a log that does not run 1…n; it was not copied.`, {
      hint: 'The source store is damaged; copy it again from a backup.',
      details: { workflowId: id, seqs: events.map((e) => e.seq).slice(0, 20) },
    });
  }
  const source: WorkflowSummary = { ...summary, lastSeq: last.seq };
  const existing = await to.getWorkflow(id);
  /** Events of this workflow already in the target. */
  let written = 0;
  if (existing !== undefined) {
    // The target's newest event must be the source's event at that position: it carries the time
    // and content of that moment, so two different histories practically never agree on it.
    if (existing.lastSeq > last.seq) return { kind: 'conflict', error: diverged(id, `the target has ${existing.lastSeq} events, the source ${last.seq}`) };
    const [theirs] = await to.readEvents(id, existing.lastSeq - 1);
    if (!sameEvent(theirs, events[existing.lastSeq - 1])) return { kind: 'conflict', error: diverged(id, `event ${existing.lastSeq} differs`) };
    if (existing.lastSeq === last.seq) return { kind: 'skipped' };
    written = existing.lastSeq;
  } else {
    await to.createWorkflow(source, bare(events[0]!));
    written = 1;
  }
  const rest = events.slice(written);
  if (rest.length > 0) await to.append(id, written, rest.map(bare), source);
  const snapshot = await from.loadSnapshot(id);
  if (snapshot !== undefined && snapshot.seq <= last.seq) await to.saveSnapshot(id, snapshot);
  // Traces replace their own action's: copying them again changes nothing.
  for (const trace of await from.listTraces(id)) await to.putTrace(trace);
  return { kind: existing === undefined ? 'copied' : 'completed', events: rest.length + (existing === undefined ? 1 : 0) };
}

/** Copies every workflow of `from` into `to`; throws SEQUENCE_CONFLICT at the end if some diverged. */
export async function copyStore(from: Store, to: Store, options: CopyOptions = {}): Promise<CopyResult> {
  const ids = await allIds(from);
  const result: CopyResult = { done: 0, total: ids.length, copied: 0, skipped: 0, events: 0, completed: 0 };
  const conflicts: ConvergeError[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const outcome = await copyOne(from, to, id);
      if (outcome.kind === 'conflict') conflicts.push(outcome.error);
      else if (outcome.kind === 'skipped') result.skipped += 1;
      else {
        result.events += outcome.events;
        if (outcome.kind === 'copied') result.copied += 1;
        else result.completed += 1;
      }
      result.done += 1;
      options.onProgress?.({ done: result.done, total: result.total, copied: result.copied + result.completed, skipped: result.skipped });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, ids.length)) }, lane));
  if (conflicts.length > 0) {
    const ids = conflicts.map((c) => c.details.workflowId as string);
    throw new ConvergeError(
      'SEQUENCE_CONFLICT',
      `${conflicts.length} workflow(s) exist in the target with a different history and were not copied: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}. ${conflicts[0]!.message}`,
      { hint: conflicts[0]!.hint, details: { workflowIds: ids, result } },
    );
  }
  return result;
}
