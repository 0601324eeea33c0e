/**
 * The audit trail every interface writes to: `record()` appends a sealed row, `verify()` walks
 * the chain and compares its end with the head checkpoint, `rows()` pages through it for export.
 * The HTTP API records every state-changing request; the CLI and MCP call `record()` for
 * approvals and token changes.
 */
import { ConvergeError } from '../../core/errors.js';
import type { AuditAppend, AuditAppendContext, AuditEntry, AuditLog, AuditRow } from '../audit-log.js';
import { ChainVerifier, CHECKPOINT_RESET_ACTION, rowMac, sealRow, SYSTEM_ACTOR } from './audit-chain.js';
import type { AuditVerification } from './audit-chain.js';
import { checkCheckpoint, signCheckpoint } from './audit-checkpoint.js';
import { AUDIT_KEY_ENV, requireAuditKey } from './audit-key.js';

export interface AuditRecordInput {
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditVerifyOptions {
  /** Seqs of `audit.checkpoint_reset` rows a person has looked into; they become warnings. */
  acceptResets?: readonly number[];
}

export interface Audit {
  /** Appends one row (after an `audit.checkpoint_reset` row when the checkpoint was out of step). */
  record(input: AuditRecordInput): Promise<AuditRow>;
  verify(options?: AuditVerifyOptions): Promise<AuditVerification>;
  /** Every row in order, a page at a time. */
  rows(pageSize?: number): AsyncGenerator<AuditRow>;
  read(afterSeq?: number, limit?: number): Promise<AuditRow[]>;
}

/**
 * Seals `entry` after the table's head. When the checkpoint is out of step with the table (rows
 * cut off, checkpoint gone or forged), the write neither stops nor quietly moves the checkpoint
 * on, which would hide the loss: it first appends an `audit.checkpoint_reset` row saying what
 * it found. That row is sealed into the chain, so `verify` keeps reporting the loss until a
 * person accepts it, and the audit rows of whatever happens next are not lost meanwhile.
 */
function sealAppend(log: AuditLog, context: AuditAppendContext, entry: AuditEntry, at: string): AuditAppend {
  const { head } = context;
  // After HMAC rows, a new key could not verify them: it would only hide that the old one is gone.
  const legacyOrEmpty = head === undefined || head.hashAlg === 'sha256';
  const key = log.key.get({ create: legacyOrEmpty }) ?? requireAuditKey(log.key, `Audit rows up to ${head!.seq} are sealed with HMAC`);
  const finding = checkCheckpoint(context, () => key, log.checkpointLocation);
  // A valid checkpoint proves the key; without one, the last row must, or the key is the wrong one.
  const keyUnproven = finding?.problem === 'checkpoint_missing' || finding?.problem === 'checkpoint_invalid';
  if (keyUnproven && !legacyOrEmpty && rowMac(key, head!.prevHash, head!) !== head!.hash) {
    throw new ConvergeError('CONFIG_INVALID', `The audit key (${log.key.location}) does not verify the last audit row ${head!.seq}: it is not the key the log was sealed with, or that row was edited.`, {
      hint: `Run \`converge audit verify\`. If the key changed, restore the old one: the backup made with the store, or the ${AUDIT_KEY_ENV} of the machines that wrote the log.`,
    });
  }
  const rows: AuditRow[] = [];
  let after: Pick<AuditRow, 'seq' | 'hash'> | undefined = head;
  if (finding !== undefined) {
    const reset = sealRow(after, { actor: SYSTEM_ACTOR, action: CHECKPOINT_RESET_ACTION, target: null, details: { problem: finding.problem, message: finding.message, ...finding.details } }, at, key);
    rows.push(reset);
    after = reset;
  }
  const row = sealRow(after, entry, at, key);
  rows.push(row);
  return { rows, checkpoint: signCheckpoint(key, row) };
}

export function createAudit(log: AuditLog, now: () => Date = () => new Date()): Audit {
  async function* rows(pageSize = 1000): AsyncGenerator<AuditRow> {
    let after = 0;
    for (;;) {
      const page = await log.read(after, pageSize);
      for (const row of page) yield row;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.seq;
    }
  }
  return {
    async record(input) {
      const entry = { actor: input.actor, action: input.action, target: input.target ?? null, details: input.details ?? {} };
      const at = now().toISOString();
      const written = await log.append((context) => sealAppend(log, context, entry, at));
      return written[written.length - 1]!;
    },
    async verify(options = {}) {
      const checkpoint = await log.readCheckpoint();
      const verifier = new ChainVerifier({
        key: (what) => requireAuditKey(log.key, what),
        checkpoint,
        checkpointLocation: log.checkpointLocation,
        ...(options.acceptResets ? { acceptResets: options.acceptResets } : {}),
      });
      for await (const row of rows()) if (!verifier.check(row)) break;
      return verifier.result();
    },
    rows,
    read: (afterSeq, limit) => log.read(afterSeq, limit),
  };
}
