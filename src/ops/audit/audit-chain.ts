/**
 * The hash chain of the audit log: each row's hash is sha256(prev_hash + canonical JSON of the
 * row), so changing, inserting or deleting a row breaks every hash after it. Canonical JSON
 * sorts object keys at every level, so the hash does not depend on how a database stores JSON.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditHead, AuditRow } from '../audit-log.js';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // undefined, functions and symbols have no JSON form; the row stores them as absent.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type Sealable = Pick<AuditRow, 'seq' | 'at' | 'actor' | 'action' | 'target' | 'details'>;

export function rowHash(prevHash: string, row: Sealable): string {
  const body = canonicalJson({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: row.target, details: row.details });
  return createHash('sha256').update(prevHash + body).digest('hex');
}

/** The next row after `head`, sealed. Details go through JSON once so what is hashed is what is stored. */
export function sealRow(head: AuditHead | undefined, entry: AuditEntry, at: string): AuditRow {
  const details = JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const row = { seq: (head?.seq ?? 0) + 1, at, actor: entry.actor, action: entry.action, target: entry.target, details };
  return { ...row, prevHash, hash: rowHash(prevHash, row) };
}

export type AuditProblem = 'hash_mismatch' | 'prev_hash_mismatch' | 'gap';

export interface AuditVerification {
  ok: boolean;
  rows: number;
  /** The last row's hash: keep it elsewhere to detect a truncated log later. */
  headHash: string;
  /** The first broken row, when not ok. */
  broken?: { seq: number; problem: AuditProblem; message: string };
}

/** Checks rows page by page, in order; stops at the first broken row. */
export class ChainVerifier {
  #prevHash = GENESIS_HASH;
  #expectedSeq = 1;
  #rows = 0;
  #broken: AuditVerification['broken'];

  /** Returns false once a broken row was found. */
  check(row: AuditRow): boolean {
    if (this.#broken !== undefined) return false;
    if (row.seq !== this.#expectedSeq) {
      this.#broken = { seq: this.#expectedSeq, problem: 'gap', message: `Audit row ${this.#expectedSeq} is missing (the next row is ${row.seq}): rows were deleted.` };
      return false;
    }
    if (row.prevHash !== this.#prevHash) {
      this.#broken = { seq: row.seq, problem: 'prev_hash_mismatch', message: `Audit row ${row.seq} does not point at the row before it: rows were removed or reordered.` };
      return false;
    }
    if (rowHash(row.prevHash, row) !== row.hash) {
      this.#broken = { seq: row.seq, problem: 'hash_mismatch', message: `Audit row ${row.seq} was changed after it was written: its hash does not match its contents.` };
      return false;
    }
    this.#prevHash = row.hash;
    this.#expectedSeq += 1;
    this.#rows += 1;
    return true;
  }

  result(): AuditVerification {
    return { ok: this.#broken === undefined, rows: this.#rows, headHash: this.#prevHash, ...(this.#broken ? { broken: this.#broken } : {}) };
  }
}
