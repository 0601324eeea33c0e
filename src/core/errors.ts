/**
 * The one error type of Converge. Callers branch on `code`, never on message text
 * (`instanceof` breaks across duplicate package copies).
 */
export type ConvergeErrorCode =
  | 'DEFINITION_INVALID'
  | 'CONFIG_INVALID'
  | 'SESSION_INVALID'
  | 'SEED_STATE_INVALID'
  | 'WORKFLOW_NOT_FOUND'
  | 'ILLEGAL_ACTION'
  | 'NOT_WAITING'
  | 'WRONG_STEP'
  /** A submitted step result that cannot be recorded: empty, cut off, unreadable, or missing a review. */
  | 'RESULT_INVALID'
  | 'SEQUENCE_CONFLICT'
  | 'LEASE_LOST'
  | 'STORE_BUSY'
  | 'STORE_UNAVAILABLE'
  /** No store where the command looked (a read-only command never creates one). */
  | 'STORE_NOT_FOUND'
  | 'STORE_TOO_NEW'
  /**
   * The store's data is damaged: a gap in a workflow's log, an event whose checksum or body does not
   * match, or a database file that fails SQLite's own check. Never retried, never "a bug".
   */
  | 'STORE_DAMAGED'
  | 'MIGRATION_FAILED'
  | 'WORKSPACE_INVALID'
  | 'PATH_ESCAPE'
  | 'TEMPLATE_NOT_FOUND'
  | 'TEMPLATE_ERROR'
  | 'AGENT_FAILED'
  /** An agent of the workflow cannot run here (a missing key variable or CLI): refused before anything is recorded. */
  | 'AGENT_NOT_READY'
  | 'CHECK_FAILED'
  | 'USAGE'
  /** Input over its size limit (requirements, a step result: converge.yaml's `limits`); nothing is recorded. */
  | 'INPUT_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'INTERNAL';

export interface ConvergeErrorOptions {
  hint?: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
}

export class ConvergeError extends Error {
  readonly code: ConvergeErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: ConvergeErrorCode, message: string, options: ConvergeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConvergeError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? false;
  }
}

export function isConvergeError(value: unknown): value is ConvergeError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'ConvergeError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Formats a zod issue path the way a person reads a document: `steps[3].next`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}
