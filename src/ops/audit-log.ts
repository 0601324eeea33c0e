/**
 * The audit log's storage: append-only rows, each sealed with the hash of the row before it, and
 * a head checkpoint kept outside the rows' table. Storage knows nothing about hashing: it reads
 * the head and the checkpoint and writes what `build` returns inside one transaction, so two
 * writers (a server and a CLI approval) can never fork the chain or the checkpoint.
 */
export interface AuditEntry {
  /** Who: a token name, a CLI user, an MCP client; `anonymous` for a failed sign-in. */
  actor: string;
  /** What, dotted: `workflow.approve`, `token.create`, `auth.denied` … */
  action: string;
  /** The object acted on, e.g. a workflow id or a token id. */
  target: string | null;
  /** JSON-safe data; never a secret. */
  details: Record<string, unknown>;
}

/**
 * `sha256`: rows written before the chain was keyed (plain SHA-256, anyone can recompute it).
 * `hmac-sha256`: every row written since, keyed with the audit key kept outside the database.
 */
export type AuditHashAlg = 'sha256' | 'hmac-sha256';

export interface AuditRow extends AuditEntry {
  /** 1, 2, 3 … without gaps. */
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
  hashAlg: AuditHashAlg;
}

/** The last row written, MACed with the audit key; read back by `audit verify` to catch a cut tail. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  mac: string;
}

/** What `build` sees, all read inside the append's transaction. */
export interface AuditAppendContext {
  /** The table's last row, whole (a write checks its seal to be sure of the key); undefined while empty. */
  head: AuditRow | undefined;
  checkpoint: AuditCheckpoint | undefined;
  /** The hash of the row at `checkpoint.seq`; undefined without a checkpoint or when that row is gone. */
  hashAtCheckpoint: string | undefined;
}

export interface AuditAppend {
  /** Consecutive rows following `head`. */
  rows: AuditRow[];
  checkpoint: AuditCheckpoint;
}

/** The secret the rows and the checkpoint are MACed with; see audit/audit-key.ts. */
export interface AuditKeySource {
  /**
   * The key, or undefined when there is none yet and `create` is false. Throws a ConvergeError
   * when the key is unusable (a key file other users can read, a key too short).
   */
  get(options: { create: boolean }): Buffer | undefined;
  /** Where the key comes from, for messages: `CONVERGE_AUDIT_KEY` or a file path. */
  readonly location: string;
}

export interface AuditLog {
  readonly key: AuditKeySource;
  /** Where the head checkpoint is kept, for messages: a file path or a table. */
  readonly checkpointLocation: string;
  /** Reads head, checkpoint and the hash at the checkpoint, then writes `build(…)`, atomically. */
  append(build: (context: AuditAppendContext) => AuditAppend): Promise<AuditRow[]>;
  /** Rows with seq > afterSeq, in order, at most `limit`. */
  read(afterSeq?: number, limit?: number): Promise<AuditRow[]>;
  readCheckpoint(): Promise<AuditCheckpoint | undefined>;
}
