/**
 * Where the real coding-agent CLIs live for the e2e tests, and whether this machine can run them
 * offline. `.ci/run` installs each at the version pinned in real-cli-versions.json into
 * `${CONVERGE_CLI_CACHE:-~/.cache/converge-cli-agents}/<name>` (outside the clone: each is a
 * 300–400 MB binary); the tests read the same folder.
 *
 * A suite whose CLI is missing is skipped and says so in its name. Under CI it fails instead:
 * .ci/run installed the CLIs, so a missing one is a broken setup, not a reason to pass.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import PINS from './real-cli-versions.json' with { type: 'json' };

export type RealCliName = keyof typeof PINS;
export const REAL_CLI_NAMES = Object.keys(PINS) as RealCliName[];

export interface RealCliPin {
  /** The npm package, e.g. `@anthropic-ai/claude-code`. */
  package: string;
  version: string;
  /** The executable under node_modules/.bin. */
  bin: string;
}

export const REAL_CLI_PINS: Readonly<Record<RealCliName, RealCliPin>> = PINS;

/** The cache folder: one sub-folder per CLI, each with its own package.json and node_modules. */
export const CLI_CACHE = process.env['CONVERGE_CLI_CACHE'] ?? join(homedir(), '.cache', 'converge-cli-agents');

/** `CI=true` (or any non-empty value but "false" / "0"): a missing CLI or namespace fails the suite. */
export const IN_CI = process.env['CI'] !== undefined && !['', '0', 'false'].includes(process.env['CI']);

export function cliPath(name: RealCliName): string {
  return join(CLI_CACHE, name, 'node_modules', '.bin', REAL_CLI_PINS[name].bin);
}

/** The version installed in the cache, read from the package's own package.json. */
export function installedVersion(name: RealCliName): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(CLI_CACHE, name, 'node_modules', REAL_CLI_PINS[name].package, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/** The pinned version is installed and its executable can be run. */
export function cliAvailable(name: RealCliName): boolean {
  return missingReason(name) === undefined;
}

function missingReason(name: RealCliName): string | undefined {
  const pin = REAL_CLI_PINS[name];
  const version = installedVersion(name);
  if (version === undefined) return `${pin.package}@${pin.version} is not installed in ${join(CLI_CACHE, name)}`;
  if (version !== pin.version) return `${join(CLI_CACHE, name)} holds ${pin.package}@${version}, not the pinned ${pin.version}`;
  try {
    accessSync(cliPath(name), constants.X_OK);
  } catch {
    return `${cliPath(name)} is not executable`;
  }
  return undefined;
}

/**
 * How to enter namespaces that have only loopback for the network and their own PIDs: when their
 * first process (the offline launcher) exits, the kernel ends every process left in them, and until
 * then the launcher can see which ones remain. As root a plain `unshare` keeps the real uid, so
 * bubblewrap (Converge's sandbox and Codex's) behaves inside exactly as outside; other users need a
 * user namespace as well (`-r`), where bubblewrap may not work.
 */
export const UNSHARE_ARGS: readonly string[] = [...(process.getuid?.() === 0 ? [] : ['-r']), '-n', '-p', '-f', '--mount-proc'];

/** Why loopback-only runs are impossible here, or undefined when `unshare` and `ip` work. */
export const OFFLINE_BLOCKED: string | undefined = probeOffline();

function probeOffline(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const probe = spawnSync('unshare', [...UNSHARE_ARGS, 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `unshare could not start (${probe.error.message})`;
  if (probe.status !== 0) return `unshare ${UNSHARE_ARGS.join(' ')} failed: ${probe.stderr.trim() || `exit ${String(probe.status)}`}`;
  return undefined;
}

/**
 * `describe` for the suite of one CLI: skipped with the reason in its name when the CLI or the
 * namespace is missing, and one failing test in its place under CI.
 */
export function describeRealCli(name: RealCliName, title: string, body: () => void): void {
  const reason = missingReason(name) ?? OFFLINE_BLOCKED;
  if (reason === undefined) {
    describe(title, body);
    return;
  }
  if (IN_CI) {
    describe(title, () => {
      it(`needs ${name} offline, which .ci/run sets up`, () => {
        throw new Error(`${reason}. .ci/run installs the CLIs into ${CLI_CACHE} (CONVERGE_CLI_CACHE) and needs unshare; in CI this is a failure, not a skip.`);
      });
    });
    return;
  }
  describe.skip(`${title} (skipped: ${reason}; run .ci/run or see the README's real-CLI section)`, body);
}
