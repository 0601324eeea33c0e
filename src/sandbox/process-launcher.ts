/**
 * The one way Converge starts a process that runs agent-influenced code — a check or a command
 * agent: in its sandbox, with only the environment it is handed, as the leader of its own process
 * group, within a timeout. Timeout and cancellation end the whole group: SIGTERM first so a test
 * runner can clean up, SIGKILL after a grace. The group is also swept when its leader exits, so
 * nothing it started outlives it (and a leftover background process cannot hold the pipes open).
 */
import { sep } from 'node:path';
import type { SandboxMode } from '../core/profile-schema.js';
import type { SandboxKind } from '../core/records.js';
import { bwrapArgs, bwrapBinds } from './bwrap-sandbox.js';
import { signalGroupMembers, signalProcessGroup } from './process-group.js';
import { systemSandboxHost } from './sandbox-host.js';
import type { SandboxChoice, SandboxHost } from './sandbox-host.js';

/** How long a process group gets between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2_000;
/** How long output is still read after the leader exits. */
const PIPE_DRAIN_MS = 500;

export interface SandboxSpec {
  mode: SandboxMode;
  /** The folder the process works on: writable, as are `writable` and its private /tmp. */
  workspace: string;
  network: boolean;
  writable?: readonly string[];
  /** Which sandbox this machine offers; the process-wide host unless a test brings its own. */
  host?: SandboxHost;
}

export interface LaunchSpec {
  file: string;
  args: readonly string[];
  /** Run through /bin/sh: the file and its arguments are joined with spaces, as execa does. */
  shell?: boolean;
  cwd: string;
  /** The whole environment; nothing of Converge's own is added (see buildSandboxEnv). */
  env: Record<string, string>;
  /** Written to stdin; undefined means stdin from /dev/null. */
  stdin?: string;
  timeoutMs: number;
  killGraceMs?: number;
  signal?: AbortSignal;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  sandbox: SandboxSpec;
}

export interface LaunchResult {
  exitCode?: number;
  /** The signal that ended the process, when it did not exit by itself. */
  signal?: string;
  /** Set when the program could not be started at all (ENOENT, EACCES, E2BIG, or the sandbox refused). */
  spawnError?: { code?: string; message: string };
  stoppedBy?: 'timeout' | 'abort';
  sandbox: SandboxKind;
}

/** Throws CONFIG_INVALID (with the install hint) when `bwrap` is asked for and does not work here. */
export async function launchProcess(spec: LaunchSpec): Promise<LaunchResult> {
  const choice = await (spec.sandbox.host ?? systemSandboxHost()).choose(spec.sandbox.mode);
  const launch = commandFor(spec, choice);
  // Imported here, not at the top: loading execa costs ~0.15 s that a process which runs no check
  // or command agent (a restarting worker, `converge status`) should not pay.
  const { execa } = await import('execa');
  let stoppedBy: LaunchResult['stoppedBy'];
  let graceTimer: NodeJS.Timeout | undefined;
  let stderrHead = '';

  const subprocess = execa(launch.file, launch.args, {
    cwd: spec.cwd,
    env: launch.env,
    extendEnv: false,
    shell: launch.shell,
    detached: true,
    reject: false,
    buffer: false,
    ...(spec.stdin === undefined ? { stdin: 'ignore' as const } : { input: spec.stdin }),
    windowsHide: true,
  });
  const pid = subprocess.pid;
  subprocess.stdout?.on('data', (chunk: Buffer) => spec.onStdout(chunk));
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    if (stderrHead.length < 1024) stderrHead += chunk.toString('utf8', 0, 1024);
    spec.onStderr(chunk);
  });

  const stop = (reason: 'timeout' | 'abort'): void => {
    if (stoppedBy !== undefined || pid === undefined) return;
    stoppedBy = reason;
    if (choice.kind === 'bwrap') signalGroupMembers(pid, 'SIGTERM');
    else signalProcessGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
  const onAbort = (): void => stop('abort');
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (spec.signal?.aborted === true) onAbort();
  let drainTimer: NodeJS.Timeout | undefined;
  subprocess.on('exit', () => {
    if (pid !== undefined) signalProcessGroup(pid, 'SIGKILL');
    // A process that left the group (setsid) survives the sweep and may hold the pipes open;
    // what it prints after its leader is gone is not waited for.
    drainTimer = setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    }, PIPE_DRAIN_MS);
  });

  try {
    const result = await subprocess;
    const run: LaunchResult = { sandbox: choice.kind };
    if (stoppedBy !== undefined) run.stoppedBy = stoppedBy;
    if (pid === undefined) {
      run.spawnError = { message: result.shortMessage ?? result.message ?? 'the process could not be started' };
      if (result.code !== undefined) run.spawnError.code = result.code;
      return run;
    }
    if (result.exitCode !== undefined) run.exitCode = result.exitCode;
    if (result.signal !== undefined) run.signal = result.signal;
    const refused = choice.kind === 'bwrap' && result.exitCode === 1 ? sandboxRefusal(stderrHead) : undefined;
    if (refused !== undefined) run.spawnError = refused;
    return run;
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    clearTimeout(drainTimer);
    spec.signal?.removeEventListener('abort', onAbort);
    // Last sweep: anything in the group that survived SIGTERM or outlived its leader.
    if (pid !== undefined) signalProcessGroup(pid, 'SIGKILL');
  }
}

interface Command {
  file: string;
  args: string[];
  env: Record<string, string>;
  shell: boolean;
}

function commandFor(spec: LaunchSpec, choice: SandboxChoice): Command {
  const posixShell = spec.shell === true && process.platform !== 'win32';
  const file = posixShell ? '/bin/sh' : spec.file;
  const args = posixShell ? ['-c', [spec.file, ...spec.args].join(' ')] : [...spec.args];
  if (choice.kind === 'none') return { file, args, env: spec.env, shell: spec.shell === true && !posixShell };
  const binds = bwrapBinds({ workspace: spec.sandbox.workspace, writable: spec.sandbox.writable ?? [], path: spec.env['PATH'], file, args: spec.args });
  // The environment is bwrap's own, never `--setenv`: arguments show in the sandbox's /proc/1/cmdline.
  // TMPDIR may name a folder the private /tmp hides or the read-only root forbids; one inside a
  // folder the process may write stays (codex refuses to keep its helpers under the temp folder).
  const tmp = spec.env['TMPDIR'];
  const keep = tmp !== undefined && (spec.sandbox.writable ?? []).some((dir) => tmp === dir || tmp.startsWith(`${dir}${sep}`));
  const env = tmp === undefined || keep ? spec.env : { ...spec.env, TMPDIR: '/tmp' };
  const { unshareUser } = choice;
  return { file: choice.bwrap, args: bwrapArgs({ file, args, cwd: spec.cwd, network: spec.sandbox.network, unshareUser, ...binds }), env, shell: false };
}

/** bwrap exits 1 with "bwrap: …" on stderr when it cannot start the program (before the program could print anything). */
function sandboxRefusal(stderr: string): LaunchResult['spawnError'] {
  const line = /^bwrap: (.*)$/m.exec(stderr.split('\n')[0] ?? '')?.[1];
  if (line === undefined) return undefined;
  const exec = line.startsWith('execvp ');
  const code = exec && /No such file or directory/.test(line) ? 'ENOENT' : exec && /Permission denied/.test(line) ? 'EACCES' : 'ESANDBOX';
  return { code, message: line };
}
