/**
 * Scrubbing what a CLI coding agent prints back. The agent is untrusted code working on untrusted
 * input (the prompt may quote a repository that tells it to print `env`); the keys it was handed,
 * and any Converge holds, must not reach a message. Its environment is built by the sandbox.
 */
import { SECRET_NAME } from '../../sandbox/index.js';

/** Values shorter than this are not scrubbed: replacing "1" or "true" everywhere would garble messages. */
const MIN_SCRUBBED_LENGTH = 6;

/** Every value in `source` held under a credential-like name: what must never appear in a message. */
export function secretValues(source: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && SECRET_NAME.test(name)) values.push(value);
  }
  return values;
}

const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{12,}/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi,
  /\b((?:api[_-]?key|x-api-key|token|secret|password)["']?\s*[:=]\s*["']?)[^\s"',;]{6,}/gi,
];

/**
 * Removes the exact secret values only. For the agent's own text (a plan, a summary), where
 * key-shaped patterns could match legitimate code examples.
 */
export function redactKnownSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const known = [...new Set(secrets)].filter((s) => s.length >= MIN_SCRUBBED_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of known) out = out.split(secret).join('[redacted]');
  return out;
}

/** Removes known secret values and key-shaped strings from error messages that go into logs and events. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = redactKnownSecrets(text, secrets);
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, prefix?: string) => (typeof prefix === 'string' ? `${prefix}[redacted]` : '[redacted]'));
  }
  return out;
}
