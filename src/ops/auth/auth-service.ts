/**
 * Who is calling, and what they may do. Turns a token secret (header or cookie) into a
 * principal, issues tokens, exchanges one-time sign-in links for browser sessions, revokes.
 */
import { ConvergeError } from '../../core/errors.js';
import type { TokenKind, TokenRecord, TokenStore } from '../token-store.js';
import type { Role } from './roles.js';
import { hashTokenSecret, looksLikeTokenSecret, newTokenId, newTokenSecret } from './token-secrets.js';

export interface Principal {
  /** null when authentication is off (`serve --no-auth` on a loopback host). */
  tokenId: string | null;
  name: string;
  role: Role;
  kind: TokenKind | 'local';
}

export interface IssueInput {
  role: Role;
  name: string;
  kind?: TokenKind;
  /** Lifetime; unset means until revoked. */
  ttlMs?: number;
  parentId?: string;
  createdBy?: string;
}

export interface IssuedToken {
  record: TokenRecord;
  /** Shown once; only its hash is kept. */
  secret: string;
}

export interface Auth {
  /** False with `--no-auth`: every caller is the local admin. */
  readonly enabled: boolean;
  readonly tokens: TokenStore;
  /** The principal of a valid, unexpired, unrevoked secret; undefined otherwise. */
  authenticate(secret: string | undefined): Promise<Principal | undefined>;
  issue(input: IssueInput): Promise<IssuedToken>;
  /**
   * Trades a secret from a sign-in link for a browser session of the same role. A `login` token
   * works once; any other token may be pasted again. Undefined when the secret is not valid.
   */
  startSession(secret: string): Promise<{ principal: Principal; session: IssuedToken } | undefined>;
  /** Revokes a token and its sessions; false when the id is unknown or already revoked. */
  revoke(id: string): Promise<boolean>;
}

export interface AuthOptions {
  tokens: TokenStore;
  enabled?: boolean;
  now?: () => Date;
  /** How long a browser session lasts (default 12 hours). */
  sessionTtlMs?: number;
}

const TOUCH_EVERY_MS = 60_000;
export const LOCAL_PRINCIPAL: Principal = Object.freeze({ tokenId: null, name: 'local', role: 'admin', kind: 'local' });

export function createAuth(options: AuthOptions): Auth {
  const { tokens } = options;
  const enabled = options.enabled ?? true;
  const now = options.now ?? (() => new Date());
  const sessionTtlMs = options.sessionTtlMs ?? 12 * 3_600_000;
  const touched = new Map<string, number>();

  async function valid(secret: string | undefined): Promise<TokenRecord | undefined> {
    if (secret === undefined || !looksLikeTokenSecret(secret.trim())) return undefined;
    const record = await tokens.findByHash(hashTokenSecret(secret));
    if (record === undefined || record.revokedAt !== null) return undefined;
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now().getTime()) return undefined;
    if (record.parentId !== null) {
      // A session outlives nothing it came from: a revoked or expired parent ends it.
      const parent = await tokens.get(record.parentId);
      if (parent !== undefined && parent.kind !== 'login' && (parent.revokedAt !== null || (parent.expiresAt !== null && Date.parse(parent.expiresAt) <= now().getTime()))) {
        return undefined;
      }
    }
    return record;
  }

  function principalOf(record: TokenRecord): Principal {
    return { tokenId: record.id, name: record.name, role: record.role, kind: record.kind };
  }

  async function issue(input: IssueInput): Promise<IssuedToken> {
    if (input.name.trim() === '' || input.name.length > 100) {
      throw new ConvergeError('USAGE', 'A token name must have 1 to 100 characters.', { hint: 'Pass --name, e.g. --name ci-bot.' });
    }
    const secret = newTokenSecret();
    const at = now();
    const record: TokenRecord = {
      id: newTokenId(),
      name: input.name.trim(),
      role: input.role,
      kind: input.kind ?? 'api',
      hash: hashTokenSecret(secret),
      createdAt: at.toISOString(),
      expiresAt: input.ttlMs !== undefined ? new Date(at.getTime() + input.ttlMs).toISOString() : null,
      revokedAt: null,
      lastUsedAt: null,
      parentId: input.parentId ?? null,
      createdBy: input.createdBy ?? null,
    };
    await tokens.insert(record);
    return { record, secret };
  }

  return {
    enabled,
    tokens,
    async authenticate(secret) {
      if (!enabled) return LOCAL_PRINCIPAL;
      const record = await valid(secret);
      if (record === undefined || record.kind === 'login') return undefined;
      const last = touched.get(record.id) ?? 0;
      if (now().getTime() - last > TOUCH_EVERY_MS) {
        touched.set(record.id, now().getTime());
        await tokens.touch(record.id, now().toISOString()).catch(() => undefined);
      }
      return principalOf(record);
    },
    issue,
    async startSession(secret) {
      const record = await valid(secret);
      if (record === undefined) return undefined;
      if (record.kind === 'login') {
        // One use: a link left in a terminal's scrollback or a proxy log cannot sign anyone in later.
        if ((await tokens.revoke(record.id, now().toISOString())) === 0) return undefined;
      }
      const parentExpiry = record.expiresAt !== null && record.kind !== 'login' ? Date.parse(record.expiresAt) - now().getTime() : Infinity;
      const session = await issue({
        role: record.role,
        name: record.name,
        kind: 'session',
        ttlMs: Math.min(sessionTtlMs, parentExpiry),
        parentId: record.kind === 'session' ? (record.parentId ?? record.id) : record.id,
        createdBy: record.name,
      });
      return { principal: principalOf(session.record), session };
    },
    async revoke(id) {
      return (await tokens.revoke(id, now().toISOString())) > 0;
    },
  };
}
