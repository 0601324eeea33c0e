/**
 * Signals a launched process's whole group. Processes are spawned detached, so each leads its own
 * group and `-pid` reaches its children and grandchildren too (a test runner's workers, a
 * `sleep &` in a shell script) — killing only the pid would leave them running.
 */
import { readFileSync, readdirSync } from 'node:fs';

export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  // Windows has no process groups; the best available is the process itself.
  signal1(process.platform === 'win32' ? pid : -pid, signal);
}

/**
 * Signals every member of the group but its leader. The leader of a sandboxed run is bwrap, which
 * dies at once on SIGTERM and takes the sandbox down with it; sparing it lets the processes inside
 * get the grace period they would get unsandboxed. Linux only, as bwrap is.
 */
export function signalGroupMembers(pid: number, signal: NodeJS.Signals): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalProcessGroup(pid, signal);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name may hold spaces and parentheses; the fields after its last ")" are fixed:
    // state, ppid, pgrp.
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    if (pgrp === pid) signal1(Number(entry), signal);
  }
}

function signal1(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ESRCH: already gone, which is what we wanted. EPERM: a member changed uid; nothing more we can do.
    if (code !== 'ESRCH' && code !== 'EPERM') throw error;
  }
}
