/**
 * The `converge` command line. Each command parses, calls the engine, and formats; every
 * error becomes one clear line (what happened, how to fix it) and a meaningful exit code.
 *
 * Start-up loads only what the run needs (issue 19: `--help`, `list` and `status` within 2× the
 * CPU of `node -e 0`). The command modules import the engine, stores and agents their actions
 * use, so main.ts registers just the module(s) of the command named on the command line, found in
 * command-index.ts; `--help` lists every command from that index without loading any of them.
 * Anything else (an unknown or misspelt command) builds the whole program, as before.
 */
import type { Command } from 'commander';
import { closeCliStores } from './cli-store.js';
import { reportError, wantsJson } from './cli-errors.js';
import { endQuietlyOnClosedOutput } from './cli-output.js';
import { COMMAND_INDEX } from './command-index.js';
import { commander } from './commander-lib.js';
import type { IndexedCommand } from './command-index.js';
import { finishProgram, programShell } from './program-shell.js';

/** Global options that take a value: the word after them is that value, not the command. */
const VALUE_OPTIONS = new Set(['--store', '--config']);
const HELP_OPTIONS = new Set(['-h', '--help']);

/** The command the arguments name, 'help' for the command list, or undefined when unsure. */
function commandOf(args: readonly string[]): IndexedCommand | 'help' | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (HELP_OPTIONS.has(arg)) return 'help';
    if (arg.startsWith('-')) continue;
    // `converge help` lists the commands; `converge help status` is the help of one.
    if (arg === 'help') return args[i + 1] === undefined ? 'help' : find(args[i + 1]!);
    return find(arg);
  }
  return 'help';
}

function find(name: string): IndexedCommand | undefined {
  return COMMAND_INDEX.find((c) => c.name === name || c.aliases.includes(name));
}

/** The program with every command as a stub from the index: what `converge --help` prints, nothing run. */
export function listingProgram(): Command {
  const program = programShell();
  const terms = new Map(COMMAND_INDEX.map((c) => [c.name, c.term]));
  for (const c of COMMAND_INDEX) {
    const stub = program.command(c.name, { hidden: c.hidden }).description(c.description);
    if (c.aliases.length > 0) stub.aliases([...c.aliases]);
  }
  const help = new commander.Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) });
  return program;
}

/** The program holding the command `entry` names, or undefined when its modules do not register it (a stale index). */
async function commandProgram(entry: IndexedCommand): Promise<Command | undefined> {
  const program = programShell();
  for (const [file, register] of entry.modules) {
    const module = (await import(`./commands/${file}.js`)) as Record<string, unknown>;
    const fn = module[register];
    if (typeof fn !== 'function') return undefined;
    (fn as (program: Command) => void)(program);
  }
  return program.commands.some((c) => c.name() === entry.name) ? program : undefined;
}

async function programFor(args: readonly string[]): Promise<Command> {
  const target = commandOf(args);
  if (target === 'help') return finishProgram(listingProgram());
  const one = target === undefined ? undefined : await commandProgram(target);
  if (one !== undefined) return finishProgram(one);
  return (await import('./program.js')).buildProgram();
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedOutput();
  try {
    const program = await programFor(argv.slice(2));
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, wantsJson(argv.slice(2)));
  } finally {
    await closeCliStores();
  }
}
