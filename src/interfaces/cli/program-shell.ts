/**
 * The `converge` program without its commands: name, version, global options, the help text
 * around the command list. main.ts adds only the commands a run needs; program.ts adds them all.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../workflows/builtin-files.js';
import { holdUsageErrors } from './cli-errors.js';
import { commander } from './commander-lib.js';
import { PARSE_ONLY_ENV, stopAfterParsing } from './parse-only.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function programShell(): Command {
  const program = new commander.Command();
  program
    .name('converge')
    .description('A durable orchestrator for agentic software development: plan → validate → revise, implement → check → refine, with human gates.')
    .version(version())
    .option('--store <url>', "the store: a SQLite path or postgres:// URL (default: $CONVERGE_STORE, else .converge/converge.db in the project's root)")
    .option('--config <file>', "the project settings file (default: converge.yaml in the project's root, found from here up)")
    .option('--json', 'machine-readable output (JSON lines for progress)')
    .showSuggestionAfterError(true)
    .exitOverride();
  program.addHelpText(
    'after',
    `
Exit codes: 0 completed · 1 failed · 2 bad usage · 3 waiting for a human · 4 rejected or cancelled

Start here:
  converge demo                          run the seven-step workflow on an example project
  converge init                          write converge.yaml for your project
  converge run "Add a CSV export"        plan, implement and check it in the current directory`,
  );
  return program;
}

/** What a program gets once its commands are in: usage errors held as one message, CONVERGE_PARSE_ONLY. */
export function finishProgram(program: Command): Command {
  holdUsageErrors(program);
  if (process.env[PARSE_ONLY_ENV] === '1') stopAfterParsing(program);
  return program;
}
