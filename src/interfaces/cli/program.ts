/**
 * The whole `converge` program, every command registered (tests, the README check, and main.ts
 * when it cannot tell which command a run needs). Each command module imports what its actions
 * use, so building this loads the engine, the stores and the agents; main.ts usually loads one.
 */
import type { Command } from 'commander';
import { finishProgram, programShell } from './program-shell.js';
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

/**
 * The command modules in the order their commands appear in `converge --help`; the module file
 * under commands/ beside each, which command-index.ts records for main.ts.
 */
export const COMMAND_MODULES: ReadonlyArray<readonly [module: string, register: (program: Command) => void]> = [
  ['run-commands', registerRunCommands],
  ['demo-command', registerDemoCommand],
  ['human-commands', registerHumanCommands],
  ['inspect-commands', registerInspectCommands],
  ['review-commands', registerReviewCommands],
  ['tool-commands', registerToolCommands],
  ['worker-command', registerWorkerCommand],
  ['scale-commands', registerScaleCommands],
  ['store-commands', registerStoreCommands],
  ['kb-command', registerKbCommand],
  ['checks-command', registerChecksCommand],
  ['mcp-command', registerMcpCommand],
  ['serve-commands', registerServeCommands],
  ['parse-command', registerParseCommand],
  ['doctor-command', registerDoctorCommand],
  ['notify-command', registerNotifyCommand],
];

export function buildProgram(): Command {
  const program = programShell();
  for (const [, register] of COMMAND_MODULES) register(program);
  return finishProgram(program);
}
