/**
 * The ops tables (tokens, audit log, notification outbox) beside a workflow store: same SQLite file, same PostgreSQL
 * database, or memory for a memory store. They have their own small tables, created on open,
 * so the workflow store's migrations never need to know about them.
 */
import type { AuditLog } from './audit-log.js';
import type { Outbox } from './notify/outbox.js';
import type { TokenStore } from './token-store.js';

export interface OpsStore {
  readonly tokens: TokenStore;
  readonly auditLog: AuditLog;
  /** Notifications waiting to be delivered, and what became of them (notify/outbox.ts). */
  readonly outbox: Outbox;
  /** Whether the store is reachable, for /health/ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
