/**
 * The Store contract: an append-only event log per workflow, fenced by sequence numbers,
 * plus snapshots, a workflow index, leases and action attempt counters.
 * `sqlite/`, `postgres/` and `memory/` implement it; the engine only reads `capabilities`.
 */
import type { NewEvent, WorkflowEvent } from '../core/events.js';
import type { LogDamage } from './store-rules.js';

export type { LogDamage } from './store-rules.js';

export interface StoreCapabilities {
  /** Several processes may write at once (SQLite WAL on one machine, PostgreSQL anywhere). */
  multiProcessWriters: boolean;
  /** Work can be dispatched to workers on other machines. */
  distributedQueue: boolean;
}

/** The index row of a workflow, kept in step with its log by `append`. */
export interface WorkflowSummary {
  id: string;
  name: string;
  definitionId: string;
  status: string;
  phase: string;
  currentStep: number | null;
  /** What it waits for when `status` is `waiting_for_human`, e.g. `gate:plan_approval`. */
  waitingFor: string | null;
  requirements: string;
  createdAt: string;
  updatedAt: string;
  lastSeq: number;
  /**
   * When the timed wait the workflow is in ends, as recorded (a gate's timeout); absent when it
   * waits for nothing timed. Workers look at these rows to fire timeouts nobody else would.
   */
  wakeAt?: string | null;
  /** Set by the store once a read found the log damaged (see `readEvents`); never written by `append`. */
  damage?: LogDamage;
}

export interface WorkflowFilter {
  status?: string[];
  limit?: number;
  offset?: number;
  /** Only workflows updated before this ISO time (for retention). */
  updatedBefore?: string;
  /** Only workflows updated at or after this ISO time (for watching recent changes). */
  updatedSince?: string;
  /** Only workflows with a timed wait (`wakeAt` set), whatever their status. */
  waking?: boolean;
}

export interface Snapshot {
  seq: number;
  state: unknown;
}

export interface MigrationStep {
  version: number;
  name: string;
  status: 'applied' | 'already_applied' | 'failed';
  error?: string;
}

/**
 * One agent run of a step as it happened: the prompts as rendered, each answer as written, and
 * what the agent said it was doing. Kept beside the log (`putTrace`), never replayed.
 */
export interface StepTrace {
  workflowId: string;
  actionId: string;
  stepId: string;
  stepNumber: number;
  attempt: number;
  /** The agent's id, e.g. `scripted` or `anthropic:claude-sonnet-4-5`; `external` for a submission. */
  agent: string;
  startedAt: string;
  completedAt: string | null;
  prompts: Array<{ template: string; text: string }>;
  /** Each call's answer exactly as the agent gave it, in call order. */
  outputs: Array<{ template: string; text: string }>;
  /** The agent's own account of its work (a CLI agent's events), when it gives one. */
  activity: Array<{ at: string; kind: string; text: string }>;
  /** Why the run failed, when it did. */
  error: string | null;
}

export interface Store {
  readonly capabilities: StoreCapabilities;
  /** Human-readable location, e.g. the SQLite path (never a password). */
  readonly location: string;

  /** Brings the schema up to date. Throws STORE_TOO_NEW when the store was written by a newer Converge. */
  migrate(): Promise<MigrationStep[]>;

  /** Creates the workflow with its first event (seq 1). Throws SEQUENCE_CONFLICT if the id exists. */
  createWorkflow(summary: WorkflowSummary, first: NewEvent): Promise<WorkflowEvent>;

  /**
   * Appends events after `expectedSeq` (the last seq the writer saw) and replaces the summary,
   * atomically. Throws SEQUENCE_CONFLICT (retryable: re-read and decide again) when another writer
   * appended first. Returns the events with their sequence numbers.
   */
  append(workflowId: string, expectedSeq: number, events: NewEvent[], summary: WorkflowSummary): Promise<WorkflowEvent[]>;

  /**
   * Events with seq > afterSeq, in order. Throws WORKFLOW_NOT_FOUND for an unknown id, and
   * STORE_DAMAGED (store-rules.ts `checkedEvents`) for a gap, a body that fails its checksum or does
   * not decode; the store then marks the workflow damaged, so lists show it and workers skip it.
   */
  readEvents(workflowId: string, afterSeq?: number): Promise<WorkflowEvent[]>;
  /** Records a damaged log found by a check, or with null clears the mark once the log reads whole again. */
  markDamaged(workflowId: string, damage: LogDamage | null): Promise<void>;

  getWorkflow(workflowId: string): Promise<WorkflowSummary | undefined>;
  listWorkflows(filter?: WorkflowFilter): Promise<WorkflowSummary[]>;
  /** The highest seq of any workflow change, cheap to poll for "something changed". */
  changeMarker(): Promise<string>;

  saveSnapshot(workflowId: string, snapshot: Snapshot): Promise<void>;
  loadSnapshot(workflowId: string): Promise<Snapshot | undefined>;

  /** Takes or renews the workflow's lease for `owner`; false when another live owner holds it. */
  acquireLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean>;
  /**
   * Extends a lease `owner` still holds; false, changing nothing, when it holds none (released, or
   * taken over). A heartbeat uses this, so one that races a release can never bring the lease back.
   */
  renewLease(workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean>;
  /**
   * `renewLease` for many leases in one statement (a heartbeat for all of a worker's leases):
   * returns the ids whose lease `owner` still held and is now extended; any other id (released,
   * taken over, or no such workflow) was lost and changes nothing.
   */
  renewLeases(workflowIds: readonly string[], owner: string, ttlMs: number, now: string): Promise<Set<string>>;
  releaseLease(workflowId: string, owner: string): Promise<void>;
  /** The current holder, for diagnostics and dead-owner checks. */
  leaseHolder(workflowId: string): Promise<{ owner: string; expiresAt: string } | undefined>;
  /** `leaseHolder` for many workflows in one statement; an id without a lease has no entry. */
  leaseHolders(workflowIds: readonly string[]): Promise<Map<string, { owner: string; expiresAt: string }>>;

  /** Counts one more execution attempt of an action and returns the new count (1 on first start). */
  recordAttempt(workflowId: string, actionId: string): Promise<number>;

  /** Deletes finished workflows last updated before `before`; returns how many were deleted. */
  prune(before: string): Promise<number>;

  /** Key/value settings of the store itself (schema version, retention…). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  /**
   * Writes the trace of one agent run, replacing an earlier trace of the same action (a run
   * resumed after a crash). Redacted like every record. Throws WORKFLOW_NOT_FOUND for an unknown workflow.
   */
  putTrace(trace: StepTrace): Promise<void>;
  /** The workflow's traces in the order their runs started; only step `stepNumber`'s when given. */
  listTraces(workflowId: string, stepNumber?: number): Promise<StepTrace[]>;

  /** The database's own consistency check (SQLite's integrity_check): what it found, [] when sound. */
  checkDatabase(): Promise<string[]>;
  /**
   * The database's clock, on stores that machines on several hosts share (PostgreSQL): the engine
   * stamps events and judges leases and waits by it, so machines whose clocks disagree still agree.
   */
  databaseTime?(): Promise<string>;

  close(): Promise<void>;
}
