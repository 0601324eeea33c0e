/**
 * A circuit breaker per provider, shared by every workflow in the process: after repeated
 * provider failures it stops sending for a cool-down, then lets one probe through. A call refused
 * while open fails fast as `provider_down`, so the recovery policy fails over to the next
 * provider instead of queueing behind a dead one.
 */
import type { FailureClass } from '../core/definition-schema.js';
import { agentFailure, failureClassOf } from '../agents/agent.js';
import type { Clock } from './clock.js';

export interface CircuitBreakerOptions {
  /** Consecutive provider failures that open the circuit. */
  threshold?: number;
  /** How long an open circuit refuses calls before a probe. */
  coolDownMs?: number;
}

type Circuit = { failures: number; openedAt?: number; probing: boolean };

const TRIPPING: ReadonlySet<FailureClass> = new Set(['provider_down', 'timeout']);

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

  state(provider: string): 'closed' | 'open' | 'half_open' {
    const c = this.#circuits.get(provider);
    if (c?.openedAt === undefined) return 'closed';
    return this.#clock.nowMs() - c.openedAt >= this.#coolDownMs ? 'half_open' : 'open';
  }

  async run<T>(provider: string, fn: () => Promise<T>): Promise<T> {
    const circuit = this.#circuits.get(provider) ?? { failures: 0, probing: false };
    this.#circuits.set(provider, circuit);
    const state = this.state(provider);
    if (state === 'open' || (state === 'half_open' && circuit.probing)) {
      const wait = Math.ceil((this.#coolDownMs - (this.#clock.nowMs() - (circuit.openedAt ?? 0))) / 1000);
      throw agentFailure('provider_down', `The circuit for ${provider} is open after ${circuit.failures} failures in a row; the next probe is in about ${Math.max(0, wait)} s.`, { provider });
    }
    if (state === 'half_open') circuit.probing = true;
    try {
      const result = await fn();
      circuit.failures = 0;
      delete circuit.openedAt;
      return result;
    } catch (error) {
      if (TRIPPING.has(failureClassOf(error))) {
        circuit.failures += 1;
        if (circuit.failures >= this.#threshold || state === 'half_open') circuit.openedAt = this.#clock.nowMs();
      }
      throw error;
    } finally {
      circuit.probing = false;
    }
  }
}
