/**
 * Every way a command can fail, printed one way: a headline (what happened), the problems one a
 * line when there are several, and one hint (what to do). Under `--json` the same arrives on
 * stderr as `{"error":{"code","message","hint"}}`. Commander's own usage errors are held back and
 * printed the same way, with a hint naming the command's help.
 */
import type { CommanderError } from 'commander';
import type { Command } from 'commander';
import { isConvergeError } from '../../core/errors.js';
import type { ConvergeErrorCode } from '../../core/errors.js';
import { EXIT, exitCodeFor } from '../error-map.js';
import { terminalSafe } from './cli-output.js';
import { commander } from './commander-lib.js';

interface Failure {
  code: ConvergeErrorCode;
  message: string;
  hint?: string;
  problems?: unknown;
}

/** The last usage error commander reported, and on which command: commander's error object does not say. */
let usage: { command: Command; text: string } | undefined;

/** Applied to every command: commander's messages are kept for `reportError` instead of written as they are. */
export function holdUsageErrors(program: Command): void {
  const visit = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ outputError: (text) => void (usage = { command, text }) });
    command.commands.forEach(visit);
  };
  visit(program);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** `error: unknown command 'stauts'\n(Did you mean status?)` → one sentence with its suggestion. */
function usageFailure(error: CommanderError): Failure {
  const text = usage?.text ?? error.message;
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const suggestion = lines.map((l) => /^\(Did you mean (.+)\?\)$/.exec(l)?.[1]).find((s) => s !== undefined);
  const headline = (lines.find((l) => !l.startsWith('(Did you mean')) ?? error.message).replace(/^error: /, '');
  const message = `${headline.replace(/\.$/, '')}${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ''}.`;
  const path = usage === undefined ? 'converge' : commandPath(usage.command);
  const hint = error.code === 'commander.unknownCommand' ? `Run \`${path} --help\` to see the commands.` : `Run \`${path} --help\` for its arguments and options.`;
  return { code: 'USAGE', message: message.charAt(0).toUpperCase() + message.slice(1), hint };
}

function failureOf(error: unknown): Failure {
  if (error instanceof commander.CommanderError) return usageFailure(error);
  if (isConvergeError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
      ...(Array.isArray(error.details.problems) ? { problems: error.details.problems } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${message.split('\n')[0]}`, hint: 'This is a bug; rerun with CONVERGE_DEBUG=1 for details and report it.' };
}

/** Help and version are commander "errors" that are not failures. */
export function isHelpOrVersion(error: unknown): boolean {
  return error instanceof commander.CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help');
}

/** Prints `error` on stderr and returns the exit code it means. */
export function reportError(error: unknown, json: boolean): number {
  if (isHelpOrVersion(error)) return EXIT.completed;
  const failure = failureOf(error);
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message, hint: failure.hint ?? null, ...(failure.problems !== undefined ? { problems: failure.problems } : {}) } })}\n`);
  } else {
    // A message may quote what it refuses (an argument, a stored name): no escape sequence of it reaches the terminal.
    process.stderr.write(`converge: ${terminalSafe(failure.message)}\n`);
    if (failure.hint !== undefined) process.stderr.write(`  hint: ${terminalSafe(failure.hint)}\n`);
  }
  if (process.env.CONVERGE_DEBUG) {
    const cause = isConvergeError(error) ? error.cause : error;
    if (cause !== undefined && !(error instanceof commander.CommanderError)) process.stderr.write(`  cause: ${String((cause as Error)?.stack ?? cause)}\n`);
  }
  if (error instanceof commander.CommanderError) return EXIT.usage;
  return isConvergeError(error) ? exitCodeFor(error.code) : EXIT.failed;
}

/** `--json` anywhere before `--`: known even when parsing failed before commander read it. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
