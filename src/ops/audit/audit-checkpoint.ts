/**
 * The head checkpoint: the seq and hash of the last row written, MACed with the audit key and kept
 * outside the audit table. A hash chain alone cannot show that rows were cut off its end; the
 * checkpoint can, and without the key nobody can write one that points at a shorter chain.
 *
 * Where it lives is the store's choice: a file beside the SQLite file (a person with SQL access
 * alone cannot touch it), a table of its own in PostgreSQL (shared by every machine that writes,
 * and written in the row's transaction), a field for memory.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { AuditAppendContext, AuditCheckpoint, AuditRow } from '../audit-log.js';

export function checkpointMac(key: Buffer, seq: number, hash: string): string {
  // The prefix keeps a checkpoint MAC from ever equalling a row MAC (rows start with a hash).
  return createHmac('sha256', key).update(`converge-audit-head\n${seq}\n${hash}`).digest('hex');
}

export function signCheckpoint(key: Buffer, row: Pick<AuditRow, 'seq' | 'hash'>): AuditCheckpoint {
  return { seq: row.seq, hash: row.hash, mac: checkpointMac(key, row.seq, row.hash) };
}

export function checkpointValid(key: Buffer, checkpoint: AuditCheckpoint): boolean {
  const expected = Buffer.from(checkpointMac(key, checkpoint.seq, checkpoint.hash), 'utf8');
  const actual = Buffer.from(checkpoint.mac, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export type CheckpointProblem = 'checkpoint_missing' | 'checkpoint_invalid' | 'truncated' | 'checkpoint_mismatch';

export interface CheckpointFinding {
  problem: CheckpointProblem;
  /** The first row missing, or the row that does not match. */
  seq: number;
  message: string;
  details: Record<string, unknown>;
}

/**
 * Whether the table still holds the row the checkpoint names, with the hash it names. Rows after
 * it are fine: another process may have written them, and the chain check covers them. A missing
 * checkpoint is a finding only once an HMAC row exists; before that the chain is all legacy rows.
 */
export function checkCheckpoint(context: AuditAppendContext, key: () => Buffer, location: string): CheckpointFinding | undefined {
  const { head, checkpoint, hashAtCheckpoint } = context;
  const lastSeq = head?.seq ?? 0;
  if (checkpoint === undefined) {
    if (head === undefined || head.hashAlg === 'sha256') return undefined;
    return {
      problem: 'checkpoint_missing',
      seq: lastSeq + 1,
      message: `The audit head checkpoint (${location}) is missing, so rows cut off after row ${lastSeq} could not be detected.`,
      details: { last_seq: lastSeq },
    };
  }
  if (!checkpointValid(key(), checkpoint)) {
    return {
      problem: 'checkpoint_invalid',
      seq: lastSeq + 1,
      message: `The audit head checkpoint (${location}) does not carry a valid MAC: it was edited, or written with another audit key.`,
      details: { last_seq: lastSeq },
    };
  }
  if (lastSeq < checkpoint.seq) {
    const missing = checkpoint.seq - lastSeq;
    const which = missing === 1 ? `Audit row ${checkpoint.seq} is missing` : `Audit rows ${lastSeq + 1}–${checkpoint.seq} are missing`;
    return {
      problem: 'truncated',
      seq: lastSeq + 1,
      message: `${which} (${missing} row${missing === 1 ? '' : 's'}): the head checkpoint says row ${checkpoint.seq} was written, but the log ends at row ${lastSeq}.`,
      details: { checkpoint_seq: checkpoint.seq, last_seq: lastSeq, missing_rows: missing },
    };
  }
  if (hashAtCheckpoint !== checkpoint.hash) {
    return {
      problem: 'checkpoint_mismatch',
      seq: checkpoint.seq,
      message: `Audit row ${checkpoint.seq} does not match the head checkpoint: it, or rows before it, were rewritten or removed.`,
      details: { checkpoint_seq: checkpoint.seq, last_seq: lastSeq },
    };
  }
  return undefined;
}

/** Reads a checkpoint file; anything unreadable comes back with an empty MAC, so it fails as invalid. */
export function readCheckpointFile(path: string): AuditCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<AuditCheckpoint>;
    if (Number.isSafeInteger(value.seq) && typeof value.hash === 'string' && typeof value.mac === 'string') return { seq: value.seq!, hash: value.hash, mac: value.mac };
  } catch {
    // falls through to the invalid checkpoint below
  }
  return { seq: 0, hash: '', mac: '' };
}

/** Temp file, fsync, rename: a reader sees the old checkpoint or the new one, never half of one. */
export function writeCheckpointFile(path: string, checkpoint: AuditCheckpoint): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ seq: checkpoint.seq, hash: checkpoint.hash, mac: checkpoint.mac })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
