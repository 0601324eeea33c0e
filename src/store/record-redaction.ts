/**
 * Secret values never reach the record. Every store runs what it is about to write (event
 * bodies, index rows, snapshots) through `redactRecord` once, whoever produced the text: a
 * check that printed its environment, an agent that echoed a key, an error that quoted a URL.
 *
 * What counts as secret:
 * - the value of every environment variable whose name looks like a credential (KEY, TOKEN,
 *   SECRET, PASSWORD, CREDENTIAL), read from this process's environment;
 * - values registered by the parts that know them: provider keys named by `api_key_env`,
 *   the password of a store URL, token secrets issued or presented;
 * - anything shaped like a Converge token secret (`cv_…`), known or not.
 */

export const REDACTED = '[redacted]';

/** Names that look like credentials. */
export const SECRET_ENV_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/** Shorter values are not redacted: replacing "1" or "true" everywhere would garble the record. */
export const MIN_SECRET_LENGTH = 6;

/** A Converge token secret: `cv_` and 32 random bytes in base64url (ops/auth/token-secrets.ts). */
const TOKEN_SHAPE = /\bcv_[A-Za-z0-9_-]{40,200}/g;

/** The environment is read again at most this often, so a long-running server pays nothing per write. */
const ENV_REFRESH_MS = 1_000;

class SecretValues {
  readonly #registered = new Set<string>();
  #env: { readAt: number; names: number; values: string[] } | undefined;
  #sorted: string[] | undefined;
  #lookedThisTurn = false;

  register(value: string): void {
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH || this.#registered.has(trimmed)) return;
    this.#registered.add(trimmed);
    this.#sorted = undefined;
  }

  /** Longest first, so a secret that contains another is replaced whole. */
  values(now = Date.now()): readonly string[] {
    // Counting the environment's names costs about 10 us, and one append redacts its events, its
    // index row and the caller's copy one after another: they share one look, taken again once
    // the code that asked has run to its next await.
    if (!this.#lookedThisTurn || this.#env === undefined) {
      this.#lookedThisTurn = true;
      queueMicrotask(() => {
        this.#lookedThisTurn = false;
      });
      const names = Object.keys(process.env).length;
      if (this.#env === undefined || this.#env.names !== names || now - this.#env.readAt > ENV_REFRESH_MS) {
        const fresh = secretsInEnvironment(process.env);
        if (this.#env === undefined || fresh.join('\0') !== this.#env.values.join('\0')) this.#sorted = undefined;
        this.#env = { readAt: now, names, values: fresh };
      }
    }
    this.#sorted ??= [...new Set([...this.#env.values, ...this.#registered])].sort((a, b) => b.length - a.length);
    return this.#sorted;
  }
}

const secrets = new SecretValues();

/** Every value held under a credential-like name in `source`. */
export function secretsInEnvironment(source: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && SECRET_ENV_NAME.test(name) && value.trim().length >= MIN_SECRET_LENGTH) values.push(value.trim());
  }
  return values.sort();
}

/**
 * Adds a value that must never be written, for the rest of this process: a provider key read
 * from a variable whose name does not look like one, a store password, a token secret.
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string') secrets.register(value);
}

/** The password of a `scheme://user:password@host/…` URL, registered as a secret. */
export function registerUrlCredentials(url: string): void {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') registerSecret(decodeURIComponent(parsed.password));
  } catch {
    // Not a URL: nothing to learn from it.
  }
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of secrets.values()) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (out.includes('cv_')) out = out.replace(TOKEN_SHAPE, REDACTED);
  return out;
}

/**
 * `value` with every secret in its strings replaced. Returns the very same object when there
 * was nothing to replace (the common case), so a caller can tell by identity and nothing is copied.
 */
export function redactRecord<T>(value: T): T {
  const known = secrets.values();
  return redactDeep(value, known) as T;
}

function redactDeep(value: unknown, known: readonly string[]): unknown {
  if (typeof value === 'string') return needsRedaction(value, known) ? redactText(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = redactDeep(value[i], known);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const before = (value as Record<string, unknown>)[key];
    const next = redactDeep(before, known);
    if (next !== before) (copy ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return copy ?? value;
}

function needsRedaction(text: string, known: readonly string[]): boolean {
  if (text.length < MIN_SECRET_LENGTH) return false;
  for (const secret of known) if (text.includes(secret)) return true;
  if (text.includes('cv_')) {
    TOKEN_SHAPE.lastIndex = 0;
    return TOKEN_SHAPE.test(text);
  }
  return false;
}
