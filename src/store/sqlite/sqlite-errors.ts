/**
 * Maps better-sqlite3 and file-system errors to ConvergeError, so that no driver error leaves
 * this folder. The original error is always kept as `cause`.
 */
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import { concurrentWrite, fileDamaged, storeClosed, workflowNotFound } from '../store-error.js';

export interface SqliteErrorContext {
  location: string;
  busyTimeoutMs: number;
  /** The workflow the failed call was about, so a foreign-key failure can name it. */
  workflowId?: string;
  /** The error came while opening, before anything was written. */
  opening?: boolean;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function unavailable(context: SqliteErrorContext, message: string, hint: string, cause: unknown): ConvergeError {
  return new ConvergeError('STORE_UNAVAILABLE', message, {
    hint,
    details: { location: context.location, driverCode: errorCode(cause) },
    cause,
  });
}

export function toStoreError(error: unknown, context: SqliteErrorContext): ConvergeError {
  if (isConvergeError(error)) return error;
  const { location } = context;
  // better-sqlite3 throws a TypeError, not a SqliteError, once the connection is closed.
  if (error instanceof TypeError && /database connection is not open/i.test(error.message)) {
    return storeClosed(location, error);
  }
  const code = errorCode(error) ?? '';

  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new ConvergeError(
      'STORE_BUSY',
      `The store at ${location} stayed locked by another connection for more than ${context.busyTimeoutMs} ms.`,
      {
        hint: 'Another Converge process is writing; try again in a moment.',
        retryable: true,
        details: { location, busyTimeoutMs: context.busyTimeoutMs, driverCode: code },
        cause: error,
      },
    );
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && context.workflowId !== undefined) {
    return workflowNotFound(context.workflowId, error);
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return concurrentWrite(context.workflowId, error);
  }
  // Damaged, whichever page SQLite tripped on: a broken header reads as "not a database".
  if (code === 'SQLITE_NOTADB') {
    return fileDamaged(location, ['it is not a SQLite database, or its header is damaged'], error, context.opening);
  }
  if (code.startsWith('SQLITE_CORRUPT')) return fileDamaged(location, ['SQLite reports corruption'], error, context.opening);
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return unavailable(
      context,
      `Converge cannot open the store at ${location}.`,
      'Check that the path is a file (not a directory) in a directory this user can write.',
      error,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return unavailable(
      context,
      `The store at ${location} cannot be written by this process.`,
      'Check the permissions of the file, its -wal and -shm companions, and their directory.',
      error,
    );
  }
  if (code === 'SQLITE_FULL') {
    return unavailable(context, `The disk holding the store at ${location} is full.`, 'Free some space and try again.', error);
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return unavailable(
      context,
      `Reading or writing the store at ${location} failed with an I/O error.`,
      'Check the disk and that the file is not on a network share, then try again.',
      error,
    );
  }
  if (['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EISDIR'].includes(code)) {
    return unavailable(
      context,
      `Converge cannot create the directory for the store at ${location} (${code}).`,
      'Check that every parent of the path is a directory this user can write.',
      error,
    );
  }
  return new ConvergeError('INTERNAL', `The store at ${location} failed unexpectedly${code === '' ? '' : ` (${code})`}.`, {
    hint: 'This is likely a bug in Converge; please report it with the error cause.',
    details: { location, driverCode: code === '' ? undefined : code },
    cause: error,
  });
}
