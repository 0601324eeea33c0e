/**
 * The errors every Store throws, built in one place so that SQLite, PostgreSQL and memory stores
 * fail with the same code, wording and hint. Callers branch on `code`.
 */
import { ConvergeError } from '../core/errors.js';

const NOTHING_LOST = 'Nothing was lost; re-read the workflow and decide again.';

/** Another writer appended between this writer's read and its append. */
export function sequenceConflict(workflowId: string, expectedSeq: number, foundSeq: number): ConvergeError {
  return new ConvergeError(
    'SEQUENCE_CONFLICT',
    `Workflow ${workflowId} expected log sequence ${expectedSeq} but found ${foundSeq}: another writer appended first.`,
    { hint: NOTHING_LOST, retryable: true, details: { workflowId, expectedSeq, foundSeq } },
  );
}

/** `createWorkflow` with an id that is taken: the same fence as a stale append (someone wrote first). */
export function workflowExists(workflowId: string): ConvergeError {
  return new ConvergeError('SEQUENCE_CONFLICT', `Workflow ${workflowId} already exists, so it cannot be created again.`, {
    hint: 'Choose another id, or read the existing workflow and continue it.',
    details: { workflowId },
  });
}

/** Two writers raced on the same row and the database's own constraint caught the loser. */
export function concurrentWrite(workflowId: string | undefined, cause: unknown): ConvergeError {
  const subject = workflowId === undefined ? 'A workflow' : `Workflow ${workflowId}`;
  return new ConvergeError('SEQUENCE_CONFLICT', `${subject} was written by another writer at the same moment.`, {
    hint: NOTHING_LOST,
    retryable: true,
    details: workflowId === undefined ? {} : { workflowId },
    cause,
  });
}

export function workflowNotFound(workflowId: string, cause?: unknown): ConvergeError {
  return new ConvergeError('WORKFLOW_NOT_FOUND', `Workflow ${workflowId} does not exist in this store.`, {
    hint: 'Check the id with `converge list`; finished workflows may have been pruned by the retention policy.',
    details: { workflowId },
    cause,
  });
}

export function storeClosed(location: string, cause?: unknown): ConvergeError {
  return new ConvergeError('STORE_UNAVAILABLE', `The store at ${location} is closed.`, {
    hint: 'Open the store again; a closed store cannot be reused.',
    details: { location },
    cause,
  });
}

export function invalidTime(what: string, value: string): ConvergeError {
  return new ConvergeError('INTERNAL', `The ${what} "${value}" is not an ISO 8601 time.`, {
    hint: 'This is a bug in the caller; times given to the store come from `new Date().toISOString()`.',
    details: { what, value },
  });
}

/**
 * A workflow whose log cannot be read as it was written: a gap, a checksum mismatch, a body that
 * does not decode. `readable` holds the events before `seq`, for commands that show what is left.
 */
export function storeDamaged(workflowId: string, seq: number, reason: string, readable: readonly unknown[] = [], cause?: unknown): ConvergeError {
  return new ConvergeError('STORE_DAMAGED', `Workflow ${workflowId} is damaged at event ${seq}: ${reason}.`, {
    hint: 'Nothing else is affected: other workflows keep running. `converge store check` lists every damaged workflow; restore the store from a backup (`converge store restore FILE`) to get this one back.',
    details: { workflowId, seq, reason, readable },
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * The database file itself fails its own consistency check: no workflow in it can be trusted.
 * `onOpen`: found before the store was opened, so nothing was written to it.
 */
export function fileDamaged(location: string, problems: readonly string[], cause?: unknown, onOpen = false): ConvergeError {
  const first = (problems[0] ?? 'SQLite reports corruption').replace(/\.$/, '');
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new ConvergeError('STORE_DAMAGED', `The store at ${location} is damaged: ${first}${more}${onOpen ? '; it was not opened, so nothing was written to it' : ''}.`, {
    hint: 'Restore it from a backup (`converge store restore FILE`), or move it aside to start a fresh store; `converge store check` lists what is wrong.',
    details: { location, findings: problems.slice(0, 20) },
    ...(cause !== undefined ? { cause } : {}),
  });
}
