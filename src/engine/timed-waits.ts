/**
 * Waits that end at a recorded time: a retry's backoff or retry-after, a gate's timeout. Each is
 * recorded as a duration from an event of the log (a retry: the failure's time plus the delay its
 * failure or the recovery policy gives; a gate: `timeoutAt`, the request's time plus `timeout_s`).
 * A process waits until that time by its clock, but never longer than the recorded duration from
 * the moment it first saw the wait: a clock set back an hour waits the duration, not the hour, and
 * a resumed wait never lasts longer than its duration from the resume. A clock that runs ahead can
 * only end a wait early, the lesser harm.
 */
import type { Decision } from '../core/decision.js';
import type { WorkflowState } from '../core/state.js';
import { elapsedMs } from './clock.js';
import type { Clock } from './clock.js';

export interface TimedWait {
  /** The same for every look at the same wait: a gate's interaction, a retry's failed action and time. */
  key: string;
  /** When it ends, as recorded. */
  until: string;
  /** How long it lasts from the event it counts from. */
  durationMs: number;
}

/** The timeout of the gate the workflow waits at, if it has one that has not fired. */
export function gateWait(state: WorkflowState): TimedWait | undefined {
  const gate = state.gate;
  if (gate === null || gate.timeoutAt === undefined || gate.timedOut) return undefined;
  return { key: `gate:${gate.interactionId}`, until: gate.timeoutAt, durationMs: Math.max(0, Date.parse(gate.timeoutAt) - Date.parse(gate.requestedAt)) };
}

/** The wait before a retry decide() asked for: from the failure it retries (as decide counts it). */
export function retryWait(state: WorkflowState, decision: Decision): TimedWait | undefined {
  if (decision.not_before === undefined) return undefined;
  const failed = state.runs.at(-1);
  const from = failed?.completedAt ?? state.updatedAt;
  return { key: `retry:${state.workflowId}:${failed?.actionId ?? ''}:${decision.not_before}`, until: decision.not_before, durationMs: Math.max(0, Date.parse(decision.not_before) - Date.parse(from)) };
}

/** Waits a process has seen, so that looking at one again does not start it over. */
const REMEMBERED = 10_000;

export class TimedWaits {
  readonly #clock: Clock;
  /** Per wait, when it ends on the monotonic clock, fixed at first sight. */
  readonly #deadlines = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Milliseconds until `wait` ends: 0 once it has. */
  remaining(wait: TimedWait): number {
    const now = elapsedMs(this.#clock);
    const byClock = Date.parse(wait.until) - this.#clock.nowMs();
    let deadline = this.#deadlines.get(wait.key);
    if (deadline === undefined) {
      deadline = now + Math.max(0, Math.min(byClock, wait.durationMs));
      if (this.#deadlines.size >= REMEMBERED) this.#deadlines.delete(this.#deadlines.keys().next().value!);
      this.#deadlines.set(wait.key, deadline);
    }
    return Math.max(0, Math.min(byClock, deadline - now));
  }

  /** Forgets a wait that has fired or ended otherwise. */
  forget(key: string): void {
    this.#deadlines.delete(key);
  }
}
