/**
 * What a PostgreSQL store is opened with, checked and frozen once. The URL may carry a password,
 * so it is kept only here and in the pool; everything shown to a person uses `location`.
 */
import { ConvergeError } from '../../core/errors.js';

export interface PostgresStoreConfig {
  /** `postgres://user:password@host:port/database` (or `postgresql://`); query parameters go to pg. */
  url: string;
  /** The schema holding Converge's tables, created if missing. Tests isolate runs by schema. */
  schema?: string;
  /** Connections in the pool; each running transaction holds one. */
  poolSize?: number;
  /**
   * How long a statement waits for another transaction's row lock before failing with STORE_BUSY
   * (PostgreSQL's `lock_timeout`). Writes are short, so waiting is almost always better than failing.
   */
  lockTimeoutMs?: number;
  /** How long opening a connection may take before failing with STORE_UNAVAILABLE. */
  connectTimeoutMs?: number;
}

export interface ResolvedPostgresStoreConfig extends Readonly<Required<PostgresStoreConfig>> {
  /** The URL without its password, e.g. `postgres://converge@db.internal:5432/converge`. */
  readonly location: string;
}

export const DEFAULT_SCHEMA = 'converge';
export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Unquoted-identifier shape, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1). */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The URL as a person may see it: scheme, user, host, port and database. The password and every
 * query parameter (which may hold `password=` or `sslpassword=`) are left out.
 */
export function redactPostgresUrl(url: URL): string {
  const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`;
  const host = url.hostname === '' ? 'localhost' : url.hostname;
  const port = url.port === '' ? '5432' : url.port;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || (user === '' ? '' : user.slice(0, -1));
  return `postgres://${user}${host}:${port}/${database}`;
}

function invalid(message: string, hint: string, details: Record<string, unknown> = {}): ConvergeError {
  return new ConvergeError('CONFIG_INVALID', message, { hint, details });
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw invalid(`The PostgreSQL store option ${name} must be a positive whole number, not ${String(value)}.`, `Leave ${name} out to use ${fallback}.`, {
      option: name,
    });
  }
  return value;
}

/** Copies, checks and freezes the config. Never puts the URL itself in an error: it may hold a password. */
export function resolvePostgresStoreConfig(config: PostgresStoreConfig): ResolvedPostgresStoreConfig {
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    // No cause: Node's URL error carries the whole input, password included.
    throw new ConvergeError('STORE_UNAVAILABLE', 'The PostgreSQL store URL is not a valid URL.', {
      hint: 'Write it as postgres://user:password@host:5432/database (percent-encode special characters in the password).',
    });
  }
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) {
    throw new ConvergeError('STORE_UNAVAILABLE', `A PostgreSQL store URL must start with postgres://, not ${parsed.protocol}//.`, {
      hint: 'Write it as postgres://user:password@host:5432/database.',
    });
  }
  const schema = config.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw invalid(
      `The PostgreSQL schema name "${schema}" is not allowed: use letters, digits and underscores, at most 63, not starting with a digit.`,
      `Leave the schema out to use "${DEFAULT_SCHEMA}".`,
      { schema },
    );
  }
  return Object.freeze({
    url: config.url,
    schema,
    poolSize: positiveInteger('poolSize', config.poolSize, DEFAULT_POOL_SIZE),
    lockTimeoutMs: positiveInteger('lockTimeoutMs', config.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', config.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    location: redactPostgresUrl(parsed),
  });
}
