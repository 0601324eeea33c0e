/**
 * Runs a CLI coding agent as the leader of its own process group. A coding agent starts shells,
 * test runners and dev servers; killing only its pid would leave them running and holding the
 * output pipes open. On timeout or abort the whole group gets SIGTERM, then SIGKILL after a short
 * grace; when the leader exits, whatever it left behind in the group is swept too.
 */

export const DEFAULT_KILL_GRACE_MS = 2_000;

export interface CommandRunSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin; undefined means stdin from /dev/null. */
  stdin?: string;
  timeoutMs: number;
  signal: AbortSignal;
  killGraceMs: number;
  /** The last this-many bytes of stdout are kept. */
  stdoutCap: number;
  stderrCap: number;
}

export interface CommandRun {
  exitCode?: number;
  /** The signal that ended the leader, when it did not exit by itself. */
  exitSignal?: string;
  stoppedBy?: 'timeout' | 'abort';
  /** Set when the process could not be started at all (ENOENT, EACCES, E2BIG, …). */
  spawnError?: { code?: string; message: string };
  stdout: string;
  /** Bytes dropped from the front of stdout to stay within the cap. */
  stdoutDropped: number;
  stderr: string;
}

export async function runCommand(spec: CommandRunSpec): Promise<CommandRun> {
  // Imported here, not at the top: loading execa costs ~0.15 s that a process which never runs a
  // command agent (a restarting worker, `converge status`) should not pay.
  const { execa } = await import('execa');
  const stdout = new TailBuffer(spec.stdoutCap);
  const stderr = new TailBuffer(spec.stderrCap);
  let stoppedBy: CommandRun['stoppedBy'];
  let graceTimer: NodeJS.Timeout | undefined;

  const subprocess = execa(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    detached: true,
    reject: false,
    buffer: false,
    ...(spec.stdin === undefined ? { stdin: 'ignore' as const } : { input: spec.stdin }),
    windowsHide: true,
  });
  const pid = subprocess.pid;
  subprocess.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  subprocess.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

  const stop = (reason: 'timeout' | 'abort'): void => {
    if (stoppedBy !== undefined || pid === undefined) return;
    stoppedBy = reason;
    signalGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), spec.killGraceMs);
  };
  const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
  const onAbort = (): void => stop('abort');
  spec.signal.addEventListener('abort', onAbort, { once: true });
  if (spec.signal.aborted) onAbort();
  subprocess.on('exit', () => {
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  });

  try {
    const result = await subprocess;
    const run: CommandRun = { stdout: stdout.toString(), stdoutDropped: stdout.dropped, stderr: stderr.toString() };
    if (stoppedBy !== undefined) run.stoppedBy = stoppedBy;
    if (pid === undefined) {
      run.spawnError = { message: result.shortMessage ?? result.message ?? 'the process could not be started' };
      if (result.code !== undefined) run.spawnError.code = result.code;
      return run;
    }
    if (result.exitCode !== undefined) run.exitCode = result.exitCode;
    if (result.signal !== undefined) run.exitSignal = result.signal;
    return run;
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    spec.signal.removeEventListener('abort', onAbort);
    // Last sweep: anything in the group that survived SIGTERM or outlived its leader.
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  }
}

/** Signals the group led by `pid` (the process was spawned detached, so it leads one). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Windows has no process groups; the best available is the process itself.
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ESRCH: already gone, which is what we wanted. EPERM: a member changed uid; nothing more we can do.
    if (code !== 'ESRCH' && code !== 'EPERM') throw error;
  }
}

/** Keeps the last `cap` bytes: an agent's summary and its fatal error come at the end. */
export class TailBuffer {
  readonly #cap: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #dropped = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  get dropped(): number {
    return this.#dropped;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes > this.#cap) {
      const first = this.#chunks[0];
      if (first === undefined) break;
      const excess = this.#bytes - this.#cap;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#bytes -= first.length;
        this.#dropped += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#bytes -= excess;
        this.#dropped += excess;
      }
    }
  }

  toString(): string {
    const text = Buffer.concat(this.#chunks).toString('utf8');
    // The cut can split a multi-byte character; drop the replacement character it leaves.
    return this.#dropped > 0 ? text.replace(/^\uFFFD+/, '') : text;
  }
}
