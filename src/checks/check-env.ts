/**
 * The environment a check runs in: the sandbox's base variables plus `CI`, the names its
 * definition allows by name, and the values it sets itself — never the API keys Converge holds.
 */
import type { Check } from '../core/profile-schema.js';
import { buildSandboxEnv } from '../sandbox/index.js';

export interface CheckEnvOptions {
  /** Folders put in front of PATH, e.g. the workspace's `node_modules/.bin`. */
  extraPath?: readonly string[];
  /** Where pass-through values come from; `process.env` unless a test supplies one. */
  source?: NodeJS.ProcessEnv;
}

export function buildCheckEnv(check: Pick<Check, 'env_allow' | 'env'>, options: CheckEnvOptions = {}): Record<string, string> {
  return buildSandboxEnv({
    base: ['CI'],
    allow: check.env_allow,
    values: check.env,
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(options.extraPath === undefined ? {} : { extraPath: options.extraPath }),
  });
}
