/**
 * Maps pg and network errors to ConvergeError, so that no driver error leaves this folder.
 * The original error is always kept as `cause`; messages name the server by `location`, which
 * never holds the password.
 */
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import { concurrentWrite, workflowNotFound } from '../store-error.js';

export interface PostgresErrorContext {
  /** The URL without password, e.g. `postgres://converge@db:5432/converge`. */
  location: string;
  lockTimeoutMs: number;
  /** The workflow the failed call was about, so a foreign-key failure can name it. */
  workflowId?: string;
}

/** SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html) and Node socket codes. */
const BUSY = new Set(['40001', '40P01', '55P03']);
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006', '08P01']);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** pg's own errors carry no code; these are its messages for a lost or never-made connection. */
const PG_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|The server does not support SSL)/i;

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when the server could not be reached or dropped the connection: retrying later may work. */
export function isConnectionError(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  if (SERVER_GONE.has(code) || code.startsWith('08') || NETWORK.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return code === '' && PG_CONNECTION_MESSAGE.test(errorMessage(error));
}

/** True for errors that say nothing about the SQL run: a lost connection, a lock wait or a deadlock. */
export function isTransientError(error: unknown): boolean {
  return isConnectionError(error) || BUSY.has(errorCode(error) ?? '');
}

function unavailable(
  context: PostgresErrorContext,
  message: string,
  hint: string,
  retryable: boolean,
  cause: unknown,
): ConvergeError {
  return new ConvergeError('STORE_UNAVAILABLE', message, {
    hint,
    retryable,
    details: { location: context.location, driverCode: errorCode(cause) },
    cause,
  });
}

export function toStoreError(error: unknown, context: PostgresErrorContext): ConvergeError {
  if (isConvergeError(error)) return error;
  const { location } = context;
  const code = errorCode(error) ?? '';

  if (BUSY.has(code)) {
    const what = code === '55P03' ? `waited more than ${context.lockTimeoutMs} ms for a lock` : 'lost a race with another transaction';
    return new ConvergeError('STORE_BUSY', `A write to the store at ${location} ${what}.`, {
      hint: 'Another Converge process is writing; try again in a moment.',
      retryable: true,
      details: { location, lockTimeoutMs: context.lockTimeoutMs, driverCode: code },
      cause: error,
    });
  }
  if (code === '23503' && context.workflowId !== undefined) return workflowNotFound(context.workflowId, error);
  if (code === '23505') return concurrentWrite(context.workflowId, error);
  if (isConnectionError(error)) {
    const reason = code === '' ? '' : ` (${code})`;
    return unavailable(
      context,
      `Converge cannot reach the PostgreSQL server at ${location}${reason}.`,
      'Check that the server is running and reachable from this machine; the call can be retried once it is.',
      true,
      error,
    );
  }
  if (code === '28P01' || code === '28000') {
    return unavailable(
      context,
      `The PostgreSQL server at ${location} refused the login.`,
      'Check the user and password in --store (or PGPASSWORD), and the server’s pg_hba.conf.',
      false,
      error,
    );
  }
  if (code === '3D000') {
    return unavailable(
      context,
      `The database in ${location} does not exist.`,
      'Create it first (createdb), or point --store at an existing database.',
      false,
      error,
    );
  }
  if (code === '42501') {
    return unavailable(
      context,
      `The PostgreSQL user of ${location} lacks a privilege Converge needs.`,
      'Grant the user CREATE on the database (for the schema) and ownership of the Converge schema.',
      false,
      error,
    );
  }
  if (code === '53100' || code === '53200') {
    return unavailable(context, `The PostgreSQL server at ${location} is out of disk or memory.`, 'Free some space and try again.', true, error);
  }
  if (code === '25006') {
    return unavailable(
      context,
      `The PostgreSQL server at ${location} is read-only (a standby?).`,
      'Point --store at the primary server.',
      false,
      error,
    );
  }
  return new ConvergeError('INTERNAL', `The store at ${location} failed unexpectedly${code === '' ? '' : ` (${code})`}.`, {
    hint: 'This is likely a bug in Converge; please report it with the error cause.',
    details: { location, driverCode: code === '' ? undefined : code },
    cause: error,
  });
}
