/**
 * Tokens and audit rows in memory: for tests and for a memory workflow store, gone with the process.
 * The audit key is `CONVERGE_AUDIT_KEY` or a random one of this process's, and the head checkpoint
 * a field: a file would outlive the rows it describes.
 */
import type { AuditAppend, AuditAppendContext, AuditCheckpoint, AuditKeySource, AuditLog, AuditRow } from '../audit-log.js';
import { processAuditKey } from '../audit/audit-key.js';
import type { OpsStore } from '../ops-store.js';
import { MemoryOutbox } from './memory-outbox.js';
import type { TokenRecord, TokenStore } from '../token-store.js';

export class MemoryTokenStore implements TokenStore {
  readonly #rows = new Map<string, TokenRecord>();

  async insert(record: TokenRecord): Promise<void> {
    if (this.#rows.has(record.id) || [...this.#rows.values()].some((r) => r.hash === record.hash)) {
      throw new Error(`token ${record.id} exists already`);
    }
    this.#rows.set(record.id, { ...record });
  }

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const found = [...this.#rows.values()].find((r) => r.hash === hash);
    return found && { ...found };
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const found = this.#rows.get(id);
    return found && { ...found };
  }

  async list(): Promise<TokenRecord[]> {
    return [...this.#rows.values()].map((r) => ({ ...r })).reverse();
  }

  async revoke(id: string, at: string): Promise<number> {
    let count = 0;
    for (const row of this.#rows.values()) {
      if ((row.id === id || row.parentId === id) && row.revokedAt === null) {
        row.revokedAt = at;
        count += 1;
      }
    }
    return count;
  }

  async touch(id: string, at: string): Promise<void> {
    const row = this.#rows.get(id);
    if (row) row.lastUsedAt = at;
  }
}

export class MemoryAuditLog implements AuditLog {
  readonly #rows: AuditRow[] = [];
  #checkpoint: AuditCheckpoint | undefined;
  readonly key: AuditKeySource;
  readonly checkpointLocation = 'memory';

  constructor(options: { env?: NodeJS.ProcessEnv } = {}) {
    this.key = processAuditKey(options.env);
  }

  async append(build: (context: AuditAppendContext) => AuditAppend): Promise<AuditRow[]> {
    const checkpoint = this.#checkpoint && { ...this.#checkpoint };
    const atCheckpoint = checkpoint && this.#rows.find((r) => r.seq === checkpoint.seq);
    const { rows, checkpoint: next } = build({ head: structuredClone(this.#rows.at(-1)), checkpoint, hashAtCheckpoint: atCheckpoint?.hash });
    for (const row of rows) this.#rows.push(structuredClone(row));
    this.#checkpoint = { ...next };
    return rows;
  }

  async read(afterSeq = 0, limit = 1000): Promise<AuditRow[]> {
    return this.#rows.filter((r) => r.seq > afterSeq).slice(0, limit).map((r) => structuredClone(r));
  }

  async readCheckpoint(): Promise<AuditCheckpoint | undefined> {
    return this.#checkpoint && { ...this.#checkpoint };
  }

  /** Tests only: stands in for someone editing the database. */
  tamper(seq: number, change: Partial<AuditRow>): void {
    const row = this.#rows.find((r) => r.seq === seq);
    if (row) Object.assign(row, change);
  }

  /** Tests only: stands in for someone deleting the newest rows. */
  dropTail(count: number): void {
    this.#rows.splice(Math.max(0, this.#rows.length - count));
  }
}

export function openMemoryOpsStore(): OpsStore {
  return { tokens: new MemoryTokenStore(), auditLog: new MemoryAuditLog(), outbox: new MemoryOutbox(), ping: async () => undefined, close: async () => undefined };
}
