/**
 * Per-provider concurrency limits that hold across every worker on every machine. A call to a
 * provider with `max_concurrency` first takes one of its numbered slots in the store
 * (ProviderSlots), keeps it alive while the call runs, and frees it in `finally`; the slot of a
 * worker that died expires by itself. Providers without a limit keep the process-local default.
 *
 * It extends ProviderLimiter because the engine's wiring expects that class; the inherited local
 * queue is useful too: a process never asks the store for more slots of a provider than the
 * limit, so waiting calls queue in memory instead of polling the database.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConvergeError, isConvergeError } from '../core/errors.js';
import type { ProviderSlots } from '../store/work-queue.js';
import { ProviderLimiter } from './provider-limiter.js';

export interface DistributedLimiterOptions {
  /** Names this process in the slots table (the runner's owner), for diagnostics. */
  owner: string;
  /** How long a slot outlives a holder that stopped renewing it (a dead worker). */
  slotTtlMs?: number;
  /** The signal of the run making the call, so that a stopped run stops waiting for a slot. */
  signalOf?: () => AbortSignal | undefined;
  /** A store error while claiming or renewing. Claims keep retrying; the caller only logs. */
  onError?: (error: unknown) => void;
}

export const DEFAULT_SLOT_TTL_MS = 30_000;
/** Polling for a free slot starts fast (a slot usually frees soon) and backs off to this. */
const MAX_POLL_MS = 250;
/** While the store is unreachable, a claim retries this often. */
const STORE_RETRY_MS = 1000;

/** A store that is unreachable or busy may answer later; anything else is a real failure. */
function isTransient(error: unknown): boolean {
  return isConvergeError(error) && (error.code === 'STORE_UNAVAILABLE' || error.code === 'STORE_BUSY');
}

export class DistributedLimiter extends ProviderLimiter {
  readonly #slots: ProviderSlots;
  readonly #limits: Map<string, number>;
  readonly #options: Required<Pick<DistributedLimiterOptions, 'owner' | 'slotTtlMs'>> & DistributedLimiterOptions;
  readonly #inFlight = new Map<string, number>();
  readonly #peak = new Map<string, number>();

  constructor(slots: ProviderSlots, limits: Record<string, number>, options: DistributedLimiterOptions) {
    super(limits);
    this.#slots = slots;
    this.#limits = new Map(Object.entries(limits));
    this.#options = { slotTtlMs: DEFAULT_SLOT_TTL_MS, ...options };
  }

  override setLimit(provider: string, limit: number): void {
    this.#limits.set(provider, limit);
    super.setLimit(provider, limit);
  }

  override async run<T>(provider: string, fn: () => Promise<T>): Promise<T> {
    const limit = this.#limits.get(provider);
    if (limit === undefined) return super.run(provider, fn);
    const signal = this.#options.signalOf?.();
    return super.run(provider, async () => {
      const holder = await this.#claim(provider, limit, signal);
      const renewal = setInterval(() => void this.#renew(provider, holder), Math.max(1000, this.#options.slotTtlMs / 3));
      renewal.unref();
      this.#enter(provider);
      try {
        return await fn();
      } finally {
        this.#leave(provider);
        clearInterval(renewal);
        // If this fails (the store is down), the slot frees itself when it expires.
        await this.#slots.release(provider, holder.slot, holder.id).catch((error: unknown) => this.#options.onError?.(error));
      }
    });
  }

  /** Highest number of this process's calls that held a slot at once (other workers not counted). */
  override peak(provider: string): number {
    return this.#limits.has(provider) ? (this.#peak.get(provider) ?? 0) : super.peak(provider);
  }

  /** Calls holding a slot right now across all workers. */
  async clusterInFlight(provider: string): Promise<number> {
    return this.#slots.inUse(provider);
  }

  async #claim(provider: string, limit: number, signal: AbortSignal | undefined): Promise<{ slot: number; id: string }> {
    const id = `${this.#options.owner}:${randomUUID().slice(0, 8)}`;
    let delay = 20;
    for (;;) {
      signal?.throwIfAborted();
      let wait = delay;
      try {
        const slot = await this.#slots.tryClaim(provider, limit, id, this.#options.slotTtlMs);
        if (slot !== undefined) return { slot, id };
        delay = Math.min(delay * 2, MAX_POLL_MS);
      } catch (error) {
        if (!isTransient(error)) throw error;
        // Never surfaced to the step: a step failed for want of a database would escalate to a human.
        this.#options.onError?.(error);
        wait = STORE_RETRY_MS;
      }
      await sleep(wait * (0.5 + Math.random()), undefined, signal === undefined ? undefined : { signal }).catch(() => undefined);
    }
  }

  async #renew(provider: string, holder: { slot: number; id: string }): Promise<void> {
    try {
      if (await this.#slots.renew(provider, holder.slot, holder.id, this.#options.slotTtlMs)) return;
      this.#options.onError?.(
        new ConvergeError('LEASE_LOST', `Slot ${holder.slot} of provider ${provider} expired while a call held it; the limit may be exceeded by one until the call ends.`, {
          hint: 'The store was unreachable for longer than the slot lifetime; nothing else is affected.',
          details: { provider, slot: holder.slot },
        }),
      );
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  #enter(provider: string): void {
    const now = (this.#inFlight.get(provider) ?? 0) + 1;
    this.#inFlight.set(provider, now);
    this.#peak.set(provider, Math.max(this.#peak.get(provider) ?? 0, now));
  }

  #leave(provider: string): void {
    this.#inFlight.set(provider, (this.#inFlight.get(provider) ?? 1) - 1);
  }
}
