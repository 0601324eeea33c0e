/**
 * Every SQL statement the PostgreSQL store runs, written once per schema, plus the row and JSON
 * mapping. All names are qualified with the quoted schema, so two stores in one database never mix.
 */
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

/** The columns `append` writes ($1…$12); `damage` is left as it is. */
const WORKFLOW_COLUMNS =
  'id, name, definition_id, status, phase, current_step, waiting_for, requirements, created_at, updated_at, last_seq, wake_at';
const READ_COLUMNS = `${WORKFLOW_COLUMNS}, damage`;

/** The database's clock as the ISO text `new Date().toISOString()` gives, so it compares with stored times. */
export const ISO_NOW = `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** `"schema"`: safe to splice into SQL, since the config only lets identifier characters through. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Parameters $1…$12 in WORKFLOW_COLUMNS order; the store owns id and lastSeq. */
export function toWorkflowParams(summary: WorkflowSummary, id: string, lastSeq: number): unknown[] {
  return [
    id,
    summary.name,
    summary.definitionId,
    summary.status,
    summary.phase,
    summary.currentStep,
    summary.waitingFor,
    summary.requirements,
    summary.createdAt,
    summary.updatedAt,
    lastSeq,
    summary.wakeAt ?? null,
  ];
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
 * JSONB cannot hold the NUL character or a lone UTF-16 surrogate, which agent output may contain.
 * Such a value is stored wrapped, as its JSON text in base64, so it still round-trips exactly;
 * everything else is stored as plain JSONB. A false alarm (a literal backslash-u in a string)
 * only means the value is wrapped needlessly.
 */
const WRAPPED = 'converge:json-base64';
const JSONB_UNSAFE = /\\u0000|\\ud[89a-f]/i;

export function toJsonb(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return JSONB_UNSAFE.test(text) ? JSON.stringify({ [WRAPPED]: Buffer.from(text, 'utf8').toString('base64') }) : text;
}

/** pg has already parsed the JSONB; this only unwraps what `toJsonb` wrapped. */
export function fromJsonb(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const wrapped = (value as Record<string, unknown>)[WRAPPED];
    if (typeof wrapped === 'string' && Object.keys(value).length === 1) {
      return JSON.parse(Buffer.from(wrapped, 'base64').toString('utf8')) as unknown;
    }
  }
  return value;
}

export function buildStatements(schemaName: string) {
  const s = quoteIdentifier(schemaName);
  return {
    /** Runs after `lockWorkflow`, as its own statement so it sees rows committed while it waited. */
    lastSeq: `SELECT MAX(seq) AS seq FROM ${s}.events WHERE workflow_id = $1`,
    /**
     * The per-workflow write fence. NO KEY UPDATE conflicts with itself (so writers to one workflow
     * queue here) but not with the KEY SHARE locks that foreign keys take, so snapshots, leases and
     * attempt counters are not held up by an append.
     */
    lockWorkflow: `SELECT last_seq FROM ${s}.workflows WHERE id = $1 FOR NO KEY UPDATE`,
    workflowExists: `SELECT 1 AS found FROM ${s}.workflows WHERE id = $1`,
    /** No row back means the id is taken; a concurrent creator waits for the first one's commit. */
    insertWorkflow: `INSERT INTO ${s}.workflows (${WORKFLOW_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      ON CONFLICT (id) DO NOTHING RETURNING id`,
    /** One round trip for the whole batch: seq = $2 + position, from 1. */
    insertEvents: `INSERT INTO ${s}.events (workflow_id, seq, type, at, body, checksum)
      SELECT $1, $2::integer + e.ord, e.type, e.at, e.body, e.checksum
      FROM unnest($3::text[], $4::text[], $5::json[], $6::integer[]) WITH ORDINALITY AS e (type, at, body, checksum, ord)`,
    /**
     * A whole append in one statement, so one round trip and its own commit: the index row is
     * updated only while its last seq, and the log's, are still `$13`; the events ($14…$17,
     * seq = $13 + position) and the change marker are written only with it. A writer that got the
     * row first makes this one wait, and PostgreSQL then checks the row as that writer left it,
     * so the later append updates nothing. `appended` 0: nothing written (unknown id or stale seq).
     */
    appendEvents: `WITH fenced AS (
        UPDATE ${s}.workflows SET name = $2, definition_id = $3, status = $4, phase = $5, current_step = $6,
          waiting_for = $7, requirements = $8, created_at = $9, updated_at = $10, last_seq = $11, wake_at = $12
        WHERE id = $1 AND last_seq = $13::integer
          AND COALESCE((SELECT MAX(seq) FROM ${s}.events WHERE workflow_id = $1), 0) = $13::integer
        RETURNING id
      ), inserted AS (
        INSERT INTO ${s}.events (workflow_id, seq, type, at, body, checksum)
        SELECT fenced.id, $13::integer + e.ord, e.type, e.at, e.body, e.checksum
        FROM fenced, unnest($14::text[], $15::text[], $16::json[], $17::integer[]) WITH ORDINALITY AS e (type, at, body, checksum, ord)
      ), bumped AS (
        UPDATE ${s}.settings SET value = (value::bigint + 1)::text WHERE key = 'change_marker' AND EXISTS (SELECT 1 FROM fenced)
      )
      SELECT COUNT(*)::integer AS appended FROM fenced`,
    /** Why an append wrote nothing: no row (unknown id), or the seqs it found. */
    appendRefused: `SELECT last_seq AS "lastSeq", (SELECT MAX(seq) FROM ${s}.events WHERE workflow_id = $1) AS "maxSeq"
      FROM ${s}.workflows WHERE id = $1`,
    /**
     * One statement, so the index row's last seq and the rows come from one snapshot. The body as
     * text, exactly as stored, so its checksum can be verified before it is parsed.
     */
    readEvents: `SELECT w.last_seq AS "lastSeq", e.seq, e.body::text AS body, e.checksum
      FROM ${s}.workflows w LEFT JOIN ${s}.events e ON e.workflow_id = w.id AND e.seq > $2
      WHERE w.id = $1 ORDER BY e.seq`,
    markDamaged: `UPDATE ${s}.workflows SET damage = $2 WHERE id = $1`,
    putDefinition: `INSERT INTO ${s}.definitions (hash, body) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`,
    getDefinitions: `SELECT hash, body FROM ${s}.definitions WHERE hash = ANY ($1::text[])`,
    setDefinitionHash: `UPDATE ${s}.workflows SET definition_hash = $2 WHERE id = $1`,
    pruneDefinitions: `DELETE FROM ${s}.definitions WHERE hash NOT IN (
      SELECT definition_hash FROM ${s}.workflows WHERE definition_hash IS NOT NULL)`,
    getWorkflow: `SELECT ${READ_COLUMNS} FROM ${s}.workflows WHERE id = $1`,
    // LIMIT NULL means no limit; ties on updated_at are broken by id for stable paging.
    listWorkflows: `SELECT ${READ_COLUMNS} FROM ${s}.workflows
      WHERE ($1::text[] IS NULL OR status = ANY ($1::text[]))
        AND ($2::text IS NULL OR updated_at < $2::text)
        AND ($5::text IS NULL OR updated_at >= $5::text)
        AND (NOT $6::boolean OR wake_at IS NOT NULL)
      ORDER BY updated_at DESC, id
      LIMIT $3 OFFSET $4`,
    /** Last in every write transaction: the hot row is locked only until the commit right after. */
    bumpChangeMarker: `UPDATE ${s}.settings SET value = (value::bigint + 1)::text WHERE key = 'change_marker'`,
    getSetting: `SELECT value FROM ${s}.settings WHERE key = $1`,
    setSetting: `INSERT INTO ${s}.settings (key, value) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    // An older snapshot saved late must not replace a newer one.
    saveSnapshot: `INSERT INTO ${s}.snapshots (workflow_id, seq, state) VALUES ($1, $2, $3::json)
      ON CONFLICT (workflow_id) DO UPDATE SET seq = excluded.seq, state = excluded.state
      WHERE excluded.seq >= ${s}.snapshots.seq`,
    loadSnapshot: `SELECT seq, state FROM ${s}.snapshots WHERE workflow_id = $1`,
    getLease: `SELECT owner, expires_at AS "expiresAt" FROM ${s}.leases WHERE workflow_id = $1`,
    putLease: `INSERT INTO ${s}.leases (workflow_id, owner, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT (workflow_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
    releaseLease: `DELETE FROM ${s}.leases WHERE workflow_id = $1 AND owner = $2`,
    // Only a lease the owner still holds: a heartbeat after a release finds no row and adds none.
    renewLease: `UPDATE ${s}.leases SET expires_at = $3 WHERE workflow_id = $1 AND owner = $2`,
    renewLeases: `UPDATE ${s}.leases SET expires_at = $3 WHERE workflow_id = ANY ($1::text[]) AND owner = $2 RETURNING workflow_id AS "workflowId"`,
    getLeases: `SELECT workflow_id AS "workflowId", owner, expires_at AS "expiresAt" FROM ${s}.leases WHERE workflow_id = ANY ($1::text[])`,
    databaseTime: `SELECT ${ISO_NOW} AS now`,
    recordAttempt: `INSERT INTO ${s}.action_attempts (workflow_id, action_id, attempts) VALUES ($1, $2, 1)
      ON CONFLICT (workflow_id, action_id) DO UPDATE SET attempts = ${s}.action_attempts.attempts + 1
      RETURNING attempts`,
    // Foreign keys cascade the delete to events, snapshots, leases and attempts.
    prune: `DELETE FROM ${s}.workflows WHERE status = ANY ($1::text[]) AND updated_at < $2`,
  } as const;
}

export type PostgresStatements = ReturnType<typeof buildStatements>;
