/**
 * The runner: load state → decide() → carry the decision out → record it → repeat.
 * It plays Temporal's worker: the core decides, the runner does the I/O and writes the results
 * back fenced by sequence number, so nothing finished is redone and nothing is lost.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { protectedChangesAwaitingReview } from '../core/protected-changes.js';
import { needsPeople, policyOf } from '../core/approval-policy.js';
import { decide } from '../core/decide.js';
import type { Decision } from '../core/decision.js';
import { isConvergeError } from '../core/errors.js';
import type { NewEvent } from '../core/events.js';
import { recoveryRule } from '../core/recovery.js';
import { currentRun, TERMINAL_STATUSES } from '../core/state.js';
import type { WorkflowState, WorkflowStatus } from '../core/state.js';
import type { WorkflowEvent } from '../core/events.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { agentIdFor, executeRun } from './step-executor.js';
import { CancelWatch } from './cancel-watch.js';
import { LeaseKeeper } from './lease-keeper.js';
import { askAdvisor } from './advisor.js';
import { needsSettling, settleWorkspace } from './workspace-settle.js';
import { externalWaitingFor } from './external-wait.js';
import { leaseOwnerIsDead } from './lease-owner.js';
import { sleepOn } from './clock.js';
import { gateWait, retryWait, TimedWaits } from './timed-waits.js';
import type { StepExecutorDeps } from './step-executor.js';
import { appendEvents, foldOnto, loadState } from './workflow-log.js';

export interface RunnerOptions {
  store: Store;
  clock: Clock;
  executor: StepExecutorDeps;
  /** Called after every append, for progress output and metrics. */
  onEvents?: (state: WorkflowState, events: readonly WorkflowEvent[]) => void;
  leaseTtlMs?: number;
  pollMs?: number;
}

export interface RunOutcome {
  workflowId: string;
  status: WorkflowStatus;
  /** Set when the run stopped because it needs a person or an external result. */
  waitingFor: string | null;
  state: WorkflowState;
}

export interface RunControl {
  /** Keep polling while a human or an external agent is needed, instead of returning. */
  waitForHumans?: boolean;
  signal?: AbortSignal;
  /**
   * Called each time the run comes to a wait (`gate:…`, `escalation:…`, `external:step N`,
   * `paused`), before it polls or returns: the CLI writes an external step's prompt files here.
   */
  onWait?: (state: WorkflowState, waitingFor: string) => Promise<void> | void;
}

export class Runner {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #o: Required<Pick<RunnerOptions, 'leaseTtlMs' | 'pollMs'>> & RunnerOptions;
  /** Escalations the advisor was asked about in this process (it is asked once per escalation). */
  readonly #advised = new Set<string>();
  readonly #leases: LeaseKeeper;
  readonly #cancels: CancelWatch;
  /** Retry and gate-timeout waits, judged so that a clock set back cannot stretch them (timed-waits.ts). */
  readonly waits: TimedWaits;

  constructor(options: RunnerOptions) {
    this.#o = { leaseTtlMs: 30_000, pollMs: 200, ...options };
    this.#leases = new LeaseKeeper(this.#o.store, this.#o.clock, this.owner, this.#o.leaseTtlMs);
    this.#cancels = new CancelWatch(this.#o.store, this.#o.clock);
    this.waits = new TimedWaits(this.#o.clock);
  }

  /** How long a lease this runner takes lasts without a heartbeat: what a dead runner costs its workflows. */
  get leaseTtlMs(): number {
    return this.#o.leaseTtlMs;
  }

  /** Drives a workflow until it ends or waits for a person (or, with waitForHumans, until it ends). */
  async run(workflowId: string, control: RunControl = {}): Promise<RunOutcome> {
    await this.#o.clock.sync?.();
    await this.#acquire(workflowId, control.signal);
    this.#leases.keep(workflowId);
    try {
      return await this.#loop(workflowId, control);
    } finally {
      await this.#leases.release(workflowId);
    }
  }

  async #loop(workflowId: string, control: RunControl): Promise<RunOutcome> {
    let state = await loadState(this.#o.store, workflowId);
    // Actions this loop recorded as started itself; any other started action was cut off by a stop.
    const startedHere = new Set<string>();
    for (;;) {
      if (control.signal?.aborted) return outcome(state, 'interrupted');
      try {
        const next = await this.#step(state, control, startedHere);
        if ('stop' in next) return outcome(next.state, next.stop);
        state = next.state;
      } catch (error) {
        if (isConvergeError(error) && error.code === 'SEQUENCE_CONFLICT') {
          // Someone else (an approval, a cancel) wrote first: nothing is lost, read and decide again.
          state = await loadState(this.#o.store, workflowId);
          continue;
        }
        throw error;
      }
    }
  }

  /** One move. Returns the new state, or why the loop stops. */
  async #step(state: WorkflowState, control: RunControl, startedHere: Set<string>): Promise<{ state: WorkflowState } | { stop: string | null; state: WorkflowState }> {
    const now = this.#o.clock.now();
    if (needsSettling(state)) return { state: await this.#record(state, [await settleWorkspace(state, this.#o.clock)]) };
    if (TERMINAL_STATUSES.has(state.status)) return { stop: null, state };
    if (state.paused) return this.#wait(state, control, 'paused');
    if (state.gate !== null) {
      const gate = state.definition.gates.find((g) => g.id === state.gate!.gateId);
      const timeout = gateWait(state);
      if (timeout !== undefined && gate !== undefined && this.waits.remaining(timeout) === 0) {
        this.waits.forget(timeout.key);
        return { state: await this.#gateTimedOut(state, gate.on_timeout) };
      }
      return this.#wait(state, control, `gate:${state.gate.gateId}`);
    }
    if (state.escalation !== null) {
      if (!this.#advised.has(state.escalation.escalationId)) {
        this.#advised.add(state.escalation.escalationId);
        const answer = await askAdvisor(this.#o.executor, state, control.signal);
        if (answer !== undefined) return { state: await this.#record(state, [answer]) };
      }
      return this.#wait(state, control, `escalation:${state.escalation.reason}`);
    }

    const run = currentRun(state);
    if (run !== undefined) {
      if (run.status === 'started' && !startedHere.has(run.actionId)) {
        // Recording the start was its first attempt; each stop since then counts one more.
        const attempts = (await this.#o.store.recordAttempt(state.workflowId, run.actionId)) + 1;
        const rule = recoveryRule(state.definition.recovery, 'interrupted');
        if (attempts > rule.max_attempts + 1) {
          return { state: await this.#record(state, [interrupted(this.#o.clock.now(), run.actionId, attempts)]) };
        }
      }
      const watched = this.#cancels.watch(state.workflowId, control.signal);
      let result;
      try {
        result = await executeRun(this.#o.executor, state, run, (events) => this.#record(state, events).then((s) => (state = s)), watched.signal);
      } catch (error) {
        if (watched.cancelled()) return { state: await loadState(this.#o.store, state.workflowId) };
        throw error;
      } finally {
        watched.stop();
      }
      if (result.kind === 'waiting_external') return this.#wait(result.state, control, externalWaitingFor(run));
      return { state: await this.#recordWithNextDecisions(result.state, [result.event], startedHere) };
    }

    const decision = decide(state.definition, state);
    if (decision === null) return this.#wait(state, control, null);
    const backoff = retryWait(state, decision);
    if (backoff !== undefined && decision.not_before! > now) {
      const left = this.waits.remaining(backoff);
      if (left > 0) {
        await sleepOn(this.#o.clock, Math.min(left, 60_000), control.signal);
        return { state };
      }
      // Waited the recorded duration; the clock says otherwise only because it was set back.
      this.waits.forget(backoff.key);
    }
    return { state: await this.#recordWithNextDecisions(state, this.#eventsFor(state, decision, startedHere), startedHere) };
  }

  /**
   * Records events together with what follows them, when that can be decided at once: one
   * durable write per transition, as Temporal records a workflow task's commands with its
   * completion. Deciding goes on through steps that need no I/O (an auto-approved gate) and stops
   * at an agent step (recorded as started, run next), a wait, or the end. A decision that must
   * wait (a retry's backoff) is left to the next loop.
   */
  async #recordWithNextDecisions(state: WorkflowState, events: NewEvent[], startedHere: Set<string>): Promise<WorkflowState> {
    const batch = [...events];
    let folded = foldOnto(state, batch);
    for (let ahead = 0; ahead < MAX_DECISIONS_PER_WRITE; ahead++) {
      const settled = folded.status !== 'running' || folded.paused || folded.gate !== null || folded.escalation !== null;
      if (settled || needsSettling(folded) || currentRun(folded) !== undefined) break;
      const decision = decide(folded.definition, folded);
      if (decision === null || (decision.not_before !== undefined && decision.not_before > this.#o.clock.now())) break;
      const next = this.#eventsFor(folded, decision, startedHere);
      batch.push(...next);
      folded = foldOnto(folded, next);
    }
    return this.#record(state, batch, folded);
  }

  /** The events of a decision; an agent step is recorded as started at once, as this runner goes on to run it. */
  #eventsFor(state: WorkflowState, d: Decision, startedHere: Set<string>): NewEvent[] {
    const at = this.#o.clock.now();
    const events: NewEvent[] = [];
    const nextSeq = () => state.seq + events.length + 1;
    switch (d.action_type) {
      case 'invoke_agent':
      case 'transition_phase':
      case 'retry_with_recovery': {
        if (d.next_phase !== undefined) {
          events.push({ type: 'phase_transitioned', at, from: state.phase, to: d.next_phase, trigger: d.rationale });
        }
        const actionId = `${state.workflowId}.${nextSeq()}`;
        events.push({
          type: 'step_scheduled',
          at,
          actionId,
          stepId: d.step_id!,
          attempt: d.attempt ?? 1,
          timeoutMs: d.timeout_ms!,
          decisionType: d.action_type,
          rationale: d.rationale,
          ...(d.recovery_strategy !== undefined ? { recoveryStrategy: d.recovery_strategy } : {}),
          ...(d.not_before !== undefined ? { notBefore: d.not_before } : {}),
          ...(d.change_requests !== undefined ? { changeRequests: d.change_requests } : {}),
          decisionSource: d.decision_source,
          agent: agentIdFor(this.#o.executor, state, d.step_id!),
        });
        startedHere.add(actionId);
        return events;
      }
      case 'request_human_approval': {
        const gate = state.definition.gates.find((g) => g.id === d.gate_id)!;
        const interactionId = `${state.workflowId}.g${nextSeq()}`;
        const timeoutAt = gate.timeout_s !== undefined ? new Date(Date.parse(at) + gate.timeout_s * 1000).toISOString() : undefined;
        const protectedPaths = protectedChangesAwaitingReview(state);
        events.push({
          type: 'approval_requested',
          at,
          gateId: gate.id,
          interactionId,
          stepId: d.step_id!,
          ...(timeoutAt ? { timeoutAt } : {}),
          ...(protectedPaths.length > 0 ? { protectedPaths } : {}),
        });
        // A protected change, or a policy that names its approvers, waits for people whatever --auto-approve says.
        if (state.autoApprove && protectedPaths.length === 0 && !needsPeople(policyOf(state.definition, gate.id))) {
          events.push({
            type: 'approval_decided',
            at,
            interactionId,
            decision: 'approve',
            comment: 'approved automatically (--auto-approve)',
            changeRequests: [],
            actor: { id: 'auto-approve', via: 'engine' },
            automatic: 'auto_approve',
          });
        }
        return events;
      }
      case 'escalate_to_human':
        events.push({
          type: 'escalation_raised',
          at,
          escalationId: `${state.workflowId}.e${nextSeq()}`,
          reason: d.escalation!.reason,
          stepId: d.step_id!,
          ...(d.escalation!.loop_id !== undefined ? { loopId: d.escalation!.loop_id } : {}),
          message: d.escalation!.message,
        });
        return events;
      case 'complete_workflow':
        events.push({ type: 'workflow_completed', at, rationale: d.rationale });
        return events;
    }
  }

  async #gateTimedOut(state: WorkflowState, configured: 'pause' | 'reject' | 'approve'): Promise<WorkflowState> {
    const at = this.#o.clock.now();
    // A timeout never approves a protected change, nor a gate whose policy names its approvers: it keeps waiting for people.
    const forPeople = (state.gate?.protectedPaths?.length ?? 0) > 0 || needsPeople(policyOf(state.definition, state.gate!.gateId));
    const policy = configured === 'approve' && forPeople ? 'pause' : configured;
    const interactionId = state.gate!.interactionId;
    const events: NewEvent[] = [{ type: 'gate_timed_out', at, interactionId }];
    if (policy !== 'pause') {
      events.push({
        type: 'approval_decided',
        at,
        interactionId,
        decision: policy,
        comment: `gate timed out; policy ${policy}`,
        changeRequests: [],
        actor: { id: 'timeout-policy', via: 'engine' },
        automatic: 'timeout_policy',
      });
    }
    return this.#record(state, events);
  }

  async #record(state: WorkflowState, events: NewEvent[], folded?: WorkflowState): Promise<WorkflowState> {
    const next = await appendEvents(this.#o.store, state, events, folded);
    this.#o.onEvents?.(next, events.map((e, i) => ({ ...e, seq: state.seq + i + 1 }) as WorkflowEvent));
    return next;
  }

  async #wait(
    state: WorkflowState,
    control: RunControl,
    reason: string | null,
  ): Promise<{ state: WorkflowState } | { stop: string | null; state: WorkflowState }> {
    if (reason !== null) await control.onWait?.(state, reason);
    if (!control.waitForHumans || reason === null) return { stop: reason, state };
    const marker = state.seq;
    while (!control.signal?.aborted) {
      await sleep(this.#o.pollMs, undefined, { signal: control.signal }).catch(() => undefined);
      const summary = await this.#o.store.getWorkflow(state.workflowId);
      if (summary !== undefined && summary.lastSeq !== marker) return { state: await loadState(this.#o.store, state.workflowId) };
      const timeout = gateWait(state);
      if (timeout !== undefined && this.waits.remaining(timeout) === 0) return { state };
    }
    return { stop: reason, state };
  }

  async #acquire(workflowId: string, signal: AbortSignal | undefined): Promise<void> {
    const { store, clock, leaseTtlMs } = this.#o;
    for (;;) {
      if (await store.acquireLease(workflowId, this.owner, leaseTtlMs, clock.now())) return;
      const holder = await store.leaseHolder(workflowId);
      if (holder !== undefined && leaseOwnerIsDead(holder.owner)) {
        await store.releaseLease(workflowId, holder.owner);
        continue;
      }
      if (signal?.aborted) throw new Error('aborted');
      await sleep(500, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** Bounds deciding ahead; the seven-step workflow needs at most two (gate, then the next step). */
const MAX_DECISIONS_PER_WRITE = 8;

function interrupted(at: string, actionId: string, attempts: number): NewEvent {
  return {
    type: 'step_failed',
    at,
    actionId,
    failure: { class: 'interrupted', message: `The process running this step stopped ${attempts - 1} times before it finished.` },
  };
}

function outcome(state: WorkflowState, waiting: string | null): RunOutcome {
  return { workflowId: state.workflowId, status: state.status, waitingFor: TERMINAL_STATUSES.has(state.status) ? null : waiting, state };
}
