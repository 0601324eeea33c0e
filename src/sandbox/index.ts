/**
 * How a check or command-agent process is confined, and the one launcher both use: bubblewrap on
 * Linux (own PID namespace and /proc, read-only system, writable workspace, private /tmp, only the
 * allow-listed environment, no network for checks unless asked), or none with a warning.
 */
export { launchProcess, DEFAULT_KILL_GRACE_MS } from './process-launcher.js';
export type { LaunchResult, LaunchSpec, SandboxSpec } from './process-launcher.js';
export { createSandboxHost, systemSandboxHost, INSTALL_HINT } from './sandbox-host.js';
export type { SandboxChoice, SandboxHost, SandboxHostOptions } from './sandbox-host.js';
export { buildSandboxEnv, BASE_ENV_NAMES, SECRET_NAME } from './sandbox-env.js';
export type { SandboxEnvSpec } from './sandbox-env.js';
export { HeadTailCollector, TailBuffer, WholeBuffer } from './process-output.js';
export { bwrapArgs, bwrapBinds } from './bwrap-sandbox.js';
export type { BwrapSpec } from './bwrap-sandbox.js';
