/**
 * Every SQL statement the SQLite store runs, prepared once per connection, when first used.
 * Variable filters use `json_each` so that one prepared statement serves every filter.
 */
import type Database from 'better-sqlite3';
import type { StoredBody } from '../event-codec.js';
import type { WorkflowSummary } from '../store.js';

export interface WorkflowRow {
  id: string;
  name: string;
  definition_id: string;
  status: string;
  phase: string;
  current_step: number | null;
  waiting_for: string | null;
  requirements: string;
  created_at: string;
  updated_at: string;
  last_seq: number;
  wake_at: string | null;
  /** JSON of a LogDamage; only reads and `markDamaged` set it, so appends never overwrite it. */
  damage: string | null;
}

export type WorkflowParams = Omit<WorkflowRow, 'damage'>;

/** An event row read with its workflow's last seq (NULL seq: the workflow has no row after `afterSeq`). */
export interface EventReadRow {
  lastSeq: number;
  seq: number | null;
  type: string | null;
  at: string | null;
  body: StoredBody | null;
  checksum: number | null;
}

export interface ListParams {
  statuses: string | null;
  updatedBefore: string | null;
  updatedSince: string | null;
  waking: 0 | 1;
  limit: number;
  offset: number;
}

/** The part of a better-sqlite3 statement the store uses, declared here as Kysely does. */
export interface SqliteStatement<P extends unknown[], R> {
  run(...params: P): { changes: number };
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

/** The columns `append` writes; `damage` is left as it is. */
const WORKFLOW_COLUMNS =
  'id, name, definition_id, status, phase, current_step, waiting_for, requirements, created_at, updated_at, last_seq, wake_at';
const READ_COLUMNS = `${WORKFLOW_COLUMNS}, damage`;

export function toWorkflowParams(summary: WorkflowSummary, id: string, lastSeq: number): WorkflowParams {
  return {
    id,
    name: summary.name,
    definition_id: summary.definitionId,
    status: summary.status,
    phase: summary.phase,
    current_step: summary.currentStep,
    waiting_for: summary.waitingFor,
    requirements: summary.requirements,
    created_at: summary.createdAt,
    updated_at: summary.updatedAt,
    last_seq: lastSeq,
    wake_at: summary.wakeAt ?? null,
  };
}

export function fromWorkflowRow(row: WorkflowRow): WorkflowSummary {
  return {
    id: row.id,
    name: row.name,
    definitionId: row.definition_id,
    status: row.status,
    phase: row.phase,
    currentStep: row.current_step,
    waitingFor: row.waiting_for,
    requirements: row.requirements,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeq: row.last_seq,
    ...(row.wake_at !== null ? { wakeAt: row.wake_at } : {}),
    ...(row.damage !== null ? { damage: JSON.parse(row.damage) as NonNullable<WorkflowSummary['damage']> } : {}),
  };
}

/**
 * Each statement is prepared on its first use: a CLI command runs two or three of the thirty, and
 * preparing them all cost `converge status` a few ms of its start (issue 19). The SQL is checked
 * by the tests that run each statement, not at open.
 */
export function prepareStatements(db: Database.Database) {
  const prepare = <P extends unknown[] = [], R = unknown>(sql: string): SqliteStatement<P, R> => {
    let statement: SqliteStatement<P, R> | undefined;
    const get = () => (statement ??= db.prepare<P, R>(sql));
    return {
      run: (...params) => get().run(...params),
      get: (...params) => get().get(...params),
      all: (...params) => get().all(...params),
    };
  };
  return {
    /** NULL when the workflow does not exist: creation always writes seq 1. */
    lastSeq: prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM events WHERE workflow_id = ?'),
    workflowExists: prepare<[string], { found: 1 }>('SELECT 1 AS found FROM workflows WHERE id = ?'),
    insertWorkflow: prepare<[WorkflowParams]>(
      `INSERT INTO workflows (${WORKFLOW_COLUMNS}) VALUES (@id, @name, @definition_id, @status, @phase,
        @current_step, @waiting_for, @requirements, @created_at, @updated_at, @last_seq, @wake_at)`,
    ),
    updateWorkflow: prepare<[WorkflowParams]>(
      `UPDATE workflows SET name = @name, definition_id = @definition_id, status = @status, phase = @phase,
        current_step = @current_step, waiting_for = @waiting_for, requirements = @requirements,
        created_at = @created_at, updated_at = @updated_at, last_seq = @last_seq, wake_at = @wake_at
       WHERE id = @id`,
    ),
    insertEvent: prepare<[string, number, string, string, StoredBody, number]>(
      'INSERT INTO events (workflow_id, seq, type, at, body, checksum) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    // One statement, so the index row's last seq and the rows come from one snapshot of the file.
    readEvents: prepare<[number, string], EventReadRow>(
      `SELECT w.last_seq AS lastSeq, e.seq, e.type, e.at, e.body, e.checksum
       FROM workflows w LEFT JOIN events e ON e.workflow_id = w.id AND e.seq > ?
       WHERE w.id = ? ORDER BY e.seq`,
    ),
    markDamaged: prepare<[string | null, string]>('UPDATE workflows SET damage = ? WHERE id = ?'),
    putDefinition: prepare<[string, string]>('INSERT INTO definitions (hash, body) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING'),
    getDefinition: prepare<[string], { body: string }>('SELECT body FROM definitions WHERE hash = ?'),
    // Definitions that no remaining log's first event and no snapshot names. A log or snapshot
    // from before definitions were shared names none (NULL), which NOT IN must not see. A snapshot
    // is deflated, so the reference it holds is kept beside it in definition_hash.
    pruneDefinitions: prepare<[]>(
      `DELETE FROM definitions WHERE hash NOT IN (
         SELECT json_extract(body, '$.definition."$definition"') AS hash FROM events
         WHERE type = 'workflow_started' AND hash IS NOT NULL
         UNION
         SELECT definition_hash FROM snapshots WHERE definition_hash IS NOT NULL
       )`,
    ),
    getWorkflow: prepare<[string], WorkflowRow>(`SELECT ${READ_COLUMNS} FROM workflows WHERE id = ?`),
    // LIMIT -1 means no limit in SQLite; ties on updated_at are broken by id for stable paging.
    listWorkflows: prepare<[ListParams], WorkflowRow>(
      `SELECT ${READ_COLUMNS} FROM workflows
       WHERE (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
         AND (@updatedBefore IS NULL OR updated_at < @updatedBefore)
         AND (@updatedSince IS NULL OR updated_at >= @updatedSince)
         AND (@waking = 0 OR wake_at IS NOT NULL)
       ORDER BY updated_at DESC, id
       LIMIT @limit OFFSET @offset`,
    ),
    bumpChangeMarker: prepare<[]>(
      "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'change_marker'",
    ),
    getSetting: prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    setSetting: prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    // An older snapshot saved late must not replace a newer one.
    saveSnapshot: prepare<[string, number, StoredBody, string | null]>(
      `INSERT INTO snapshots (workflow_id, seq, state, definition_hash) VALUES (?, ?, ?, ?)
       ON CONFLICT (workflow_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, definition_hash = excluded.definition_hash
       WHERE excluded.seq >= snapshots.seq`,
    ),
    loadSnapshot: prepare<[string], { seq: number; state: StoredBody }>(
      'SELECT seq, state FROM snapshots WHERE workflow_id = ?',
    ),
    getLease: prepare<[string], { owner: string; expiresAt: string }>(
      'SELECT owner, expires_at AS expiresAt FROM leases WHERE workflow_id = ?',
    ),
    putLease: prepare<[string, string, string]>(
      `INSERT INTO leases (workflow_id, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (workflow_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
    ),
    releaseLease: prepare<[string, string]>('DELETE FROM leases WHERE workflow_id = ? AND owner = ?'),
    // Only a lease the owner still holds: a heartbeat after a release finds no row and adds none.
    renewLease: prepare<[string, string, string]>('UPDATE leases SET expires_at = ? WHERE workflow_id = ? AND owner = ?'),
    renewLeases: prepare<[string, string, string], { workflowId: string }>(
      'UPDATE leases SET expires_at = ? WHERE owner = ? AND workflow_id IN (SELECT value FROM json_each(?)) RETURNING workflow_id AS workflowId',
    ),
    getLeases: prepare<[string], { workflowId: string; owner: string; expiresAt: string }>(
      'SELECT workflow_id AS workflowId, owner, expires_at AS expiresAt FROM leases WHERE workflow_id IN (SELECT value FROM json_each(?))',
    ),
    recordAttempt: prepare<[string, string], { attempts: number }>(
      `INSERT INTO action_attempts (workflow_id, action_id, attempts) VALUES (?, ?, 1)
       ON CONFLICT (workflow_id, action_id) DO UPDATE SET attempts = attempts + 1
       RETURNING attempts`,
    ),
    // Foreign keys cascade the delete to events, snapshots, leases and attempts.
    prune: prepare<[string, string]>(
      'DELETE FROM workflows WHERE status IN (SELECT value FROM json_each(?)) AND updated_at < ?',
    ),
  };
}

export type SqliteStatements = ReturnType<typeof prepareStatements>;
