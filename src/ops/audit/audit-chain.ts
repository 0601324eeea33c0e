/**
 * The hash chain of the audit log: each row's hash is HMAC-SHA256(key, prev_hash + canonical JSON
 * of the row), so changing, inserting or deleting a row breaks every hash after it, and without the
 * key nobody can compute new ones. Canonical JSON sorts object keys at every level, so the hash
 * does not depend on how a database stores JSON.
 *
 * Rows written before the key existed are plain SHA-256 (`hash_alg = 'sha256'`) and still verify.
 * Someone who edits a row cannot re-seal it with HMAC, so they might try to relabel the rows from
 * the edit onwards as legacy and recompute plain SHA-256. Three rules stop that downgrade:
 * - once an HMAC row appears, every later row must be HMAC, so a relabelling has to begin before
 *   the first HMAC row and then covers every HMAC row, the one the head checkpoint names too;
 * - that row's hash then differs from the checkpoint's, and the checkpoint is MACed, so it cannot
 *   be rewritten to match;
 * - only a chain that was never keyed may lack a checkpoint, and `verify` warns about it.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AuditCheckpoint, AuditEntry, AuditHashAlg, AuditRow } from '../audit-log.js';
import { checkCheckpoint } from './audit-checkpoint.js';
import type { CheckpointProblem } from './audit-checkpoint.js';

export const GENESIS_HASH = '0'.repeat(64);
/** Written by Converge itself when a write found the checkpoint out of step with the table. */
export const CHECKPOINT_RESET_ACTION = 'audit.checkpoint_reset';
export const SYSTEM_ACTOR = 'converge';

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

function sealedText(prevHash: string, row: Sealable): string {
  return prevHash + canonicalJson({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: row.target, details: row.details });
}

/** The legacy seal: plain SHA-256, kept to verify rows written before the chain was keyed. */
export function rowHash(prevHash: string, row: Sealable): string {
  return createHash('sha256').update(sealedText(prevHash, row)).digest('hex');
}

export function rowMac(key: Buffer, prevHash: string, row: Sealable): string {
  return createHmac('sha256', key).update(sealedText(prevHash, row)).digest('hex');
}

/** The next row after `head`, sealed with HMAC. Details go through JSON once so what is hashed is what is stored. */
export function sealRow(head: Pick<AuditRow, 'seq' | 'hash'> | undefined, entry: AuditEntry, at: string, key: Buffer): AuditRow {
  const details = JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const row = { seq: (head?.seq ?? 0) + 1, at, actor: entry.actor, action: entry.action, target: entry.target, details };
  return { ...row, prevHash, hash: rowMac(key, prevHash, row), hashAlg: 'hmac-sha256' };
}

export function isCheckpointReset(row: AuditRow): boolean {
  return row.action === CHECKPOINT_RESET_ACTION && row.actor === SYSTEM_ACTOR;
}

export type AuditProblem = 'hash_mismatch' | 'prev_hash_mismatch' | 'gap' | 'downgrade' | 'checkpoint_reset' | CheckpointProblem;

export interface AuditVerification {
  ok: boolean;
  rows: number;
  /** The last row's hash. */
  headHash: string;
  /** The first broken row, when not ok. */
  broken?: { seq: number; problem: AuditProblem; message: string };
  /** Not failures, but worth a person's eye: a chain without checkpoint, accepted resets. */
  warnings: string[];
}

export interface ChainVerifierOptions {
  /** The audit key; throws when there is none. `what` says which row or file needed it. */
  key: (what: string) => Buffer;
  /** Read before the first row, so rows written meanwhile only add to the chain. */
  checkpoint: AuditCheckpoint | undefined;
  checkpointLocation: string;
  /** Seqs of `audit.checkpoint_reset` rows a person has looked into (`--accept-reset`). */
  acceptResets?: readonly number[];
}

/** Checks rows page by page, in order; stops at the first broken row; `result()` then checks the checkpoint. */
export class ChainVerifier {
  readonly #options: ChainVerifierOptions;
  #prevHash = GENESIS_HASH;
  #expectedSeq = 1;
  #rows = 0;
  #last: AuditRow | undefined;
  #firstHmac: number | undefined;
  #hashAtCheckpoint: string | undefined;
  #broken: AuditVerification['broken'];
  readonly #warnings: string[] = [];

  constructor(options: ChainVerifierOptions) {
    this.#options = options;
  }

  #fail(seq: number, problem: AuditProblem, message: string): false {
    this.#broken = { seq, problem, message };
    return false;
  }

  #sealMatches(row: AuditRow, alg: AuditHashAlg): boolean {
    if (alg === 'sha256') return rowHash(row.prevHash, row) === row.hash;
    return rowMac(this.#options.key(`Audit row ${row.seq} is sealed with HMAC`), row.prevHash, row) === row.hash;
  }

  /** Returns false once a broken row was found. */
  check(row: AuditRow): boolean {
    if (this.#broken !== undefined) return false;
    const { seq } = row;
    if (seq !== this.#expectedSeq) return this.#fail(this.#expectedSeq, 'gap', `Audit row ${this.#expectedSeq} is missing (the next row is ${seq}): rows were deleted.`);
    if (row.prevHash !== this.#prevHash) return this.#fail(seq, 'prev_hash_mismatch', `Audit row ${seq} does not point at the row before it: rows were removed or reordered.`);
    if (row.hashAlg === 'sha256' && this.#firstHmac !== undefined) {
      return this.#fail(seq, 'downgrade', `Audit row ${seq} is sealed with plain SHA-256 after HMAC-sealed rows (from row ${this.#firstHmac}): it was rewritten, or written by a Converge older than the keyed chain.`);
    }
    if (row.hashAlg !== 'sha256' && row.hashAlg !== 'hmac-sha256') return this.#fail(seq, 'hash_mismatch', `Audit row ${seq} names an unknown seal ${JSON.stringify(row.hashAlg)}: it was changed after it was written.`);
    if (!this.#sealMatches(row, row.hashAlg)) {
      const how = row.hashAlg === 'sha256' ? 'its hash does not match its contents' : 'its HMAC does not match its contents, or the audit key is not the one that sealed it';
      return this.#fail(seq, 'hash_mismatch', `Audit row ${seq} was changed after it was written: ${how}.`);
    }
    if (isCheckpointReset(row)) {
      const what = typeof row.details.message === 'string' ? row.details.message : 'the head checkpoint did not match the log';
      if (!(this.#options.acceptResets ?? []).includes(seq)) {
        return this.#fail(seq, 'checkpoint_reset', `Audit row ${seq} records that the log was out of step with its head checkpoint when it was written: ${what}`);
      }
      this.#warnings.push(`Audit row ${seq} records a checkpoint reset (accepted): ${what}`);
    }
    if (row.hashAlg === 'hmac-sha256') this.#firstHmac ??= seq;
    if (seq === this.#options.checkpoint?.seq) this.#hashAtCheckpoint = row.hash;
    this.#prevHash = row.hash;
    this.#last = row;
    this.#expectedSeq += 1;
    this.#rows += 1;
    return true;
  }

  result(): AuditVerification {
    const { checkpoint, checkpointLocation } = this.#options;
    if (this.#broken === undefined) {
      const head = this.#last;
      const finding = checkCheckpoint({ head, checkpoint, hashAtCheckpoint: this.#hashAtCheckpoint }, () => this.#options.key(`The head checkpoint (${checkpointLocation}) is MACed`), checkpointLocation);
      if (finding !== undefined) this.#broken = { seq: finding.seq, problem: finding.problem, message: finding.message };
      else if (checkpoint === undefined && head !== undefined) {
        this.#warnings.push(`The audit log has only rows sealed with plain SHA-256 (written before the keyed chain) and no head checkpoint: a cut-off tail cannot be detected until the next row is written.`);
      }
    }
    return { ok: this.#broken === undefined, rows: this.#rows, headHash: this.#prevHash, ...(this.#broken ? { broken: this.#broken } : {}), warnings: [...this.#warnings] };
  }
}
