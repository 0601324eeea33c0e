/**
 * One table from error code to what each interface answers: CLI exit code, HTTP status.
 */
import type { ConvergeErrorCode } from '../core/errors.js';

export const EXIT = { completed: 0, failed: 1, usage: 2, waiting: 3, stopped: 4, damaged: 5 } as const;

const TABLE: Record<ConvergeErrorCode, { exit: number; http: number }> = {
  DEFINITION_INVALID: { exit: 2, http: 400 },
  CONFIG_INVALID: { exit: 2, http: 400 },
  SESSION_INVALID: { exit: 2, http: 400 },
  SEED_STATE_INVALID: { exit: 2, http: 400 },
  WORKFLOW_NOT_FOUND: { exit: 2, http: 404 },
  ILLEGAL_ACTION: { exit: 2, http: 409 },
  NOT_WAITING: { exit: 2, http: 409 },
  WRONG_STEP: { exit: 2, http: 409 },
  RESULT_INVALID: { exit: 2, http: 400 },
  SEQUENCE_CONFLICT: { exit: 1, http: 409 },
  LEASE_LOST: { exit: 1, http: 409 },
  STORE_BUSY: { exit: 1, http: 503 },
  STORE_UNAVAILABLE: { exit: 1, http: 503 },
  STORE_NOT_FOUND: { exit: 2, http: 404 },
  STORE_TOO_NEW: { exit: 1, http: 500 },
  // Its own exit code: a script must tell "restore from a backup" from "try again".
  STORE_DAMAGED: { exit: EXIT.damaged, http: 500 },
  MIGRATION_FAILED: { exit: 1, http: 500 },
  WORKSPACE_INVALID: { exit: 2, http: 400 },
  PATH_ESCAPE: { exit: 2, http: 400 },
  TEMPLATE_NOT_FOUND: { exit: 2, http: 400 },
  TEMPLATE_ERROR: { exit: 2, http: 400 },
  AGENT_FAILED: { exit: 1, http: 502 },
  AGENT_NOT_READY: { exit: 2, http: 400 },
  CHECK_FAILED: { exit: 1, http: 500 },
  USAGE: { exit: 2, http: 400 },
  INPUT_TOO_LARGE: { exit: 2, http: 413 },
  UNAUTHORIZED: { exit: 2, http: 401 },
  FORBIDDEN: { exit: 2, http: 403 },
  INTERNAL: { exit: 1, http: 500 },
};

export function exitCodeFor(code: ConvergeErrorCode): number {
  return TABLE[code]?.exit ?? 1;
}

export function httpStatusFor(code: ConvergeErrorCode): number {
  return TABLE[code]?.http ?? 500;
}

/** Exit code for where a workflow stands: 0 completed, 3 waiting for a human, 4 rejected or cancelled, 1 failed. */
export function exitCodeForStatus(status: string, waitingFor: string | null): number {
  if (status === 'completed') return EXIT.completed;
  if (status === 'rejected' || status === 'cancelled') return EXIT.stopped;
  if (status === 'failed') return EXIT.failed;
  if (waitingFor !== null || status === 'waiting_for_human') return EXIT.waiting;
  return EXIT.waiting;
}
