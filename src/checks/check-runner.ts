/**
 * Runs the checks of a definition, several at once, and turns each into a `ToolResult`. A check
 * never throws: a missing program, a timeout, a cwd outside the workspace or an unreadable report
 * all become status `error` with a summary that says what happened, and the other checks still run.
 */
import { checkApplies } from './check-conditions.js';
import { readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import PQueue from 'p-queue';
import { performance } from 'node:perf_hooks';
import { isConvergeError } from '../core/errors.js';
import type { Check, SandboxMode } from '../core/profile-schema.js';
import type { ToolResult } from '../core/records.js';
import type { SandboxHost } from '../sandbox/index.js';
import { buildCheckEnv } from './check-env.js';
import { relocateIssues, resolveCheckDirs, resolveReportPath } from './check-paths.js';
import { runCheckProcess, type ProcessRun } from './check-process.js';
import { isReportParseError, parseCheckReport, type ParsedReport } from './parsers/index.js';

export interface RunCheckOptions {
  /** Absolute or relative path of the workspace; a check's cwd is resolved inside it. */
  workspace: string;
  signal?: AbortSignal;
  /** Folders put in front of PATH (e.g. `node_modules/.bin`). */
  extraPath?: readonly string[];
  /** converge.yaml's `sandbox`, for checks that set none of their own; `auto` when absent. */
  sandbox?: SandboxMode;
  /** Which sandbox this machine offers; the process-wide host unless a test brings its own. */
  sandboxHost?: SandboxHost;
  /** How many checks run at once (converge.yaml's `check_concurrency`); one per core when absent. */
  concurrency?: number;
}

export type CheckProgress =
  | { type: 'started'; check: Check; index: number; total: number }
  | { type: 'finished'; check: Check; index: number; total: number; result: ToolResult };

export { checkApplies };

/** Checks running at once when nothing says otherwise: one per core, as a test suite or tsc keeps one busy. */
export function defaultCheckConcurrency(): number {
  return availableParallelism();
}

/**
 * Runs the checks, up to `options.concurrency` at once (default: one per core), and returns their
 * results in the checks' order, whichever finished first. Checks start in their order; a check
 * with `serial: true` runs alone — every check before it has finished, none after it has started —
 * so a build that later checks read can be one. Every check gets a result, whatever the others did.
 */
export async function runChecks(
  checks: readonly Check[],
  options: RunCheckOptions,
  onProgress?: (event: CheckProgress) => void,
): Promise<ToolResult[]> {
  const total = checks.length;
  const results: ToolResult[] = new Array<ToolResult>(total);
  const limit = Math.max(1, Math.floor(options.concurrency ?? defaultCheckConcurrency()));
  const runAt = async (index: number): Promise<void> => {
    const check = checks[index]!;
    notify(onProgress, { type: 'started', check, index, total });
    results[index] = await checkResult(check, options);
    notify(onProgress, { type: 'finished', check, index, total, result: results[index] });
  };
  // p-queue starts its tasks in the order they were added, so checks start in the definition's order.
  const queue = new PQueue({ concurrency: limit });
  const running: Promise<void>[] = [];
  for (const [index, check] of checks.entries()) {
    if (check.serial !== true) {
      running.push(queue.add(() => runAt(index)));
      continue;
    }
    await Promise.all(running.splice(0));
    await runAt(index);
  }
  await Promise.all(running);
  return results;
}

async function checkResult(check: Check, options: RunCheckOptions): Promise<ToolResult> {
  let applies: ReturnType<typeof checkApplies>;
  try {
    applies = checkApplies(check, options.workspace);
  } catch (error) {
    // Never lose the other checks' results to one check's unreadable package.json or glob.
    return { toolId: check.id, level: check.level, required: check.required, status: 'error', summary: `internal error while deciding whether the check applies: ${messageOf(error)}`, issues: [], durationMs: 0 };
  }
  return applies.applies
    ? runCheck(check, options)
    : { toolId: check.id, level: check.level, required: false, status: 'skipped', summary: `skipped: ${applies.reason}`, issues: [], durationMs: 0 };
}

export async function runCheck(check: Check, options: RunCheckOptions): Promise<ToolResult> {
  const startedAt = performance.now();
  const finish = (fields: Pick<ToolResult, 'status' | 'summary'> & Partial<ToolResult>): ToolResult => ({
    toolId: check.id,
    level: check.level,
    required: check.required,
    issues: [],
    ...fields,
    durationMs: Math.round(performance.now() - startedAt),
  });
  try {
    return await execute(check, options, finish);
  } catch (error) {
    // A bug here must not lose the other checks' results; record it as this check's error.
    return finish({ status: 'error', summary: `internal error while running the check: ${messageOf(error)}` });
  }
}

type Finish = (fields: Pick<ToolResult, 'status' | 'summary'> & Partial<ToolResult>) => ToolResult;

async function execute(check: Check, options: RunCheckOptions, finish: Finish): Promise<ToolResult> {
  if (options.signal?.aborted === true) return finish({ status: 'error', summary: 'cancelled before it started' });
  if (typeof check.command === 'string' && !check.shell) {
    return finish({ status: 'error', summary: 'a string command needs `shell: true`; otherwise give an argv list' });
  }
  const dirs = await resolveCheckDirs(options.workspace, check.cwd);
  if (!dirs.ok) return finish({ status: 'error', summary: dirs.reason });
  let reportPath: string | undefined;
  if (check.format !== 'exit_code' && check.report !== undefined) {
    const resolved = await resolveReportPath(dirs.value, check.report);
    if (!resolved.ok) return finish({ status: 'error', summary: resolved.reason });
    reportPath = resolved.value;
    // A report left over from an earlier run would otherwise pass for this run's result.
    await rm(reportPath, { force: true });
  }

  const [file, ...args] = typeof check.command === 'string' ? [check.command] : check.command;
  let run: ProcessRun;
  try {
    run = await runCheckProcess({
      file: file ?? '',
      args,
      shell: check.shell,
      cwd: dirs.value.cwd,
      env: buildCheckEnv(check, options.extraPath === undefined ? {} : { extraPath: options.extraPath }),
      timeoutMs: check.timeout_s * 1000,
      maxOutputBytes: check.max_output_bytes,
      captureStdout: check.format !== 'exit_code' && reportPath === undefined,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      sandbox: {
        mode: check.sandbox ?? options.sandbox ?? 'auto',
        workspace: dirs.value.workspace,
        network: check.network,
        ...(options.sandboxHost === undefined ? {} : { host: options.sandboxHost }),
      },
    });
  } catch (error) {
    // `sandbox: bwrap` on a machine without a working bwrap: this check cannot run as configured.
    if (!isConvergeError(error) || error.code !== 'CONFIG_INVALID') throw error;
    return finish({ status: 'error', summary: `${error.message} ${error.hint ?? ''}`.trim() });
  }
  const exitCode = run.exitCode ?? null;
  const base = { exitCode, output: run.output, sandbox: run.sandbox };

  if (run.spawnError !== undefined) return finish({ status: 'error', summary: spawnFailure(file ?? '', run), ...base });
  if (run.stoppedBy === 'timeout') {
    return finish({ status: 'error', summary: `timed out after ${check.timeout_s}s; the check and its child processes were killed`, ...base });
  }
  if (run.stoppedBy === 'abort') return finish({ status: 'error', summary: 'cancelled while running; the check was killed', ...base });
  if (run.exitCode === undefined) {
    return finish({ status: 'failed', summary: `killed by signal ${run.signal ?? 'unknown'}`, ...base });
  }
  if (check.shell && run.exitCode === 127) {
    return finish({
      status: 'error',
      summary: 'command not found (the shell exited with 127); check the command and that the program is on the check PATH',
      ...base,
    });
  }
  if (check.format === 'exit_code') {
    return run.exitCode === 0
      ? finish({ status: 'passed', summary: 'exited with code 0', ...base })
      : finish({ status: 'failed', summary: `failed with exit code ${run.exitCode}`, ...base });
  }

  const text = await readReport(check, run, reportPath);
  if (typeof text !== 'string') {
    // A command that failed before writing its report (tests that did not compile) is a failure of
    // the project, not of the check; a command that succeeded without a report is misconfigured.
    return finish({ status: run.exitCode === 0 ? 'error' : 'failed', summary: text.error, ...base });
  }
  let report: ParsedReport;
  try {
    report = parseCheckReport(check.format, text, { source: `tool:${check.id}`, level: check.level });
  } catch (error) {
    if (!isReportParseError(error)) throw error;
    const exit = run.exitCode === 0 ? '' : ` (the command exited with code ${run.exitCode})`;
    return finish({ status: 'error', summary: `${error.message}${exit}`, ...base });
  }
  return finish({ ...combine(report, run.exitCode), issues: relocateIssues(report.issues, dirs.value), ...base });
}

/** The report and the exit code must both say "passed"; either one failing fails the check. */
function combine(report: ParsedReport, exitCode: number): Pick<ToolResult, 'status' | 'summary' | 'coverage'> {
  const coverage = report.coverage === undefined ? {} : { coverage: report.coverage };
  if (report.failed) {
    const exit = exitCode === 0 ? '' : ` (exit code ${exitCode})`;
    return { status: 'failed', summary: `${report.summary}${exit}`, ...coverage };
  }
  if (exitCode !== 0) {
    return { status: 'failed', summary: `${report.summary}, but the command exited with code ${exitCode}`, ...coverage };
  }
  return { status: 'passed', summary: report.summary, ...coverage };
}

async function readReport(check: Check, run: ProcessRun, reportPath: string | undefined): Promise<string | { error: string }> {
  if (reportPath === undefined) {
    if (run.stdoutTooLarge) return { error: `could not parse ${check.format} report: stdout is larger than the 64 MiB a report may be` };
    return run.stdout ?? '';
  }
  try {
    return await readFile(reportPath, 'utf8');
  } catch (error) {
    const exit = run.exitCode === 0 ? '' : ` and exited with code ${run.exitCode}`;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { error: `the check wrote no ${check.format} report at ${check.report ?? ''}${exit}` };
    }
    return { error: `could not read the ${check.format} report at ${check.report ?? ''}: ${messageOf(error)}` };
  }
}

function spawnFailure(file: string, run: ProcessRun): string {
  const code = run.spawnError?.code;
  if (code === 'ENOENT') {
    return `command not found: ${file}. Checks run with a scrubbed environment: install the program, give its full path, or put its folder on the check PATH (extraPath)`;
  }
  if (code === 'EACCES') return `command is not executable: ${file}. Check its permissions (chmod +x)`;
  if (code === 'ESANDBOX') return `the sandbox (bwrap) could not start ${file}: ${run.spawnError?.message ?? 'unknown error'}`;
  return `could not start ${file}: ${run.spawnError?.message ?? 'unknown error'}`;
}

function notify(onProgress: ((event: CheckProgress) => void) | undefined, event: CheckProgress): void {
  try {
    onProgress?.(event);
  } catch {
    // A broken progress listener must not cost the remaining checks their run.
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
