/**
 * Every numeric option of every command is parsed strictly (issue 18, part 6): walking the whole
 * program, each option that takes a number has a parser that refuses "abc" with a USAGE error naming
 * the flag. A new numeric option without one fails here, before it can hand NaN to the engine.
 */
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/interfaces/cli/program.js';

/** Placeholders that stand for a number (a count, a port, a step, a duration, money). */
const NUMERIC = /<(n|seq\.*|tokens|usd|duration|port|step)(\.\.\.)?>/;

/** Read as strings and validated together, with the flag named, by budgetFromFlags (budget-flags.ts). */
const CHECKED_LATER = new Set(['--budget-usd', '--budget-tokens', '--budget-duration']);

function numericOptions(program: Command): Array<{ command: string; option: Option }> {
  const found: Array<{ command: string; option: Option }> = [];
  const visit = (command: Command, path: string): void => {
    for (const option of command.options as Option[]) if (NUMERIC.test(option.flags)) found.push({ command: path, option });
    for (const sub of command.commands) visit(sub, `${path} ${sub.name()}`.trim());
  };
  visit(program, '');
  return found;
}

describe('numeric options', () => {
  const options = numericOptions(buildProgram());

  it('are found across the program', () => {
    expect(options.map((o) => `${o.command} ${o.option.long}`)).toEqual(expect.arrayContaining(['answer --grant', 'submit --step', 'list --limit', 'fork --from-step', 'serve --port', 'worker --concurrency']));
  });

  it.each(options.filter((o) => !CHECKED_LATER.has(o.option.long!)).map((o) => [`${o.command} ${o.option.long}`, o.option] as const))('%s refuses "abc" naming the flag', (_name, option) => {
    expect(option.parseArg, `${option.flags} has no parser: use one of src/interfaces/cli/number-flags.ts`).toBeTypeOf('function');
    let refusal: unknown;
    try {
      option.parseArg!('abc', undefined);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'USAGE', message: expect.stringContaining(option.long!) });
  });
});
