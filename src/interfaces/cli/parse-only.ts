/**
 * CONVERGE_PARSE_ONLY=1: every command reads its arguments and options exactly as it would, then
 * prints what it read as one JSON line instead of running. A test checks every command example of
 * the README this way, including the ones it cannot run (servers, PostgreSQL, waiting workflows).
 */
import type { Command } from 'commander';

export const PARSE_ONLY_ENV = 'CONVERGE_PARSE_ONLY';

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent != null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Replaces the action of every command that runs (those without subcommands) with a printout of what was parsed. */
export function stopAfterParsing(program: Command): void {
  const visit = (command: Command): void => {
    if (command.commands.length > 0) {
      command.commands.forEach(visit);
      return;
    }
    command.action((...received: unknown[]) => {
      const self = received.at(-1) as Command;
      process.stdout.write(`${JSON.stringify({ command: commandPath(self), args: self.processedArgs, options: self.optsWithGlobals() })}\n`);
    });
  };
  program.commands.forEach(visit);
}
