/**
 * The convergence rule. It reads only the normalised ScoreCard, issues and tool results;
 * a missing score is never a pass.
 */
import type { Rubric, StallRule } from './definition-schema.js';
import { issueCount } from './issue-count.js';
import type { ScoreCard, ValidationReport } from './records.js';

export interface ConvergenceResult {
  converged: boolean;
  /** One entry per unmet criterion, e.g. `alignment 8.5 < 9`. */
  unmet: string[];
  /** One entry per met criterion, e.g. `alignment 9.2 ≥ 9`. */
  met: string[];
  missing: string[];
  weighted?: number;
}

export function evaluateConvergence(rubric: Rubric, report: ValidationReport): ConvergenceResult {
  const unmet: string[] = [];
  const met: string[] = [];
  const missing: string[] = [];
  const dims = report.scoreCard.dimensions;

  for (const [name, dim] of Object.entries(rubric.dimensions)) {
    if (dim.min === undefined) continue;
    const value = dims[name];
    if (value === undefined) {
      missing.push(name);
      unmet.push(`${name} missing (needs ≥ ${fmt(dim.min)})`);
    } else if (value < dim.min) unmet.push(`${name} ${fmt(value)} < ${fmt(dim.min)}`);
    else met.push(`${name} ${fmt(value)} ≥ ${fmt(dim.min)}`);
  }

  const limit = (label: string, count: number, max: number | undefined) => {
    if (max === undefined) return;
    (count <= max ? met : unmet).push(`${label} ${count} ${count <= max ? '≤' : '>'} ${max}`);
  };
  if (rubric.level1_gate !== undefined) level1Gate(rubric, rubric.level1_gate, report.scoreCard, met, unmet);
  limit('critical issues', issueCount(report, 'critical'), rubric.max_critical_issues);
  limit('major issues', issueCount(report, 'major'), rubric.max_major_issues);
  limit('minor issues', issueCount(report, 'minor'), rubric.max_minor_issues);

  const required = report.toolResults.filter((t) =>
    rubric.required_checks === 'all' ? t.required : rubric.required_checks.includes(t.toolId),
  );
  if (rubric.required_checks !== 'all') {
    for (const id of rubric.required_checks) {
      if (!report.toolResults.some((t) => t.toolId === id)) unmet.push(`check ${id} did not run`);
    }
  }
  for (const tool of required) {
    (tool.status === 'passed' ? met : unmet).push(`check ${tool.toolId} ${tool.status}`);
  }

  if (rubric.min_coverage !== undefined) {
    for (const tool of report.toolResults) {
      if (tool.coverage === undefined) continue;
      const ok = tool.coverage >= rubric.min_coverage;
      (ok ? met : unmet).push(`coverage ${fmt(tool.coverage)}% ${ok ? '≥' : '<'} ${fmt(rubric.min_coverage)}% (${tool.toolId})`);
    }
  }

  const weighted = weightedScore(rubric, report.scoreCard);
  return { converged: unmet.length === 0, unmet, met, missing, ...(weighted !== undefined ? { weighted } : {}) };
}

/**
 * The review's own verdict in numbers counts, not only its issue list: a review scoring 5.5/10
 * with no critical issue is a weak review, not a pass (the seed gates phase 2 on L1 ≥ 7.0).
 */
function level1Gate(rubric: Rubric, gate: number, card: ScoreCard, met: string[], unmet: string[]): void {
  const overall = level1Overall(rubric, card);
  if (overall === undefined) {
    unmet.push(`L1 review score missing (needs ≥ ${fmt(gate)})`);
    return;
  }
  // The same words whether the review stated its overall or it was computed: a seed-state export
  // writes the computed one as `overall_score`, and reading it back must not change the record.
  if (overall.value < gate) unmet.push(`L1 review ${fmt(overall.value)} < ${fmt(gate)}`);
  else met.push(`L1 review ${fmt(overall.value)} ≥ ${fmt(gate)}`);
}

/**
 * The L1 review's overall score: the weighted overall the review states, else the rubric-weighted
 * mean of the rubric's dimensions it scored (a review that scored only alignment is judged on
 * alignment), else the plain mean of whatever it scored. Undefined when it scored nothing.
 */
export function level1Overall(rubric: Rubric, card: ScoreCard): { value: number; stated: boolean; from: string[] } | undefined {
  if (card.weighted !== undefined) return { value: card.weighted, stated: true, from: [] };
  const weighted = Object.entries(card.dimensions).filter(([name]) => (rubric.dimensions[name]?.weight ?? 0) > 0);
  const scored = weighted.length > 0 ? weighted : Object.entries(card.dimensions);
  if (scored.length === 0) return undefined;
  let total = 0;
  let weights = 0;
  for (const [name, value] of scored) {
    const weight = weighted.length > 0 ? rubric.dimensions[name]!.weight : 1;
    total += value * weight;
    weights += weight;
  }
  return { value: Math.round((total / weights) * 100) / 100, stated: false, from: scored.map(([name]) => name) };
}

/** Weighted mean over the rubric's dimensions; undefined when any weighted dimension is missing. */
export function weightedScore(rubric: Rubric, card: ScoreCard): number | undefined {
  let total = 0;
  let weights = 0;
  for (const [name, dim] of Object.entries(rubric.dimensions)) {
    if (dim.weight === 0) continue;
    const value = card.dimensions[name];
    if (value === undefined) return undefined;
    total += value * dim.weight;
    weights += dim.weight;
  }
  if (weights === 0) return card.weighted;
  return Math.round((total / weights) * 100) / 100;
}

/**
 * Stalled when the weighted score rose by less than `min_improvement` over the last `window`
 * rounds. Rounds without a weighted score don't count as evidence either way.
 */
export function isStalled(rule: StallRule, weightedHistory: ReadonlyArray<number | undefined>): boolean {
  if (!rule.enabled || weightedHistory.length <= rule.window) return false;
  const latest = weightedHistory[weightedHistory.length - 1];
  const earlier = weightedHistory[weightedHistory.length - 1 - rule.window];
  if (latest === undefined || earlier === undefined) return false;
  return latest - earlier < rule.min_improvement;
}

export function fmt(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n * 100) / 100);
}
