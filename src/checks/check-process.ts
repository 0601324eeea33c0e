/**
 * Runs one check command as its own process group and collects what it prints. Timeout and
 * cancellation end the whole group: SIGTERM first so a test runner can clean up, SIGKILL after
 * a short grace. The group is also swept when its leader exits, so nothing a check started
 * outlives it (and a leftover background process cannot hold the output pipes open).
 */
import { OutputCollector } from './output-cap.js';
import { signalProcessGroup } from './process-group.js';

/** How long a check may take to stop after SIGTERM before its group gets SIGKILL. */
export const KILL_GRACE_MS = 2_000;
/** A report read from stdout is kept whole; past this size it is refused rather than held in memory. */
export const MAX_STDOUT_REPORT_BYTES = 64 * 1024 * 1024;

export interface ProcessSpec {
  file: string;
  args: readonly string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Keep stdout whole (up to MAX_STDOUT_REPORT_BYTES) because the report is printed there. */
  captureStdout: boolean;
  signal?: AbortSignal;
}

export interface ProcessRun {
  exitCode?: number;
  /** The signal that ended the process, when it did not exit by itself. */
  signal?: string;
  /** Set when the process could not be started at all (ENOENT, EACCES, …). */
  spawnError?: { code?: string; message: string };
  stoppedBy?: 'timeout' | 'abort';
  /** stdout and stderr in arrival order, capped. */
  output: string;
  stdout?: string;
  stdoutTooLarge: boolean;
}

export async function runProcess(spec: ProcessSpec): Promise<ProcessRun> {
  // Imported here, not at the top: loading execa costs ~0.15 s that a process which runs no
  // check (a restarting worker, `converge status`) should not pay.
  const { execa } = await import('execa');
  const output = new OutputCollector(spec.maxOutputBytes);
  const stdoutChunks: Buffer[] = [];
  let stdoutBytes = 0;
  let stoppedBy: ProcessRun['stoppedBy'];
  let graceTimer: NodeJS.Timeout | undefined;

  const subprocess = execa(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    shell: spec.shell,
    detached: true,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    windowsHide: true,
  });
  const pid = subprocess.pid;

  subprocess.stdout?.on('data', (chunk: Buffer) => {
    output.push(chunk);
    if (!spec.captureStdout) return;
    stdoutBytes += chunk.length;
    if (stdoutBytes <= MAX_STDOUT_REPORT_BYTES) stdoutChunks.push(chunk);
  });
  subprocess.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

  const stop = (reason: 'timeout' | 'abort'): void => {
    if (stoppedBy !== undefined || pid === undefined) return;
    stoppedBy = reason;
    signalProcessGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
  const onAbort = (): void => stop('abort');
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (spec.signal?.aborted === true) onAbort();
  subprocess.on('exit', () => {
    if (pid !== undefined) signalProcessGroup(pid, 'SIGKILL');
  });

  try {
    const result = await subprocess;
    const run: ProcessRun = { output: output.toString(), stdoutTooLarge: stdoutBytes > MAX_STDOUT_REPORT_BYTES };
    if (stoppedBy !== undefined) run.stoppedBy = stoppedBy;
    if (pid === undefined) {
      run.spawnError = { message: result.shortMessage ?? result.message ?? 'the process could not be started' };
      if (result.code !== undefined) run.spawnError.code = result.code;
      return run;
    }
    if (result.exitCode !== undefined) run.exitCode = result.exitCode;
    if (result.signal !== undefined) run.signal = result.signal;
    if (spec.captureStdout) run.stdout = Buffer.concat(stdoutChunks).toString('utf8');
    return run;
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    spec.signal?.removeEventListener('abort', onAbort);
    // Last sweep: anything in the group that survived SIGTERM or outlived its leader.
    if (pid !== undefined) signalProcessGroup(pid, 'SIGKILL');
  }
}
