/**
 * Which step of each workflow is running, since when, which check it runs and what its agent last
 * said it does — folded from the recorded events and the live step progress, so that a long step
 * shows more than "running" for a minute.
 */
import type { WorkflowEvent } from '../../core/events.js';
import type { WorkflowState } from '../../core/state.js';
import type { StepProgress } from '../../engine/step-progress.js';

interface Running {
  label: string;
  since: number;
  /** A step waiting for a result from outside waits for a person: no clock runs for it here. */
  external: boolean;
  /** The checks running now (several at once), the longest-running first. */
  checks: Array<{ id: string; index: number; total: number; since: number }>;
  activity?: string;
}

/** `12s`, `1m 05s`, `1h 02m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const ENDS_A_STEP = new Set<WorkflowEvent['type']>([
  'step_output_recorded',
  'validation_recorded',
  'step_failed',
  'approval_requested',
  'escalation_raised',
  'paused',
  'cancelled',
  'workflow_completed',
  'workflow_failed',
]);

export class RunningSteps {
  readonly #steps = new Map<string, Running>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  onEvent(state: WorkflowState, event: WorkflowEvent): void {
    const id = state.workflowId;
    if ((event.type === 'step_scheduled' && event.agent !== undefined) || event.type === 'step_started') {
      const run = state.runs.findLast((r) => r.actionId === event.actionId);
      const step = state.definition.steps.find((s) => s.id === run?.stepId);
      const label = step === undefined ? 'step ?' : `step ${step.number} ${step.id}`;
      this.#steps.set(id, { label, since: Date.parse(event.at), external: event.agent === 'external', checks: [] });
    } else if (event.type === 'checks_recorded') {
      const running = this.#steps.get(id);
      if (running !== undefined) running.checks = [];
    } else if (ENDS_A_STEP.has(event.type)) {
      this.#steps.delete(id);
    }
  }

  onProgress(progress: StepProgress): void {
    const running = this.#steps.get(progress.workflowId);
    if (running === undefined) return;
    if (progress.kind === 'check_started') running.checks.push({ id: progress.check, index: progress.index, total: progress.total, since: this.#now() });
    else if (progress.kind === 'check_finished') running.checks = running.checks.filter((c) => c.index !== progress.index);
    else running.activity = progress.text;
  }

  /** The workflows with a step running on an agent or a check (not one waiting for a person). */
  active(): string[] {
    return [...this.#steps].filter(([, r]) => !r.external || r.checks.length > 0).map(([id]) => id);
  }

  /** `1m 05s · check tests (2/3) 12s` (or the agent's latest activity), or undefined when nothing runs. */
  clock(workflowId: string): string | undefined {
    const r = this.#steps.get(workflowId);
    const check = r?.checks[0];
    if (r === undefined || (r.external && check === undefined)) return undefined;
    const now = this.#now();
    const parts = [formatElapsed(now - r.since)];
    const more = r.checks.length > 1 ? ` +${r.checks.length - 1} more` : '';
    if (check !== undefined) parts.push(`check ${check.id} (${check.index + 1}/${check.total}) ${formatElapsed(now - check.since)}${more}`);
    else if (r.activity !== undefined) parts.push(r.activity);
    return parts.join(' · ');
  }

  /** `step 5 validate_code running 1m 05s · check tests (2/3) 12s`, or undefined when nothing runs. */
  describe(workflowId: string): string | undefined {
    const clock = this.clock(workflowId);
    return clock === undefined ? undefined : `${this.#steps.get(workflowId)!.label} running ${clock}`;
  }
}

function duration(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : formatElapsed(ms);
}

/** One line for a check or an agent's activity, as the plain (non-terminal) output prints it. */
export function progressLine(progress: StepProgress): string {
  const step = `step ${progress.stepNumber}`;
  switch (progress.kind) {
    case 'check_started':
      return `${step} check ${progress.check} (${progress.index + 1}/${progress.total}) running`;
    case 'check_finished':
      return `${step} check ${progress.check} ${progress.status} in ${duration(progress.durationMs)}`;
    case 'agent_activity':
      return `${step} ${progress.role}: ${progress.text}`;
  }
}
