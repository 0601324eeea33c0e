/** Row shapes shared by the SQL implementations: snake_case columns ↔ records. */
import type { AuditHashAlg, AuditRow } from './audit-log.js';
import type { Role } from './auth/roles.js';
import type { TokenKind, TokenRecord } from './token-store.js';

export interface TokenDbRow {
  id: string;
  name: string;
  role: string;
  kind: string;
  hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  parent_id: string | null;
  created_by: string | null;
}

export interface AuditDbRow {
  seq: number | string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  prev_hash: string;
  hash: string;
  hash_alg: string;
}

export function toTokenParams(r: TokenRecord): TokenDbRow {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    kind: r.kind,
    hash: r.hash,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    revoked_at: r.revokedAt,
    last_used_at: r.lastUsedAt,
    parent_id: r.parentId,
    created_by: r.createdBy,
  };
}

export function fromTokenRow(r: TokenDbRow): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    kind: r.kind as TokenKind,
    hash: r.hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    parentId: r.parent_id,
    createdBy: r.created_by,
  };
}

/** Details are stored as text, not jsonb: what was hashed comes back byte for byte. */
export function fromAuditRow(r: AuditDbRow): AuditRow {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    // Unparseable details can only come from an edit; verify reports the row.
    details = { unparseable: r.details };
  }
  // An unknown hash_alg is passed through as it is: verify names the row.
  return { seq: Number(r.seq), at: r.at, actor: r.actor, action: r.action, target: r.target, details, prevHash: r.prev_hash, hash: r.hash, hashAlg: r.hash_alg as AuditHashAlg };
}

export const AUDIT_COLUMNS = 'seq, at, actor, action, target, details, prev_hash, hash, hash_alg';
