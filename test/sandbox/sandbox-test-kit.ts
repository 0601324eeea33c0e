/**
 * Shared by the sandbox tests and by the check and command-agent tests that run under both
 * sandboxes: whether bwrap works here, and finding processes by a unique argument. Inside a PID
 * namespace a process reports its own pid, not the host's, so a test finds what is left running
 * by a marker in its command line, read from the host's /proc.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { SandboxMode } from '../../src/core/profile-schema.js';

/** The same probe the sandbox host makes, once for the test file. */
export const BWRAP_WORKS =
  process.platform === 'linux' &&
  spawnSync('bwrap', ['--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'], { stdio: 'ignore' }).status === 0;

/** Every sandbox a behaviour must hold in; bwrap only where it works (.ci/run installs it, so CI runs both). */
export const SANDBOXES: SandboxMode[] = BWRAP_WORKS ? ['none', 'bwrap'] : ['none'];

/** A `sleep` duration no other process uses, so its command line finds it. */
export function uniqueSeconds(): string {
  return String(7_000_000 + randomInt(999_999));
}

/** Host pids of live processes with `marker` as one of their arguments (zombies do not count). */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) pids.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

export async function eventuallyNoneWith(marker: string, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (processesWith(marker).length === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return processesWith(marker).length === 0;
}

export async function eventuallySomeWith(marker: string, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (processesWith(marker).length > 0) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
