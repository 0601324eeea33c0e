/**
 * The audit key: the secret every audit row and the head checkpoint are MACed with. It lives
 * outside the database on purpose: someone who can edit the database but cannot read the key can
 * no longer recompute the chain after an edit (with plain SHA-256 anyone could).
 *
 * - `CONVERGE_AUDIT_KEY`, when set, wins. Its text is the key, so
 *   `export CONVERGE_AUDIT_KEY=$(cat .converge/audit.key)` moves a file key into the environment.
 * - Otherwise a key file, created on the first write with 32 random bytes as hex, mode 0600. A key
 *   file other users may read is refused: whoever reads it can re-seal an edited log.
 * - A memory store gets a key of its own for the life of the process, like its rows.
 *
 * A key is never created by `verify`, nor by a write that follows HMAC-sealed rows: a new key
 * there could not verify them, so it would only hide that the old key is gone.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConvergeError } from '../../core/errors.js';
import type { AuditKeySource } from '../audit-log.js';

export const AUDIT_KEY_ENV = 'CONVERGE_AUDIT_KEY';
/** 32 characters: a hex key of 16 bytes at the least; generated keys have 64. */
const MIN_KEY_CHARS = 32;

function keyFromText(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.length < MIN_KEY_CHARS) {
    throw new ConvergeError('CONFIG_INVALID', `The audit key in ${where} is too short (${trimmed.length} characters; at least ${MIN_KEY_CHARS} are needed).`, {
      hint: where === AUDIT_KEY_ENV ? 'Set it to a long random value, e.g. `openssl rand -hex 32`.' : `Restore ${where} from the backup made with the store; a new key cannot verify the rows already written.`,
    });
  }
  return Buffer.from(trimmed, 'utf8');
}

function readKeyFile(file: string): Buffer | undefined {
  let mode: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ConvergeError('CONFIG_INVALID', `The audit key ${file} is not a file.`, { hint: `Move it aside; Converge creates the key file on the first write.` });
    mode = stat.mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Windows has no such mode bits; its ACLs are the user's business there.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new ConvergeError('CONFIG_INVALID', `The audit key file ${file} can be read by other users (mode 0${mode.toString(8)}): anyone who reads it can re-seal an edited audit log.`, {
      hint: `Run \`chmod 600 ${file}\`, or keep the key in ${AUDIT_KEY_ENV} instead.`,
      details: { file, mode: `0${mode.toString(8)}` },
    });
  }
  return keyFromText(readFileSync(file, 'utf8'), file);
}

/** Written whole to a temporary name, then linked into place: link fails when another process won the race. */
function createKeyFile(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = randomBytes(32).toString('hex');
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return keyFromText(text, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file)!;
    throw new ConvergeError('STORE_UNAVAILABLE', `Cannot create the audit key file ${file}.`, { hint: `Check that ${dirname(file)} is writable, or set ${AUDIT_KEY_ENV}.`, cause: error });
  } finally {
    unlinkSync(temp);
  }
}

class EnvOrFileKey implements AuditKeySource {
  readonly #fromEnv: string | undefined;
  readonly #file: string | undefined;
  #key: Buffer | undefined;

  constructor(file: string | undefined, env: NodeJS.ProcessEnv) {
    const value = env[AUDIT_KEY_ENV];
    this.#fromEnv = value !== undefined && value.trim() !== '' ? value : undefined;
    this.#file = file;
  }

  get location(): string {
    return this.#fromEnv !== undefined ? AUDIT_KEY_ENV : (this.#file ?? 'memory (this process)');
  }

  get({ create }: { create: boolean }): Buffer | undefined {
    if (this.#key !== undefined) return this.#key;
    if (this.#fromEnv !== undefined) this.#key = keyFromText(this.#fromEnv, AUDIT_KEY_ENV);
    else if (this.#file === undefined) this.#key = Buffer.from(randomBytes(32).toString('hex'), 'utf8');
    else this.#key = readKeyFile(this.#file) ?? (create ? createKeyFile(this.#file) : undefined);
    return this.#key;
  }
}

/** `CONVERGE_AUDIT_KEY`, else the key file at `file` (created on the first write). */
export function auditKeyFile(file: string, env: NodeJS.ProcessEnv = process.env): AuditKeySource {
  return new EnvOrFileKey(file, env);
}

/** `CONVERGE_AUDIT_KEY`, else a random key that dies with the process (memory stores). */
export function processAuditKey(env: NodeJS.ProcessEnv = process.env): AuditKeySource {
  return new EnvOrFileKey(undefined, env);
}

/** The key for checking HMAC-sealed rows; its absence is a setup problem, not tampering. */
export function requireAuditKey(source: AuditKeySource, what: string): Buffer {
  const key = source.get({ create: false });
  if (key !== undefined) return key;
  throw new ConvergeError('CONFIG_INVALID', `${what}, but the audit key is missing: ${AUDIT_KEY_ENV} is not set and ${source.location} does not exist.`, {
    hint: `Restore ${source.location} from the backup made with the store, or set ${AUDIT_KEY_ENV} to the key the rows were sealed with.`,
  });
}
