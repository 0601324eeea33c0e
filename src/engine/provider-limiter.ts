/**
 * Per-provider concurrency limits shared by every workflow in the process. A call waits for a
 * slot; rate-limit waits happen before a call is queued, so a waiting retry holds no slot.
 */
import PQueue from 'p-queue';

export class ProviderLimiter {
  readonly #queues = new Map<string, PQueue>();
  readonly #limits: Map<string, number>;
  readonly #defaultLimit: number;
  #peak = new Map<string, number>();

  constructor(limits: Record<string, number> = {}, defaultLimit = 8) {
    this.#limits = new Map(Object.entries(limits));
    this.#defaultLimit = defaultLimit;
  }

  setLimit(provider: string, limit: number): void {
    this.#limits.set(provider, limit);
    const queue = this.#queues.get(provider);
    if (queue !== undefined) queue.concurrency = limit;
  }

  async run<T>(provider: string, fn: () => Promise<T>): Promise<T> {
    const queue = this.#queue(provider);
    return queue.add(async () => {
      this.#peak.set(provider, Math.max(this.#peak.get(provider) ?? 0, queue.pending));
      return fn();
    }) as Promise<T>;
  }

  /** Calls waiting for a free slot of this provider right now. */
  waiting(provider: string): number {
    return this.#queues.get(provider)?.size ?? 0;
  }

  /** Highest number of calls seen in flight at once, per provider. */
  peak(provider: string): number {
    return this.#peak.get(provider) ?? 0;
  }

  #queue(provider: string): PQueue {
    let queue = this.#queues.get(provider);
    if (queue === undefined) {
      queue = new PQueue({ concurrency: this.#limits.get(provider) ?? this.#defaultLimit });
      this.#queues.set(provider, queue);
    }
    return queue;
  }
}
