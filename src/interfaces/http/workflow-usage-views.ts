/**
 * Tokens and cost per provider and per step, the budget against its limits, a gate's approvals so
 * far, and the artifact versions, as the API shows them.
 */
import { approvalProgress, whoQualifies } from '../../core/approval-policy.js';
import { BUDGET_WARNING_FRACTION, budgetUse, formatBudgetUse, spendOf } from '../../core/budget.js';
import type { Usage } from '../../core/records.js';
import type { WorkflowState } from '../../core/state.js';
import { artifactVersions } from '../../engine/artifact-diffs.js';

interface Totals {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cost_usd: number;
  calls: number;
}

function empty(): Totals {
  return { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cost_usd: 0, calls: 0 };
}

function add(t: Totals, u: Usage): void {
  t.input_tokens += u.inputTokens;
  t.output_tokens += u.outputTokens;
  t.cached_input_tokens += u.cachedInputTokens;
  t.cost_usd += u.costUsd;
  t.calls += 1;
}

export function usageView(state: WorkflowState) {
  const total = empty();
  const byProvider = new Map<string, Totals>();
  const byStep = new Map<string, Totals & { step_number: number }>();
  for (const run of state.runs) {
    for (const u of run.usage) {
      add(total, u);
      const provider = u.provider ?? 'unknown';
      if (!byProvider.has(provider)) byProvider.set(provider, empty());
      add(byProvider.get(provider)!, u);
      if (!byStep.has(run.stepId)) byStep.set(run.stepId, { ...empty(), step_number: run.stepNumber });
      add(byStep.get(run.stepId)!, u);
    }
  }
  return {
    total: { ...total, cost_usd: round6(total.cost_usd) },
    by_provider: [...byProvider].map(([provider, t]) => ({ provider, ...t, cost_usd: round6(t.cost_usd) })),
    by_step: [...byStep].map(([step_id, t]) => ({ step_id, ...t, cost_usd: round6(t.cost_usd) })).sort((a, b) => a.step_number - b.step_number),
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export function artifactsView(state: WorkflowState) {
  const kinds = [...new Set(state.outputs.map((o) => o.output.artifact))];
  return kinds.map((artifact) => ({
    artifact,
    versions: artifactVersions(state, artifact).map((v) => ({
      version: v.version,
      step_id: v.stepId,
      action_id: v.actionId,
      at: v.at,
      chars: v.content.length,
      files: v.files.map((f) => ({ path: f.path, action: f.action, chars: f.content?.length ?? 0 })),
    })),
  }));
}

/**
 * The budget as a bar per limit: `fraction` of `max` used, `state` ok / warning (from 80 %) /
 * reached. Null when the workflow has no budget.
 */
export function budgetView(state: WorkflowState) {
  const uses = budgetUse(state);
  if (uses.length === 0) return null;
  const spend = spendOf(state);
  return {
    accepted: state.budgetAccepted === true,
    spent: { cost_usd: round6(spend.costUsd), tokens: spend.tokens, active_seconds: Math.round(spend.activeSeconds) },
    limits: uses.map((u) => ({
      limit: u.limit,
      used: u.limit === 'cost' ? round6(u.used) : Math.round(u.used),
      max: u.max,
      fraction: Math.round(u.fraction * 1000) / 1000,
      state: u.used >= u.max ? 'reached' : u.fraction >= BUDGET_WARNING_FRACTION ? 'warning' : 'ok',
      text: formatBudgetUse(u),
    })),
  };
}

/** The pending gate's policy and who approved so far: "1 of 2 approvals, by alice". */
export function approvalsView(state: WorkflowState) {
  const progress = approvalProgress(state);
  if (progress === null) return null;
  const p = progress.policy;
  return {
    required: progress.required,
    given: progress.given,
    by: progress.votes.map((v) => ({ actor: v.actor, at: v.at, comment: v.comment ?? null })),
    policy: { roles: p.roles ?? null, groups: p.groups ?? null, distinct_people: p.distinct_people, not_the_starter: p.not_the_starter },
    who: whoQualifies(p),
    text: `${progress.given} of ${progress.required} approval${progress.required === 1 ? '' : 's'}`,
  };
}
