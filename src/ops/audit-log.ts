/**
 * The audit log's storage: append-only rows, each sealed with the hash of the row before it.
 * Storage knows nothing about hashing; it hands the current head to `build` inside one
 * transaction, so two writers (a server and a CLI approval) can never fork the chain.
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

export interface AuditRow extends AuditEntry {
  /** 1, 2, 3 … without gaps. */
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditLog {
  /** Reads the head and inserts `build(head)` atomically; `head` is undefined for the first row. */
  append(build: (head: AuditHead | undefined) => AuditRow): Promise<AuditRow>;
  /** Rows with seq > afterSeq, in order, at most `limit`. */
  read(afterSeq?: number, limit?: number): Promise<AuditRow[]>;
}
