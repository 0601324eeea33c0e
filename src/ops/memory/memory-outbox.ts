/** The notification outbox in memory: for tests and a memory store, gone with the process. */
import { outboxStatus } from '../notify/outbox.js';
import type { Outbox, OutboxClaim, OutboxEntry, OutboxRow, OutboxStatus } from '../notify/outbox.js';

export class MemoryOutbox implements Outbox {
  readonly #rows = new Map<string, OutboxRow>();

  async enqueue(entries: readonly OutboxEntry[]): Promise<number> {
    let added = 0;
    for (const e of entries) {
      if (this.#rows.has(e.id)) continue;
      const { nextAttemptAt, ...entry } = e;
      this.#rows.set(e.id, { ...entry, attempts: 0, nextAttemptAt: nextAttemptAt ?? e.createdAt, deliveredAt: null, failedAt: null, lastError: null, claimedBy: null, claimExpiresAt: null });
      added += 1;
    }
    return added;
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.#rows.has(id)));
  }

  async claimDue(claim: OutboxClaim): Promise<OutboxRow[]> {
    const due = [...this.#rows.values()]
      .filter((r) => outboxStatus(r) === 'pending' && r.nextAttemptAt <= claim.now && (r.claimedBy === null || (r.claimExpiresAt ?? '') <= claim.now) && claim.targets.includes(r.target))
      .sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt))
      .slice(0, claim.limit);
    for (const r of due) Object.assign(r, { claimedBy: claim.owner, claimExpiresAt: claim.until, attempts: r.attempts + 1 });
    return due.map((r) => ({ ...r }));
  }

  async markDelivered(id: string, _owner: string, at: string): Promise<void> {
    const r = this.#rows.get(id);
    if (r && r.deliveredAt === null) Object.assign(r, { deliveredAt: at, lastError: null, claimedBy: null, claimExpiresAt: null });
  }

  async markFailed(id: string, owner: string, at: string, error: string, retryAt: string | null): Promise<void> {
    const r = this.#rows.get(id);
    if (r === undefined || r.deliveredAt !== null || r.claimedBy !== owner) return;
    Object.assign(r, { lastError: error, nextAttemptAt: retryAt ?? r.nextAttemptAt, failedAt: retryAt === null ? at : null, claimedBy: null, claimExpiresAt: null });
  }

  async list(options: { limit?: number; workflowId?: string; status?: OutboxStatus } = {}): Promise<OutboxRow[]> {
    return [...this.#rows.values()]
      .filter((r) => (options.workflowId === undefined || r.workflowId === options.workflowId) && (options.status === undefined || outboxStatus(r) === options.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
      .slice(0, options.limit ?? 50)
      .map((r) => ({ ...r }));
  }
}
