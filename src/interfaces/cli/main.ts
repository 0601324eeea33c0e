/**
 * The `converge` command line. Each command parses, calls the engine, and formats; every
 * error becomes one clear line (what happened, how to fix it) and a meaningful exit code.
 */
import { Command } from 'commander';
import { closeCliStores } from './cli-context.js';
import { holdUsageErrors, reportError, wantsJson } from './cli-errors.js';
import { endQuietlyOnClosedOutput } from './cli-output.js';
import { PARSE_ONLY_ENV, stopAfterParsing } from './parse-only.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerHumanCommands } from './commands/human-commands.js';
import { registerInspectCommands } from './commands/inspect-commands.js';
import { registerReviewCommands } from './commands/review-commands.js';
import { registerRunCommands } from './commands/run-commands.js';
import { registerToolCommands } from './commands/tool-commands.js';
import { registerWorkerCommand } from './commands/worker-command.js';
import { registerScaleCommands } from './commands/scale-commands.js';
import { registerStoreCommands } from './commands/store-commands.js';
import { registerKbCommand } from './commands/kb-command.js';
import { registerChecksCommand } from './commands/checks-command.js';
import { registerMcpCommand } from './commands/mcp-command.js';
import { registerServeCommands } from './commands/serve-commands.js';
import { registerParseCommand } from './commands/parse-command.js';
import { registerDoctorCommand } from './commands/doctor-command.js';
import { registerNotifyCommand } from './commands/notify-command.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../workflows/builtin-files.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command();
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
  registerRunCommands(program);
  registerDemoCommand(program);
  registerHumanCommands(program);
  registerInspectCommands(program);
  registerReviewCommands(program);
  registerToolCommands(program);
  registerWorkerCommand(program);
  registerScaleCommands(program);
  registerStoreCommands(program);
  registerKbCommand(program);
  registerChecksCommand(program);
  registerMcpCommand(program);
  registerServeCommands(program);
  registerParseCommand(program);
  registerDoctorCommand(program);
  registerNotifyCommand(program);
  holdUsageErrors(program);
  if (process.env[PARSE_ONLY_ENV] === '1') stopAfterParsing(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedOutput();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, wantsJson(argv.slice(2)));
  } finally {
    await closeCliStores();
  }
}
