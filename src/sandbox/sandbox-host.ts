/**
 * Which sandbox this machine offers, decided once per host object: bubblewrap when it is installed
 * AND works here (user namespaces may be forbidden in a container), else none. `auto` falls back to
 * none with one warning; `bwrap` asked for explicitly never falls back silently.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConvergeError } from '../core/errors.js';
import { endSentence } from '../core/messages.js';
import type { SandboxMode } from '../core/profile-schema.js';
import { bwrapArgs } from './bwrap-sandbox.js';

export const INSTALL_HINT = 'Install bubblewrap (`apt-get install bubblewrap`), or set `sandbox: none` to run without a sandbox.';

export type SandboxChoice = { kind: 'bwrap'; bwrap: string; unshareUser: boolean } | { kind: 'none' };

export interface SandboxHost {
  /** Resolves a mode to what runs; throws CONFIG_INVALID when `bwrap` is asked for and does not work. */
  choose(mode: SandboxMode): Promise<SandboxChoice>;
}

export interface SandboxHostOptions {
  /** bwrap's path: undefined looks it up on PATH, null means this machine has none. */
  bwrap?: string | null;
  platform?: NodeJS.Platform;
  /** Where the one "not sandboxed" warning goes; stderr unless a test listens. */
  warn?: (message: string) => void;
}

type Availability = { ok: true; bwrap: string; unshareUser: boolean } | { ok: false; reason: string };

export function createSandboxHost(options: SandboxHostOptions = {}): SandboxHost {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`converge: warning: ${message}\n`));
  let availability: Promise<Availability> | undefined;
  let warned = false;
  return {
    async choose(mode) {
      if (mode === 'none') return { kind: 'none' };
      availability ??= probe(options);
      const found = await availability;
      if (found.ok) return { kind: 'bwrap', bwrap: found.bwrap, unshareUser: found.unshareUser };
      if (mode === 'bwrap') {
        throw new ConvergeError('CONFIG_INVALID', endSentence(`The sandbox \`bwrap\` was asked for, but ${found.reason}`), {
          hint: INSTALL_HINT,
          details: { sandbox: mode },
        });
      }
      if (!warned) {
        warned = true;
        warn(
          `${found.reason}, so checks and command agents run without a sandbox: they can read whatever Converge's user can. ${INSTALL_HINT}`,
        );
      }
      return { kind: 'none' };
    },
  };
}

let systemHost: SandboxHost | undefined;

/** The host of this process: bwrap is looked up and tried once, and the warning is printed once. */
export function systemSandboxHost(): SandboxHost {
  systemHost ??= createSandboxHost();
  return systemHost;
}

async function probe(options: SandboxHostOptions): Promise<Availability> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return { ok: false, reason: `no sandbox is available on ${platform} (bubblewrap runs on Linux only)` };
  const bwrap = options.bwrap === undefined ? onPath('bwrap') : options.bwrap;
  if (bwrap === null || bwrap === undefined) return { ok: false, reason: 'bubblewrap (bwrap) is not installed' };
  // Root needs no user namespace; anyone else gets one where the kernel allows it.
  const unshareUser = process.getuid?.() !== 0;
  const args = bwrapArgs({ file: 'true', args: [], cwd: '/', network: false, unshareUser, readable: [], writable: [], hidden: [] });
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(bwrap, args, { timeout: 10_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } }, (error, _stdout, stderr) => {
      if (error === null) return resolve(undefined);
      const said = String(stderr).trim().split('\n')[0] ?? '';
      resolve(said !== '' ? said : error.message);
    });
  });
  if (failure === undefined) return { ok: true, bwrap, unshareUser };
  return { ok: false, reason: `bubblewrap at ${bwrap} does not work here (${failure}); a container may forbid the namespaces it needs` };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}
