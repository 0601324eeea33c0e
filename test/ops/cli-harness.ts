/**
 * Runs `converge` commands in-process with the serve, token and audit commands registered, and
 * captures what they print. In-process because these tests must not depend on main.ts wiring.
 */
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { isConvergeError } from '../../src/core/errors.js';
import { closeCliStores } from '../../src/interfaces/cli/cli-context.js';
import { registerServeCommands } from '../../src/interfaces/cli/commands/serve-commands.js';
import { buildProgram } from '../../src/interfaces/cli/program.js';
import { exitCodeFor } from '../../src/interfaces/error-map.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function exitOverrideAll(command: Command): void {
  command.exitOverride();
  command.configureOutput({ writeOut: (s) => void process.stdout.write(s), writeErr: (s) => void process.stderr.write(s) });
  for (const sub of command.commands) exitOverrideAll(sub);
}

export async function runCli(args: string[]): Promise<CliRun> {
  const program = buildProgram();
  if (!program.commands.some((c) => c.name() === 'audit')) registerServeCommands(program);
  exitOverrideAll(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  let exitCode = 0;
  try {
    await program.parseAsync(['node', 'converge', ...args]);
    exitCode = Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) exitCode = error.exitCode === 0 ? 0 : 2;
    else if (isConvergeError(error)) {
      stderr += `converge: ${error.message}\n`;
      exitCode = exitCodeFor(error.code);
    } else throw error;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
    await closeCliStores();
  }
  return { exitCode, stdout, stderr };
}
