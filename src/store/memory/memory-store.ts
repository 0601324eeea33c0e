/**
 * The Store contract in memory: a fast double for engine unit tests, held to the same
 * conformance suite as SQLite. Values are copied through JSON on the way in and out, so a test
 * sees exactly what a database would give back, and cannot change stored data by mutation.
 */
import type { NewEvent, WorkflowEvent } from '../../core/events.js';
import { redactRecord } from '../record-redaction.js';
import { sequenceConflict, storeClosed, workflowExists, workflowNotFound } from '../store-error.js';
import { FINISHED_STATUSES, leaseExpiry, mayTakeLease } from '../store-rules.js';
import type {
  MigrationStep,
  Snapshot,
  Store,
  StoreCapabilities,
  WorkflowFilter,
  WorkflowSummary,
} from '../store.js';

interface MemoryWorkflow {
  summary: WorkflowSummary;
  /** Index i holds seq i + 1. */
  events: WorkflowEvent[];
  snapshot?: Snapshot;
  lease?: { owner: string; expiresAt: string };
  attempts: Map<string, number>;
}

function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function stored(event: NewEvent, seq: number): WorkflowEvent {
  const { seq: _ignored, ...rest } = copy(event) as NewEvent & { seq?: number };
  return { ...rest, seq } as WorkflowEvent;
}

export const MEMORY_STORE_LOCATION = 'memory:';

export class MemoryStore implements Store {
  readonly capabilities: StoreCapabilities = Object.freeze({ multiProcessWriters: false, distributedQueue: false });
  readonly location = MEMORY_STORE_LOCATION;

  readonly #workflows = new Map<string, MemoryWorkflow>();
  readonly #settings = new Map<string, string>();
  #changes = 0;
  #closed = false;

  /** Nothing to migrate: the structures are the schema. */
  async migrate(): Promise<MigrationStep[]> {
    this.#open();
    return [];
  }

  async createWorkflow(summary: WorkflowSummary, first: NewEvent): Promise<WorkflowEvent> {
    this.#open();
    if (this.#workflows.has(summary.id)) throw workflowExists(summary.id);
    const event = stored(redactRecord(first), 1);
    this.#workflows.set(summary.id, { summary: { ...copy(redactRecord(summary)), lastSeq: 1 }, events: [event], attempts: new Map() });
    this.#changes += 1;
    return copy(event);
  }

  async append(
    workflowId: string,
    expectedSeq: number,
    events: NewEvent[],
    summary: WorkflowSummary,
  ): Promise<WorkflowEvent[]> {
    const workflow = this.#get(workflowId);
    const found = workflow.events.length;
    if (found !== expectedSeq) throw sequenceConflict(workflowId, expectedSeq, found);
    // Nothing to fence: a summary change that no event explains is not written.
    if (events.length === 0) return [];
    const written = redactRecord(events).map((event, index) => stored(event, expectedSeq + index + 1));
    workflow.events.push(...written);
    // The store owns id and lastSeq, so the index can never disagree with the log.
    workflow.summary = { ...copy(redactRecord(summary)), id: workflowId, lastSeq: workflow.events.length };
    this.#changes += 1;
    return copy(written);
  }

  async readEvents(workflowId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    return copy(this.#get(workflowId).events.slice(Math.max(0, afterSeq)));
  }

  async getWorkflow(workflowId: string): Promise<WorkflowSummary | undefined> {
    this.#open();
    return copy(this.#workflows.get(workflowId)?.summary);
  }

  async listWorkflows(filter: WorkflowFilter = {}): Promise<WorkflowSummary[]> {
    this.#open();
    const { status, updatedBefore, updatedSince, limit, offset = 0 } = filter;
    const matching = [...this.#workflows.values()]
      .map((workflow) => workflow.summary)
      .filter((summary) => status === undefined || status.includes(summary.status))
      .filter((summary) => updatedBefore === undefined || summary.updatedAt < updatedBefore)
      .filter((summary) => updatedSince === undefined || summary.updatedAt >= updatedSince)
      // Same order as SQL's `ORDER BY updated_at DESC, id`: plain string comparison, not locale.
      .sort((a, b) => compare(b.updatedAt, a.updatedAt) || compare(a.id, b.id));
    return copy(matching.slice(offset, limit === undefined ? undefined : offset + limit));
  }

  async changeMarker(): Promise<string> {
    this.#open();
    return String(this.#changes);
  }

  async saveSnapshot(workflowId: string, snapshot: Snapshot): Promise<void> {
    const workflow = this.#get(workflowId);
    // An older snapshot saved late must not replace a newer one.
    if (workflow.snapshot === undefined || snapshot.seq >= workflow.snapshot.seq) workflow.snapshot = copy(redactRecord(snapshot));
  }

  async loadSnapshot(workflowId: string): Promise<Snapshot | undefined> {
    this.#open();
    return copy(this.#workflows.get(workflowId)?.snapshot);
  }

  async acquireLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    const workflow = this.#get(workflowId);
    if (!mayTakeLease(workflow.lease, owner, now)) return false;
    workflow.lease = { owner, expiresAt: leaseExpiry(now, ttlMs) };
    return true;
  }

  async releaseLease(workflowId: string, owner: string): Promise<void> {
    this.#open();
    const workflow = this.#workflows.get(workflowId);
    if (workflow?.lease?.owner === owner) delete workflow.lease;
  }

  async leaseHolder(workflowId: string): Promise<{ owner: string; expiresAt: string } | undefined> {
    this.#open();
    return copy(this.#workflows.get(workflowId)?.lease);
  }

  async recordAttempt(workflowId: string, actionId: string): Promise<number> {
    const { attempts } = this.#get(workflowId);
    const count = (attempts.get(actionId) ?? 0) + 1;
    attempts.set(actionId, count);
    return count;
  }

  async prune(before: string): Promise<number> {
    this.#open();
    let deleted = 0;
    for (const [id, { summary }] of this.#workflows) {
      if (FINISHED_STATUSES.includes(summary.status) && summary.updatedAt < before) {
        this.#workflows.delete(id);
        deleted += 1;
      }
    }
    if (deleted > 0) this.#changes += 1;
    return deleted;
  }

  async getSetting(key: string): Promise<string | undefined> {
    this.#open();
    return this.#settings.get(key);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#open();
    this.#settings.set(key, value);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw storeClosed(this.location);
  }

  #get(workflowId: string): MemoryWorkflow {
    this.#open();
    const workflow = this.#workflows.get(workflowId);
    if (workflow === undefined) throw workflowNotFound(workflowId);
    return workflow;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A new, empty memory store; async only to match `openSqliteStore`. */
export async function openMemoryStore(): Promise<MemoryStore> {
  return new MemoryStore();
}
