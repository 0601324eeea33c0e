/**
 * The environment a CLI coding agent runs in, and the scrubbing of what it prints back.
 * The agent is untrusted code working on untrusted input (the prompt may quote a repository
 * that tells it to print `env`), so it starts from an empty environment: a few harmless
 * variables, the names `env_allow` lists, and what its preset sets — never the other keys
 * Converge itself holds.
 */

/** Passed through from Converge's environment to every command agent. */
export const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR'] as const;

/** Names that look like credentials are withheld unless `env_allow` names them exactly. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/** Values shorter than this are not scrubbed: replacing "1" or "true" everywhere would garble messages. */
const MIN_SCRUBBED_LENGTH = 6;

export function buildCommandEnv(
  source: NodeJS.ProcessEnv,
  envAllow: readonly string[],
  presetEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const value = source[name];
    if (value !== undefined && !SECRET_NAME.test(name)) env[name] = value;
  }
  for (const name of envAllow) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  // The preset's own values win: a private HOME must not be undone by `env_allow: [HOME]`.
  return { ...env, ...presetEnv };
}

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
