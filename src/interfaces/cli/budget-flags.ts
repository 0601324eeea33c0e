/**
 * --budget-usd, --budget-tokens and --budget-duration: a budget given on the command line, for a
 * start (replacing the definition's limits) or a raise (`converge answer ID --raise-budget`).
 */
import type { Command } from 'commander';
import { BudgetSchema } from '../../core/definition-schema.js';
import type { Budget } from '../../core/definition-schema.js';
import { ConvergeError } from '../../core/errors.js';
import { positiveNumber, wholeNumber } from './number-flags.js';

export interface BudgetFlags {
  budgetUsd?: string;
  budgetTokens?: string;
  budgetDuration?: string;
}

export function addBudgetOptions(command: Command, what: string): Command {
  return command
    .option('--budget-usd <usd>', `${what}: the most it may cost, in USD`)
    .option('--budget-tokens <n>', `${what}: the most tokens (input + output) it may use`)
    .option('--budget-duration <duration>', `${what}: the most active time, e.g. 90m, 2h (waits for people not counted)`);
}

/** The limits given, or undefined when none was. */
export function budgetFromFlags(flags: BudgetFlags): Budget | undefined {
  const input: Record<string, unknown> = {};
  if (flags.budgetUsd !== undefined) input.max_cost_usd = positiveNumber('--budget-usd')(flags.budgetUsd);
  if (flags.budgetTokens !== undefined) input.max_tokens = wholeNumber('--budget-tokens', { min: 1, example: 2000000 })(flags.budgetTokens);
  if (flags.budgetDuration !== undefined) input.max_duration = /^\d+(\.\d+)?$/.test(flags.budgetDuration) ? Number(flags.budgetDuration) : flags.budgetDuration;
  if (Object.keys(input).length === 0) return undefined;
  const parsed = BudgetSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = { max_cost_usd: '--budget-usd', max_tokens: '--budget-tokens', max_duration: '--budget-duration' }[String(issue.path[0]) as 'max_cost_usd'];
    throw new ConvergeError('USAGE', `${flag} ${JSON.stringify(input[String(issue.path[0])])} is not a budget: ${issue.message}.`, {
      hint: 'e.g. --budget-usd 5, --budget-tokens 2000000, --budget-duration 2h.',
    });
  }
  return parsed.data;
}
