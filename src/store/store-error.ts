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
