/**
 * The audit trail every interface writes to: `record()` appends a sealed row, `verify()` walks
 * the chain, `rows()` pages through it for export. The HTTP API records every state-changing
 * request; the CLI and MCP call `record()` for approvals and token changes.
 */
import type { AuditLog, AuditRow } from '../audit-log.js';
import { ChainVerifier, sealRow } from './audit-chain.js';
import type { AuditVerification } from './audit-chain.js';

export interface AuditRecordInput {
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export interface Audit {
  record(input: AuditRecordInput): Promise<AuditRow>;
  verify(): Promise<AuditVerification>;
  /** Every row in order, a page at a time. */
  rows(pageSize?: number): AsyncGenerator<AuditRow>;
  read(afterSeq?: number, limit?: number): Promise<AuditRow[]>;
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
    record(input) {
      const entry = { actor: input.actor, action: input.action, target: input.target ?? null, details: input.details ?? {} };
      return log.append((head) => sealRow(head, entry, now().toISOString()));
    },
    async verify() {
      const verifier = new ChainVerifier();
      for await (const row of rows()) if (!verifier.check(row)) break;
      return verifier.result();
    },
    rows,
    read: (afterSeq, limit) => log.read(afterSeq, limit),
  };
}
