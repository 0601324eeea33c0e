/**
 * Text renderings of a workflow for `show` (`status` and `list`: status-format.ts).
 */
import { table } from './status-format.js';
import { budgetUse, formatBudgetUse } from '../../core/budget.js';
import { escalationAnswers } from '../../engine/human-answers.js';
import { escalationFlag } from './next-format.js';
import { evaluateConvergence, fmt } from '../../core/convergence.js';
import { issueCount } from '../../core/records.js';
import type { Usage } from '../../core/records.js';
import type { WorkflowState } from '../../core/state.js';
import { externalWait, shownStatus } from '../../engine/external-wait.js';

function duration(from: string, to: string): string {
  const s = Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

export function usageTotals(usages: readonly Usage[]): { input: number; output: number; cached: number; cost: number } {
  return usages.reduce(
    (t, u) => ({ input: t.input + u.inputTokens, output: t.output + u.outputTokens, cached: t.cached + u.cachedInputTokens, cost: t.cost + u.costUsd }),
    { input: 0, output: 0, cached: 0, cost: 0 },
  );
}

/** Scores per round against thresholds, for each validate loop. */
export function roundsTable(state: WorkflowState): string {
  const def = state.definition;
  const out: string[] = [];
  for (const loop of def.loops) {
    const rounds = state.validations.filter((v) => v.loopId === loop.id);
    if (rounds.length === 0) continue;
    const step = def.steps.find((s) => s.loop === loop.id)!;
    const rubric = def.rubrics.find((r) => r.id === step.rubric)!;
    const dims = Object.keys(rubric.dimensions);
    const header = ['ROUND', 'STEP', ...dims.map((d) => (rubric.dimensions[d]!.min !== undefined ? `${d} (≥${fmt(rubric.dimensions[d]!.min!)})` : d)), 'CRIT', 'MINOR', 'CHECKS', 'RESULT'];
    const rows = rounds.map((v) => {
      const result = evaluateConvergence(def.rubrics.find((r) => r.id === def.steps.find((s) => s.id === v.stepId)!.rubric)!, v.report);
      const num = def.steps.find((s) => s.id === v.stepId)!.number;
      return [
        String(v.round),
        String(num),
        ...dims.map((d) => (v.report.scoreCard.dimensions[d] === undefined ? 'missing' : fmt(v.report.scoreCard.dimensions[d]!))),
        String(issueCount(v.report, 'critical')),
        String(issueCount(v.report, 'minor')),
        v.report.toolResults.map((t) => `${t.toolId}:${t.status}`).join(' ') || '-',
        result.converged ? 'converged' : 'not converged',
      ];
    });
    out.push(`${loop.id} (cap ${loop.max_rounds + (state.loops[loop.id]?.extraRounds ?? 0)} rounds of ${loop.counts})`, table([header, ...rows]));
  }
  return out.join('\n\n');
}

export function showText(state: WorkflowState): string {
  const def = state.definition;
  const end = state.completedAt ?? state.updatedAt;
  const lines: string[] = [
    `Workflow ${state.workflowId}${state.name ? ` — ${state.name}` : ''}`,
    `  status      ${shownStatus(state)}${state.paused ? ' (paused)' : ''}`,
    `  definition  ${def.id} v${def.version}${state.profile ? `, profile ${state.profile}` : ''}`,
    `  phase       ${state.phase}`,
    `  workspace   ${state.workspace.path} (${state.workspace.type})`,
    `  duration    ${duration(state.createdAt, end)}`,
    `  requirements ${state.requirements.replace(/\s+/g, ' ').slice(0, 200)}`,
  ];
  if (state.forkedFrom) lines.push(`  forked from ${state.forkedFrom.workflowId} at step ${state.forkedFrom.step}`);
  lines.push('', 'Steps');
  const stepRows = [['#', 'STEP', 'ROLE', 'ATTEMPT', 'STATUS', 'TIME', 'TOKENS IN/OUT/CACHED', 'COST $']];
  for (const run of state.runs) {
    const u = usageTotals(run.usage);
    stepRows.push([
      String(run.stepNumber),
      run.stepId,
      run.role,
      String(run.attempt) + (run.recoveryStrategy ? ` ${run.recoveryStrategy}` : ''),
      run.status + (run.failure ? ` (${run.failure.class})` : '') + (run.sandbox === 'none' ? ', not sandboxed' : ''),
      run.completedAt ? duration(run.startedAt ?? run.scheduledAt, run.completedAt) : '-',
      `${u.input}/${u.output}/${u.cached}`,
      u.cost.toFixed(4),
    ]);
  }
  lines.push(table(stepRows));
  const rounds = roundsTable(state);
  if (rounds !== '') lines.push('', 'Rounds (scores against thresholds)', rounds);

  const checkRuns = state.runs.filter((r) => r.checks !== undefined);
  if (checkRuns.length > 0) {
    lines.push('', 'Checks');
    const rows = [['STEP', 'CHECK', 'LEVEL', 'REQUIRED', 'STATUS', 'SANDBOX', 'TIME', 'SUMMARY']];
    for (const run of checkRuns) {
      for (const c of run.checks!) {
        const sandbox = c.sandbox === 'none' ? 'none (not sandboxed)' : (c.sandbox ?? '-');
        rows.push([String(run.stepNumber), c.toolId, `L${c.level}`, c.required ? 'yes' : 'no', c.status, sandbox, `${(c.durationMs / 1000).toFixed(1)}s`, c.summary.replace(/\s+/g, ' ').slice(0, 60)]);
      }
    }
    lines.push(table(rows));
  }
  if (state.approvals.length > 0 || state.escalations.length > 0) {
    lines.push('', 'Human decisions');
    for (const a of state.approvals) {
      const earlier = a.earlier !== undefined ? ` (approved before by ${a.earlier.map((v) => v.actor.id).join(', ')})` : '';
      lines.push(`  ${a.at.slice(0, 19)}  ${a.gateId}: ${a.decision} by ${a.actor.id}${earlier}${a.automatic ? ` (${a.automatic.replace('_', ' ')})` : ''}${a.comment ? ` — ${a.comment}` : ''}${a.changeRequests.length ? ` [changes: ${a.changeRequests.join('; ')}]` : ''}`);
    }
    for (const e of state.escalations) {
      lines.push(`  ${e.raisedAt.slice(0, 19)}  escalation (${e.reason}): ${e.message}${e.answer ? ` → ${e.answer.kind} by ${e.actor?.id}` : ' → open'}`);
    }
  }
  const all = usageTotals(state.runs.flatMap((r) => r.usage));
  lines.push('', `Tokens: ${all.input} in, ${all.output} out, ${all.cached} cached; cost $${all.cost.toFixed(4)}`);
  const budget = budgetUse(state);
  if (budget.length > 0) lines.push(`Budget: ${budget.map((u) => `${formatBudgetUse(u)} (${Math.round(u.fraction * 100)} %)`).join(', ')}${state.budgetAccepted ? ' — going over it was accepted' : ''}`);
  const byProvider = new Map<string, Usage[]>();
  for (const u of state.runs.flatMap((r) => r.usage)) byProvider.set(u.provider ?? 'unknown', [...(byProvider.get(u.provider ?? 'unknown') ?? []), u]);
  for (const [provider, usages] of byProvider) {
    const t = usageTotals(usages);
    lines.push(`  ${provider}: ${t.input} in, ${t.output} out, ${t.cached} cached, $${t.cost.toFixed(4)}`);
  }
  if (state.workspaceResult?.outcome === 'kept') {
    const r = state.workspaceResult;
    lines.push('', `Result: branch ${r.branch}${r.commit ? ` (${r.commit.slice(0, 10)})` : ''}, ${r.files?.length ?? 0} file(s); patch ${r.patchFile ?? '-'}`, `  Merge: cd ${state.workspace.origin ?? '.'} && git merge ${r.branch}   (or: git apply ${r.patchFile ?? ''})`);
  } else if (state.workspaceResult?.outcome === 'discarded') {
    lines.push('', `Isolated worktree removed; branch ${state.workspaceResult.branch} kept for inspection (delete with: git branch -D ${state.workspaceResult.branch}).`);
  }
  if (state.gate) lines.push('', `Waiting for approval "${state.gate.gateId}": converge approve ${state.workflowId} [--comment "…"] | reject | request-changes --change "…"`);
  if (state.gate?.protectedPaths) {
    lines.push(`  Protected files changed — review them before approving (automatic approval is held): ${state.gate.protectedPaths.join(', ')}`);
  }
  const external = externalWait(state);
  if (external) {
    lines.push('', `Waiting for you: the result of step ${external.stepNumber} (${external.stepId}), ${external.texts} text${external.texts === 1 ? '' : 's'} — \`converge next ${state.workflowId}\` writes the prompt file and prints the submit command`);
  }
  if (state.escalation) {
    lines.push('', `Escalated: ${state.escalation.message}`, `  Answer: converge answer ${state.workflowId} ${escalationAnswers(state.escalation.reason).map(escalationFlag).join(' | ')}`);
  }
  return lines.join('\n');
}

export { listTable, statusLine, table } from './status-format.js';
