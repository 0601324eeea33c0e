/**
 * checks run, checks list: the deterministic checks (L2/L3) of the effective definition, run by
 * hand exactly as a validate step runs them — same commands, same PATH, same scrubbed
 * environment — so "why did step 5 fail?" can be answered without starting a workflow.
 */
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { runChecks } from '../../../checks/index.js';
import { ConvergeError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/messages.js';
import type { Check, SandboxMode } from '../../../core/profile-schema.js';
import type { ToolResult } from '../../../core/records.js';
import { CONVERGE_BIN } from '../../../engine/create-engine.js';
import { effectiveDefinition, loadDefinition, loadProfile } from '../../../workflows/loader.js';
import { cliProject, globalOptions, loadConfig } from '../cli-context.js';
import { table } from '../show-format.js';
import { printJsonLine, printText } from '../cli-output.js';
import { checkProgressDisplay } from '../check-progress.js';

interface ChecksFlags {
  profile?: string;
}

interface RunFlags extends ChecksFlags {
  workspace?: string;
  only?: string[];
}

export interface EffectiveChecks {
  checks: Check[];
  /** Where the checks come from: converge.yaml, the definition, or the profile (in that order of precedence). */
  source: string;
  definition: string;
  profile: string;
  /** Set when --profile was given but converge.yaml's checks replace the profile's. */
  note?: string;
  /** converge.yaml's `sandbox`, so a hand-run check is confined exactly as in a validate step. */
  sandbox: SandboxMode;
  /** converge.yaml's `check_concurrency`, so the checks run as many at once as in a validate step. */
  concurrency?: number;
}

/** converge.yaml's checks, else the definition's, else the profile's (`--profile` replaces the configured one). */
export function effectiveChecks(cwd: string, configPath: string | undefined, profileFlag: string | undefined): EffectiveChecks {
  const { config, baseDir, path } = loadConfig(configPath === undefined ? {} : { config: configPath }, cwd);
  const profile = profileFlag !== undefined ? loadProfile(profileFlag, cwd) : loadProfile(config.profile, baseDir);
  const definition = loadDefinition(config.definition, baseDir);
  const { checks } = effectiveDefinition(definition, profile, config);
  const configName = path !== undefined ? relative(cwd, path) || path : 'converge.yaml';
  const source = config.checks !== undefined ? configName : definition.checks.length > 0 ? `definition ${definition.id}` : `profile ${profile.id}`;
  const shadowed = profileFlag !== undefined && (config.checks !== undefined || definition.checks.length > 0);
  return {
    checks,
    source,
    definition: definition.id,
    profile: profile.id,
    sandbox: config.sandbox,
    ...(config.check_concurrency === undefined ? {} : { concurrency: config.check_concurrency }),
    ...(shadowed ? { note: `the checks of ${source} replace those of profile ${profile.id}` } : {}),
  };
}

export function registerChecksCommand(program: Command): void {
  const checks = program.command('checks').description('run or list the deterministic checks (tsc, tests, linters…) a validate step runs');

  checks
    .command('run')
    .description('run the checks in a workspace; exit code 0 when every required check passes, 1 otherwise')
    .option('-w, --workspace <dir>', 'the project directory to check (default: the project root)')
    .option('-p, --profile <name>', 'profile whose checks to use (default: converge.yaml, else typescript)')
    .option('--only <id...>', 'run only these checks (ids, space- or comma-separated)')
    .action(async (flags: RunFlags, command: Command) => {
      const globals = globalOptions(command);
      const found = effectiveChecks(process.cwd(), globals.config, flags.profile);
      if (found.note !== undefined) process.stderr.write(`converge: note: ${found.note}.\n`);
      const workspace = workspaceDir(flags.workspace ?? cliProject().root);
      const selected = select(found, flags.only);
      if (selected.length === 0) {
        throw new ConvergeError('USAGE', `No checks are configured (${found.source}).`, {
          hint: 'Add `checks:` to converge.yaml, or pick a profile that has checks (--profile typescript).',
        });
      }
      const controller = new AbortController();
      // Ctrl-C stops the running check's whole process group instead of orphaning it.
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      let results: ToolResult[];
      // On stderr, so stdout keeps only the results (one JSON line under --json).
      const display = globals.json ? undefined : checkProgressDisplay(process.stderr);
      try {
        results = await runChecks(
          selected,
          {
            workspace,
            signal: controller.signal,
            sandbox: found.sandbox,
            ...(found.concurrency === undefined ? {} : { concurrency: found.concurrency }),
            extraPath: [join(workspace, 'node_modules', '.bin'), CONVERGE_BIN, dirname(process.execPath)],
          },
          display?.onProgress,
        );
      } finally {
        display?.stop();
        process.off('SIGINT', stop);
      }
      const failed = results.filter((r) => r.required && r.status !== 'passed');
      if (globals.json) {
        printJsonLine({ workspace, source: found.source, passed: failed.length === 0, results });
      } else {
        printText(resultsText(results, failed));
      }
      process.exitCode = failed.length === 0 ? 0 : 1;
    });

  checks
    .command('list')
    .description('print the effective checks: converge.yaml, else the definition, else the profile')
    .option('-p, --profile <name>', 'profile whose checks to list (default: converge.yaml, else typescript)')
    .action((flags: ChecksFlags, command: Command) => {
      const found = effectiveChecks(process.cwd(), globalOptions(command).config, flags.profile);
      if (found.note !== undefined) process.stderr.write(`converge: note: ${found.note}.\n`);
      if (globalOptions(command).json) {
        printJsonLine(found);
        return;
      }
      printText(listText(found));
    });
}

function workspaceDir(flag: string): string {
  const dir = resolve(flag);
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // Reported below, with the same message as a file.
  }
  if (!isDirectory) {
    throw new ConvergeError('WORKSPACE_INVALID', `The workspace ${dir} does not exist or is not a directory.`, {
      hint: 'Pass --workspace with the project directory the checks should run in.',
    });
  }
  return dir;
}

function select(found: EffectiveChecks, only: readonly string[] | undefined): Check[] {
  if (only === undefined) return found.checks;
  const ids = only.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const unknown = ids.filter((id) => !found.checks.some((c) => c.id === id));
  if (unknown.length > 0) {
    const known = found.checks.map((c) => c.id).join(', ') || 'none';
    const named = unknown.map((id) => `"${id}"${didYouMean(id, found.checks.map((c) => c.id))}`);
    throw new ConvergeError('USAGE', `Unknown check${unknown.length === 1 ? '' : 's'} ${named.join(', ')}.`, {
      hint: `Checks of ${found.source}: ${known}.`,
    });
  }
  return found.checks.filter((c) => ids.includes(c.id));
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function firstLine(text: string, max = 80): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function resultsText(results: readonly ToolResult[], failed: readonly ToolResult[]): string {
  const rows = results.map((r) => [r.toolId, `L${r.level}`, r.required ? 'yes' : 'no', r.status, seconds(r.durationMs), firstLine(r.summary)]);
  const lines = [table([['check', 'level', 'required', 'status', 'time', 'summary'], ...rows])];
  const issues = results.flatMap((r) => r.issues.map((issue) => ({ check: r.toolId, issue })));
  if (issues.length > 0) {
    lines.push('', 'issues');
    for (const { check, issue } of issues) {
      const where = issue.location === undefined ? '-' : `${issue.location.file}${issue.location.line !== undefined ? `:${issue.location.line}` : ''}`;
      lines.push(`  ${check}  ${where}  ${issue.severity}  ${firstLine(issue.message, 160)}`);
    }
  }
  const covered = results.filter((r) => r.coverage !== undefined);
  if (covered.length > 0) {
    lines.push('', 'coverage');
    for (const r of covered) lines.push(`  ${r.toolId}  ${r.coverage!.toFixed(1)}%`);
  }
  const required = results.filter((r) => r.required).length;
  lines.push(
    '',
    failed.length === 0
      ? `✓ ${required === 0 ? 'no required checks' : `all ${required} required check${required === 1 ? '' : 's'} passed`}`
      : `✗ ${failed.length} of ${required} required check${required === 1 ? '' : 's'} did not pass: ${failed.map((r) => `${r.toolId} (${r.status})`).join(', ')}`,
  );
  return lines.join('\n');
}

function listText(found: EffectiveChecks): string {
  const header = `checks of ${found.source} (definition ${found.definition}, profile ${found.profile})`;
  if (found.checks.length === 0) return `${header}\n  (none)`;
  const command = (c: Check): string =>
    typeof c.command === 'string' ? c.command : c.command.map((a) => (/[\s"'\\$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  const rows = found.checks.map((c) => [c.id, `L${c.level}`, c.required ? 'yes' : 'no', c.format, `${c.timeout_s}s`, command(c)]);
  return `${header}\n${table([['check', 'level', 'required', 'format', 'timeout', 'command'], ...rows])}`;
}
