/**
 * Token secrets: `cv_` and 32 random bytes (base64url), shown once. What is stored is their
 * SHA-256; a secret's entropy makes a slow hash unnecessary, and lookups stay one index probe.
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'cv_';

export function newTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function newTokenId(): string {
  return `tok_${randomBytes(5).toString('hex')}`;
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret.trim()).digest('hex');
}

/** Cheap shape check before any lookup, so junk headers never reach the store. */
export function looksLikeTokenSecret(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length >= 20 && value.length <= 200 && /^[A-Za-z0-9_-]+$/.test(value);
}
