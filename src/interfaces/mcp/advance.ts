/**
 * After a state-changing tool: drive the workflow to its next wait within the run budget,
 * reporting progress, asking gates through elicitation when the client can show them, and
 * describe what is needed next.
 *
 * The budget keeps a call well inside the 60 s most clients allow: past it the tool returns
 * `status: running` while the run goes on in the background, and the client polls
 * get_next_action. Time a person spends answering an elicitation does not count against it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TERMINAL_STATUSES } from '../../core/state.js';
import type { WorkflowState, WorkflowStatus } from '../../core/state.js';
import { nextAction } from '../../engine/next-action.js';
import type { NextAction } from '../../engine/next-action.js';
import type { RunOutcome } from '../../engine/runner.js';
import type { GateResponse } from '../../engine/workflow-commands.js';
import { loadState, waitingFor } from '../../engine/workflow-log.js';
import { shownStatus } from '../../engine/external-wait.js';
import { elicitApproval } from './approval-elicitation.js';
import type { McpContext, ToolExtra } from './mcp-context.js';
import { nextActionText } from './next-action-text.js';
import { startProgress } from './progress.js';
import type { Progress } from './progress.js';

export interface AdvanceReport {
  workflow_id: string;
  status: WorkflowStatus;
  /** True when the budget ran out and the run continues in the background. */
  running: boolean;
  waiting_for: string | null;
  /** Gates decided through elicitation during this call. */
  approvals: Array<{ gate: string; decision: GateResponse['decision']; actor: string }>;
  /** Why an approval asked through elicitation stays pending, when it does. */
  elicitation_note?: string;
  next_action: NextAction;
}

/** Enough rounds for every gate of a definition; a loop that never waits again is a bug, not a hang. */
const MAX_ROUNDS = 20;
const WATCH_POLL_MS = 200;

export async function advanceAndDescribe(ctx: McpContext, workflowId: string, extra: ToolExtra): Promise<AdvanceReport> {
  const progress = startProgress(ctx, workflowId, extra);
  const approvals: AdvanceReport['approvals'] = [];
  const asked = new Set<string>();
  let note: string | undefined;
  let running = false;
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const reached = (await drivenElsewhere(ctx, workflowId))
        ? await watch(ctx, workflowId, ctx.runBudgetMs, extra.signal)
        : await within(ctx.driver.advance(workflowId), ctx.runBudgetMs, extra.signal);
      if (reached === 'later') {
        running = true;
        break;
      }
      const state = 'state' in reached ? reached.state : reached;
      const gate = state.gate;
      if (gate === null || !ctx.canElicit() || asked.has(gate.interactionId)) break;
      asked.add(gate.interactionId);
      const action = await nextAction(ctx.engine, state);
      if (action.kind !== 'respond_to_approval') break;
      progress.say(`waiting for approval "${gate.gateId}" (asked the user)`);
      const answer = await withHeartbeat(progress, elicitApproval(ctx, action, extra));
      if (answer.kind === 'pending') {
        note = answer.note;
        break;
      }
      // A person may take minutes; meanwhile the gate can be answered elsewhere (the CLI, another client).
      const now = await loadState(ctx.engine.store, workflowId);
      if (now.gate?.interactionId !== gate.interactionId) {
        note = `Approval "${gate.gateId}" was answered elsewhere while the client asked; that answer stands.`;
        continue;
      }
      const caller = ctx.callerFor(extra);
      await ctx.access.respondToGate(caller, workflowId, answer.response);
      approvals.push({ gate: gate.gateId, decision: answer.response.decision, actor: caller.name });
    }
  } finally {
    progress.stop();
  }
  return describe(ctx, workflowId, { running, approvals, ...(note !== undefined ? { note } : {}) });
}

export async function describe(
  ctx: McpContext,
  workflowId: string,
  extra: { running?: boolean; approvals?: AdvanceReport['approvals']; note?: string } = {},
): Promise<AdvanceReport> {
  const state = await loadState(ctx.engine.store, workflowId);
  const next = await nextAction(ctx.engine, state);
  return {
    workflow_id: workflowId,
    status: shownStatus(state),
    running: extra.running === true || (next.kind === 'none' && ctx.driver.busy(workflowId)),
    waiting_for: waitingFor(state) ?? (next.kind === 'submit_step_result' ? `external:step ${next.step_number}` : null),
    approvals: extra.approvals ?? [],
    ...(extra.note !== undefined ? { elicitation_note: extra.note } : {}),
    next_action: next,
  };
}

export function reportText(report: AdvanceReport, lead?: string): string {
  const lines: string[] = [];
  if (lead) lines.push(lead);
  for (const a of report.approvals) lines.push(`Approval "${a.gate}": ${a.decision} by ${a.actor} (asked through the client).`);
  if (report.elicitation_note) lines.push(report.elicitation_note);
  if (report.running) {
    lines.push(
      `Workflow ${report.workflow_id} is still running. Call get_next_action (or get_workflow_status) with workflow_id "${report.workflow_id}" in a few seconds.`,
    );
  }
  lines.push(nextActionText(report.next_action));
  return lines.join('\n');
}

async function within(run: Promise<RunOutcome>, budgetMs: number, signal: AbortSignal): Promise<RunOutcome | 'later'> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const later = new Promise<'later'>((resolve) => {
    timer = setTimeout(() => resolve('later'), budgetMs);
    onAbort = () => resolve('later');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run, later]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Another process holds the workflow's lease — a `converge run` waiting in a terminal, a worker.
 * It will carry the change forward itself; driving here would only queue behind its lease.
 */
async function drivenElsewhere(ctx: McpContext, workflowId: string): Promise<boolean> {
  if (ctx.driver.busy(workflowId)) return false;
  const holder = await ctx.engine.store.leaseHolder(workflowId);
  return holder !== undefined && holder.owner !== ctx.engine.runner.owner && Date.parse(holder.expiresAt) > Date.now();
}

/** Waits (within the budget) until the workflow driven elsewhere needs something or ends. */
async function watch(ctx: McpContext, workflowId: string, budgetMs: number, signal: AbortSignal): Promise<WorkflowState | 'later'> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const state = await loadState(ctx.engine.store, workflowId);
    if (TERMINAL_STATUSES.has(state.status) || state.paused || (await nextAction(ctx.engine, state)).kind !== 'none') return state;
    if (Date.now() >= deadline || signal.aborted) return 'later';
    await sleep(WATCH_POLL_MS);
  }
}

/** Keeps progress flowing while a person answers, so clients that reset their timeout on progress wait. */
async function withHeartbeat<T>(progress: Progress, work: Promise<T>): Promise<T> {
  const beat = setInterval(() => progress.say('still waiting for the approval'), 10_000);
  try {
    return await work;
  } finally {
    clearInterval(beat);
  }
}
