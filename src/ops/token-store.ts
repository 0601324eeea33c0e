/**
 * Where API tokens live. Only a SHA-256 hash of each secret is stored: a stolen database lets
 * nobody in. `sqlite/`, `postgres/` and `memory/` implement it.
 */
import type { Role } from './auth/roles.js';

/** `api`: made by `converge token create`; `login`: a one-time sign-in link; `session`: a browser cookie. */
export type TokenKind = 'api' | 'login' | 'session';

export interface TokenRecord {
  /** Public id, e.g. `tok_3f9a1c2b7d`; shown in lists and used to revoke. Never the secret. */
  id: string;
  name: string;
  role: Role;
  kind: TokenKind;
  /** SHA-256 of the secret, hex. */
  hash: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** The token a session or login link was derived from; revoking it revokes them too. */
  parentId: string | null;
  createdBy: string | null;
}

export interface TokenStore {
  /** Throws if the id or the hash exists already. */
  insert(record: TokenRecord): Promise<void>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  get(id: string): Promise<TokenRecord | undefined>;
  /** Newest first. */
  list(): Promise<TokenRecord[]>;
  /** Revokes the token and every token derived from it; returns how many were newly revoked. */
  revoke(id: string, at: string): Promise<number>;
  /** Records a use; callers throttle it, so it is not a write per request. */
  touch(id: string, at: string): Promise<void>;
}
