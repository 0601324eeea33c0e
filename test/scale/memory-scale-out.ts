/**
 * In-memory doubles of the scale-out contract (work-queue.ts), so the queue worker and the
 * distributed limiter can be tested in one process without PostgreSQL. They keep the rules the
 * PostgreSQL versions keep: one waiting job per workflow, slots that expire.
 */
import type { ProviderSlots, WorkQueue } from '../../src/store/work-queue.js';

export class MemoryWorkQueue implements WorkQueue {
  readonly waiting: string[] = [];
  /** Every workflow id ever enqueued, in order (duplicates of a waiting job are not added). */
  readonly sent: string[] = [];
  #wake: (() => void) | undefined;

  async enqueue(workflowId: string): Promise<void> {
    if (this.waiting.includes(workflowId)) return;
    this.waiting.push(workflowId);
    this.sent.push(workflowId);
    this.#wake?.();
  }

  async queued(): Promise<Set<string>> {
    return new Set(this.waiting);
  }

  async work(handler: (workflowId: string) => Promise<void>, options: { concurrency: number; signal: AbortSignal }): Promise<void> {
    const running = new Set<Promise<void>>();
    while (!options.signal.aborted) {
      while (running.size < options.concurrency && this.waiting.length > 0) {
        const id = this.waiting.shift()!;
        const job: Promise<void> = handler(id)
          .catch(() => undefined)
          .finally(() => {
            running.delete(job);
            this.#wake?.();
          });
        running.add(job);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, 20);
        options.signal.addEventListener('abort', done, { once: true });
        this.#wake = done;
      });
    }
    await Promise.allSettled([...running]);
  }

  async stop(): Promise<void> {}
}

export class MemoryProviderSlots implements ProviderSlots {
  readonly #slots = new Map<string, { holder: string; expiresAt: number }>();

  async tryClaim(provider: string, limit: number, holder: string, ttlMs: number): Promise<number | undefined> {
    for (let slot = 0; slot < limit; slot++) {
      const key = `${provider}#${slot}`;
      const current = this.#slots.get(key);
      if (current === undefined || current.expiresAt <= Date.now()) {
        this.#slots.set(key, { holder, expiresAt: Date.now() + ttlMs });
        return slot;
      }
    }
    return undefined;
  }

  async renew(provider: string, slot: number, holder: string, ttlMs: number): Promise<boolean> {
    const current = this.#slots.get(`${provider}#${slot}`);
    if (current?.holder !== holder) return false;
    current.expiresAt = Date.now() + ttlMs;
    return true;
  }

  async release(provider: string, slot: number, holder: string): Promise<void> {
    if (this.#slots.get(`${provider}#${slot}`)?.holder === holder) this.#slots.delete(`${provider}#${slot}`);
  }

  async inUse(provider: string): Promise<number> {
    return [...this.#slots.entries()].filter(([key, s]) => key.startsWith(`${provider}#`) && s.expiresAt > Date.now()).length;
  }
}
