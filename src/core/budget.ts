/**
 * Budgets: what a workflow has spent, read from its recorded usage and event times, against the
 * limits in force. decide() asks `budgetReached` before it runs another agent; the views and the
 * notifier ask `budgetUse` (the 80 % warning is the notifier's, derived from the same numbers).
 */
import type { Budget, Duration } from './definition-schema.js';
import type { WorkflowState } from './state.js';

export const BUDGET_WARNING_FRACTION = 0.8;

export type BudgetLimit = 'cost' | 'tokens' | 'duration';

export interface BudgetUse {
  limit: BudgetLimit;
  /** USD, tokens (input + output) or seconds of active time. */
  used: number;
  max: number;
  fraction: number;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds of a duration: a number is seconds; `1h30m` is 5400. */
export function durationSeconds(duration: Duration): number {
  if (typeof duration === 'number') return duration;
  let total = 0;
  for (const match of duration.matchAll(/(\d+(?:\.\d+)?)\s*([smhd])/g)) total += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  return total;
}

export interface Spend {
  costUsd: number;
  tokens: number;
  /** From the start to the latest event, less the time spent waiting for people. */
  activeSeconds: number;
}

export function spendOf(state: WorkflowState): Spend {
  let costUsd = 0;
  let tokens = 0;
  for (const run of state.runs) {
    for (const u of run.usage) {
      costUsd += u.costUsd;
      tokens += u.inputTokens + u.outputTokens;
    }
  }
  const elapsed = Date.parse(state.updatedAt) - Date.parse(state.createdAt) - (state.waitedMs ?? 0);
  return { costUsd, tokens, activeSeconds: Math.max(0, elapsed) / 1000 };
}

/** Each limit the budget sets, with what is used of it. */
export function budgetUse(state: WorkflowState): BudgetUse[] {
  const budget = state.budget;
  if (budget === undefined) return [];
  const spend = spendOf(state);
  const uses: BudgetUse[] = [];
  const add = (limit: BudgetLimit, used: number, max: number | undefined) => {
    if (max !== undefined) uses.push({ limit, used, max, fraction: used / max });
  };
  add('cost', spend.costUsd, budget.max_cost_usd);
  add('tokens', spend.tokens, budget.max_tokens);
  add('duration', spend.activeSeconds, budget.max_duration === undefined ? undefined : durationSeconds(budget.max_duration));
  return uses;
}

/** The limits reached, unless a person accepted going over the budget. */
export function budgetReached(state: WorkflowState): BudgetUse[] {
  if (state.budgetAccepted === true) return [];
  return budgetUse(state).filter((u) => u.used >= u.max);
}

/** What `raise_budget` without limits sets: each reached limit doubled until it is above what is used. */
export function defaultRaise(state: WorkflowState): Budget {
  const raised: Budget = {};
  for (const use of budgetUse(state)) {
    if (use.used < use.max) continue;
    let max = use.max;
    while (max <= use.used) max *= 2;
    if (use.limit === 'cost') raised.max_cost_usd = Math.round(max * 100) / 100;
    else if (use.limit === 'tokens') raised.max_tokens = Math.ceil(max);
    else raised.max_duration = Math.ceil(max);
  }
  return raised;
}

/** The limits still reached once `raise` replaces the budget's, described; empty when the raise lets the workflow go on. */
export function stillReached(state: WorkflowState, raise: Budget): string[] {
  return budgetUse({ ...state, budget: { ...state.budget, ...raise }, budgetAccepted: false })
    .filter((u) => u.used >= u.max)
    .map(formatBudgetUse);
}

/** "$5.20 of $5.00", "120000 of 100000 tokens", "2h 5m of 2h". */
export function formatBudgetUse(use: BudgetUse): string {
  switch (use.limit) {
    case 'cost':
      return `$${use.used.toFixed(2)} of $${use.max.toFixed(2)}`;
    case 'tokens':
      return `${Math.round(use.used)} of ${use.max} tokens`;
    case 'duration':
      return `${formatSeconds(use.used)} of ${formatSeconds(use.max)} active time`;
  }
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${m > 0 ? ` ${m}m` : ''}` : `${m}m`;
}
