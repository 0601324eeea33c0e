/**
 * A check's process, through the one launcher: stdout and stderr merged in arrival order within
 * `max_output_bytes` (head and tail kept), and stdout kept whole when the report is printed there.
 */
import { HeadTailCollector, WholeBuffer, launchProcess } from '../sandbox/index.js';
import type { LaunchResult, LaunchSpec } from '../sandbox/index.js';

/** A report read from stdout is kept whole; past this size it is refused rather than held in memory. */
export const MAX_STDOUT_REPORT_BYTES = 64 * 1024 * 1024;

export interface CheckProcessSpec extends Omit<LaunchSpec, 'onStdout' | 'onStderr' | 'stdin'> {
  maxOutputBytes: number;
  /** Keep stdout whole (up to MAX_STDOUT_REPORT_BYTES) because the report is printed there. */
  captureStdout: boolean;
}

export interface ProcessRun extends LaunchResult {
  /** stdout and stderr in arrival order, capped. */
  output: string;
  stdout?: string;
  stdoutTooLarge: boolean;
}

export async function runCheckProcess(spec: CheckProcessSpec): Promise<ProcessRun> {
  const { maxOutputBytes, captureStdout, ...launch } = spec;
  const output = new HeadTailCollector(maxOutputBytes);
  const stdout = captureStdout ? new WholeBuffer(MAX_STDOUT_REPORT_BYTES) : undefined;
  const run = await launchProcess({
    ...launch,
    onStdout: (chunk) => {
      output.push(chunk);
      stdout?.push(chunk);
    },
    onStderr: (chunk) => output.push(chunk),
  });
  const kept = stdout !== undefined && run.spawnError === undefined ? { stdout: stdout.toString() } : {};
  return { ...run, output: output.toString(), stdoutTooLarge: stdout?.tooLarge ?? false, ...kept };
}
