/**
 * The environment a check runs in. It starts empty: a check sees a few harmless variables,
 * the ones its definition allows by name, and the ones it sets itself — never the API keys
 * Converge itself holds.
 */
import { delimiter } from 'node:path';
import type { Check } from '../core/profile-schema.js';

/** Passed through from Converge's environment to every check. */
export const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'CI'] as const;

/** Names that look like credentials are withheld unless `env_allow` names them exactly. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

export interface CheckEnvOptions {
  /** Folders put in front of PATH, e.g. the workspace's `node_modules/.bin`. */
  extraPath?: readonly string[];
  /** Where pass-through values come from; `process.env` unless a test supplies one. */
  source?: NodeJS.ProcessEnv;
}

export function buildCheckEnv(check: Pick<Check, 'env_allow' | 'env'>, options: CheckEnvOptions = {}): Record<string, string> {
  const source = options.source ?? process.env;
  const allowed = new Set(check.env_allow);
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const value = source[name];
    if (value !== undefined && !SECRET_NAME.test(name)) env[name] = value;
  }
  for (const name of allowed) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  // Values written in the definition itself are not taken from Converge's environment, so they pass as given.
  Object.assign(env, check.env);
  const extra = (options.extraPath ?? []).filter((entry) => entry !== '');
  if (extra.length > 0) {
    env['PATH'] = [...extra, ...(env['PATH'] === undefined || env['PATH'] === '' ? [] : [env['PATH']])].join(delimiter);
  }
  return env;
}
