/**
 * A circuit breaker per agent (provider and model for an API agent, CLI preset and its provider
 * for a command agent), shared by every workflow in the process: after repeated provider failures
 * it stops sending for a cool-down, then lets one probe through.
 *
 * A call that meets an open circuit either fails at once, when the caller has somewhere else to go
 * (a fallback agent), or waits for the probe time when it does not, as long as that time falls
 * within the caller's deadline. Failing at once quotes the error that opened the circuit: a human
 * reading the escalation needs the provider's words, not the breaker's.
 */
import type { FailureClass } from '../core/definition-schema.js';
import { isConvergeError } from '../core/errors.js';
import { agentFailure, failureClassOf } from '../agents/agent.js';
import type { AgentCircuit } from '../agents/agent.js';
import { sleepOn } from './clock.js';
import type { Clock } from './clock.js';

export interface CircuitBreakerOptions {
  /** Consecutive provider failures that open a circuit, unless the agent sets its own. */
  threshold?: number;
  /** How long an open circuit refuses calls before a probe, unless the agent sets its own. */
  coolDownMs?: number;
}

export interface CircuitCall {
  /** Wait for the probe time instead of failing at once (the caller has no other agent to try). */
  wait: boolean;
  /** Epoch ms past which waiting is pointless: the step's deadline. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

type Circuit = { failures: number; openedAt?: number; probing: boolean; lastError?: unknown };

const TRIPPING: ReadonlySet<FailureClass> = new Set(['provider_down', 'timeout']);
/** While another caller's probe is out, how often a waiting call looks again. */
const PROBE_POLL_MS = 250;

export class CircuitBreaker {
  readonly #circuits = new Map<string, Circuit>();
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #clock: Clock;

  constructor(clock: Clock, options: CircuitBreakerOptions = {}) {
    this.#clock = clock;
    this.#threshold = options.threshold ?? 3;
    this.#coolDownMs = options.coolDownMs ?? 30_000;
  }

  state(circuit: AgentCircuit): 'closed' | 'open' | 'half_open' {
    const c = this.#circuits.get(circuit.key);
    if (c?.openedAt === undefined) return 'closed';
    return this.#clock.nowMs() - c.openedAt >= this.#coolDownOf(circuit) ? 'half_open' : 'open';
  }

  async run<T>(circuit: AgentCircuit, fn: () => Promise<T>, call: CircuitCall = { wait: false }): Promise<T> {
    const c = this.#circuits.get(circuit.key) ?? { failures: 0, probing: false };
    this.#circuits.set(circuit.key, c);
    let state = this.state(circuit);
    while (state === 'open' || (state === 'half_open' && c.probing)) {
      const probeAt = state === 'open' ? (c.openedAt ?? 0) + this.#coolDownOf(circuit) : this.#clock.nowMs() + PROBE_POLL_MS;
      if (!call.wait || (call.deadlineMs !== undefined && probeAt > call.deadlineMs) || call.signal?.aborted === true) throw this.#refusal(circuit, c, probeAt);
      await sleepOn(this.#clock, Math.max(0, probeAt - this.#clock.nowMs()), call.signal);
      state = this.state(circuit);
    }
    const probe = state === 'half_open';
    if (probe) c.probing = true;
    try {
      const result = await fn();
      c.failures = 0;
      delete c.openedAt;
      delete c.lastError;
      return result;
    } catch (error) {
      if (TRIPPING.has(failureClassOf(error))) {
        c.failures += 1;
        c.lastError = error;
        if (c.failures >= this.#thresholdOf(circuit) || probe) c.openedAt = this.#clock.nowMs();
      }
      throw error;
    } finally {
      if (probe) c.probing = false;
    }
  }

  /** The error that opened the circuit, with when the next probe goes out. */
  #refusal(circuit: AgentCircuit, c: Circuit, probeAt: number): Error {
    const when = new Date(probeAt).toISOString().slice(11, 19);
    const note = `Not tried again: ${c.failures} failures in a row stopped calls to ${circuit.key} until ${when} UTC.`;
    const last = c.lastError;
    if (isConvergeError(last)) {
      const retryAfterMs = Math.max(0, probeAt - this.#clock.nowMs());
      return agentFailure(failureClassOf(last), `${last.message.trimEnd()}\n${note}`, { retryAfterMs, ...(typeof last.details.provider === 'string' ? { provider: last.details.provider } : {}) });
    }
    return agentFailure('provider_down', `${circuit.key} failed ${c.failures} times in a row. ${note}`);
  }

  #thresholdOf(circuit: AgentCircuit): number {
    return circuit.failures ?? this.#threshold;
  }

  #coolDownOf(circuit: AgentCircuit): number {
    return circuit.coolDownMs ?? this.#coolDownMs;
  }
}
