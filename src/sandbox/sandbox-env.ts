/**
 * The environment of every process that runs agent-influenced code: checks and command agents.
 * It starts empty: a few harmless variables, the names the configuration allows, and the values it
 * sets — never the other keys Converge itself holds. The process is handed exactly this, so a key
 * stays out of reach whatever the process reads (its own environment, or /proc in a sandbox).
 */
import { delimiter } from 'node:path';

/** Passed through from Converge's environment to every sandboxed process. */
export const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR'] as const;

/** Names that look like credentials are withheld unless `env_allow` names them exactly. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

export interface SandboxEnvSpec {
  /** Where pass-through values come from; `process.env` unless a test supplies one. */
  source?: NodeJS.ProcessEnv;
  /** More harmless names passed like the base ones (checks add `CI`). */
  base?: readonly string[];
  /** `env_allow`: names passed through by exact name, even when they look like credentials. */
  allow?: readonly string[];
  /** Values the configuration or a preset sets; they win over what is passed through. */
  values?: Readonly<Record<string, string>>;
  /** Folders put in front of PATH, e.g. the workspace's `node_modules/.bin`. */
  extraPath?: readonly string[];
}

export function buildSandboxEnv(spec: SandboxEnvSpec = {}): Record<string, string> {
  const source = spec.source ?? process.env;
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV_NAMES, ...(spec.base ?? [])]) {
    const value = source[name];
    if (value !== undefined && !SECRET_NAME.test(name)) env[name] = value;
  }
  for (const name of spec.allow ?? []) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  // Values written in the configuration are not taken from Converge's environment, so they pass as
  // given; a preset's private HOME must not be undone by `env_allow: [HOME]`.
  Object.assign(env, spec.values);
  const extra = (spec.extraPath ?? []).filter((entry) => entry !== '');
  if (extra.length > 0) {
    env['PATH'] = [...extra, ...(env['PATH'] === undefined || env['PATH'] === '' ? [] : [env['PATH']])].join(delimiter);
  }
  return env;
}
