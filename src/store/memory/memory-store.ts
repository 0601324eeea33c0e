/**
 * The Store contract in memory: a fast double for engine unit tests, held to the same
 * conformance suite as SQLite. Values are copied through JSON on the way in and out, so a test
 * sees exactly what a database would give back, and cannot change stored data by mutation.
 * Events are kept as JSON text with a checksum and read back through the same checks as the
 * SQL stores, so a test can damage a log (`rawEvents`) and see the same STORE_DAMAGED.
 */
import type { NewEvent, WorkflowEvent } from '../../core/events.js';
import { redactRecord } from '../record-redaction.js';
import { decodeTrace, encodeTrace, traceOrder } from '../trace-codec.js';
import { sequenceConflict, storeClosed, storeDamaged, workflowExists, workflowNotFound } from '../store-error.js';
import { FINISHED_STATUSES, bodyChecksum, checkedEvents, leaseExpiry, mayTakeLease } from '../store-rules.js';
import type { LogDamage, StoredEventRow } from '../store-rules.js';
import type {
  MigrationStep,
  Snapshot,
  StepTrace,
  Store,
  StoreCapabilities,
  WorkflowFilter,
  WorkflowSummary,
} from '../store.js';

/** An event as kept: its JSON text (seq left out: it is the row's) and that text's checksum. */
export type MemoryEventRow = StoredEventRow<string>;

interface MemoryWorkflow {
  summary: WorkflowSummary;
  /** Index i holds seq i + 1, unless a test damaged the log. */
  events: MemoryEventRow[];
  damage?: LogDamage;
  snapshot?: Snapshot;
  lease?: { owner: string; expiresAt: string };
  attempts: Map<string, number>;
  /** Encoded as the SQL stores encode them, by action id. */
  traces?: Map<string, Buffer>;
}

function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function stored(event: NewEvent, seq: number): WorkflowEvent {
  const { seq: _ignored, ...rest } = copy(event) as NewEvent & { seq?: number };
  return { ...rest, seq } as WorkflowEvent;
}

function toRow(event: WorkflowEvent): MemoryEventRow {
  const { seq, ...rest } = event as WorkflowEvent & { seq: number };
  const body = JSON.stringify(rest);
  return { seq, body, checksum: bodyChecksum(body) };
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
    this.#workflows.set(summary.id, { summary: { ...copy(redactRecord(summary)), lastSeq: 1 }, events: [toRow(event)], attempts: new Map() });
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
    // The log's last seq, as SQL's MAX(seq): a test may have cut rows out of the middle.
    const found = workflow.events.at(-1)?.seq ?? 0;
    if (found !== expectedSeq) throw sequenceConflict(workflowId, expectedSeq, found);
    // Nothing to fence: a summary change that no event explains is not written.
    if (events.length === 0) return [];
    const written = redactRecord(events).map((event, index) => stored(event, expectedSeq + index + 1));
    workflow.events.push(...written.map(toRow));
    // The store owns id and lastSeq, so the index can never disagree with the log.
    workflow.summary = { ...copy(redactRecord(summary)), id: workflowId, lastSeq: expectedSeq + events.length };
    this.#changes += 1;
    return copy(written);
  }

  async readEvents(workflowId: string, afterSeq = 0): Promise<WorkflowEvent[]> {
    const workflow = this.#get(workflowId);
    const rows = workflow.events.filter((row) => row.seq > afterSeq);
    try {
      return checkedEvents(workflowId, afterSeq, workflow.summary.lastSeq, rows, (body) => body, (row) => ({ ...JSON.parse(row.body), seq: row.seq }) as WorkflowEvent);
    } catch (error) {
      const found = (error as { code?: unknown; details?: LogDamage }).details;
      if ((error as { code?: unknown }).code === 'STORE_DAMAGED' && found !== undefined) workflow.damage = { seq: found.seq, reason: found.reason };
      throw error;
    }
  }

  async markDamaged(workflowId: string, damage: LogDamage | null): Promise<void> {
    const workflow = this.#get(workflowId);
    if (damage === null) delete workflow.damage;
    else workflow.damage = { seq: damage.seq, reason: damage.reason };
  }

  /** The stored rows themselves, for tests that damage a log on purpose (delete a row, garble a body). */
  rawEvents(workflowId: string): MemoryEventRow[] {
    return this.#get(workflowId).events;
  }

  async getWorkflow(workflowId: string): Promise<WorkflowSummary | undefined> {
    this.#open();
    const workflow = this.#workflows.get(workflowId);
    return workflow === undefined ? undefined : shown(workflow);
  }

  async listWorkflows(filter: WorkflowFilter = {}): Promise<WorkflowSummary[]> {
    this.#open();
    const { status, updatedBefore, updatedSince, limit, offset = 0 } = filter;
    const matching = [...this.#workflows.values()]
      .map(shown)
      .filter((summary) => filter.waking !== true || (summary.wakeAt ?? null) !== null)
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
    const snapshot = this.#workflows.get(workflowId)?.snapshot;
    if (snapshot !== undefined && (typeof snapshot.state !== 'object' || snapshot.state === null)) {
      throw storeDamaged(workflowId, snapshot.seq, `its snapshot at event ${snapshot.seq} does not decode`);
    }
    return copy(snapshot);
  }

  async acquireLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    const workflow = this.#get(workflowId);
    if (!mayTakeLease(workflow.lease, owner, now)) return false;
    workflow.lease = { owner, expiresAt: leaseExpiry(now, ttlMs) };
    return true;
  }

  async renewLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> {
    const workflow = this.#get(workflowId);
    if (workflow.lease?.owner !== owner) return false;
    workflow.lease = { owner, expiresAt: leaseExpiry(now, ttlMs) };
    return true;
  }

  async renewLeases(workflowIds: readonly string[], owner: string, ttlMs: number, now: string): Promise<Set<string>> {
    this.#open();
    const renewed = new Set<string>();
    for (const id of workflowIds) {
      const workflow = this.#workflows.get(id);
      if (workflow?.lease?.owner !== owner) continue;
      workflow.lease = { owner, expiresAt: leaseExpiry(now, ttlMs) };
      renewed.add(id);
    }
    return renewed;
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

  async leaseHolders(workflowIds: readonly string[]): Promise<Map<string, { owner: string; expiresAt: string }>> {
    this.#open();
    const holders = new Map<string, { owner: string; expiresAt: string }>();
    for (const id of workflowIds) {
      const lease = this.#workflows.get(id)?.lease;
      if (lease !== undefined) holders.set(id, { ...lease });
    }
    return holders;
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

  async putTrace(trace: StepTrace): Promise<void> {
    this.#open();
    const workflow = this.#workflows.get(trace.workflowId);
    if (workflow === undefined) throw workflowNotFound(trace.workflowId);
    (workflow.traces ??= new Map()).set(trace.actionId, encodeTrace(trace));
  }

  async listTraces(workflowId: string, stepNumber?: number): Promise<StepTrace[]> {
    this.#open();
    const workflow = this.#workflows.get(workflowId);
    if (workflow === undefined) throw workflowNotFound(workflowId);
    return [...(workflow.traces?.values() ?? [])]
      .map(decodeTrace)
      .filter((t) => stepNumber === undefined || t.stepNumber === stepNumber)
      .sort(traceOrder);
  }

  async getSetting(key: string): Promise<string | undefined> {
    this.#open();
    return this.#settings.get(key);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#open();
    this.#settings.set(key, value);
  }

  /** Nothing below the structures to check; the logs are checked by reading them. */
  async checkDatabase(): Promise<string[]> {
    this.#open();
    return [];
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

/** The index row as lists show it: with the damage mark a read left, which appends never touch. */
function shown(workflow: MemoryWorkflow): WorkflowSummary {
  return copy({ ...workflow.summary, ...(workflow.damage !== undefined ? { damage: workflow.damage } : {}) });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A new, empty memory store; async only to match `openSqliteStore`. */
export async function openMemoryStore(): Promise<MemoryStore> {
  return new MemoryStore();
}
