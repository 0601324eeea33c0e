/**
 * The store's read-check-write operations, each one transaction on one pooled connection.
 * The check happens after the workflow row is locked, so no other writer can append between
 * the check and the write; the database's primary key on (workflow_id, seq) backs that up.
 * An append is one statement (its own transaction) that locks, checks and writes at once.
 */
import type { Pool, PoolClient } from 'pg';
import type { NewEvent, WorkflowEvent } from '../../core/events.js';
import { sequenceConflict, workflowExists, workflowNotFound } from '../store-error.js';
import { FINISHED_STATUSES, bodyChecksum, leaseExpiry, mayTakeLease } from '../store-rules.js';
import type { EventCodec } from '../event-codec.js';
import type { WorkflowSummary } from '../store.js';
import { isConnectionError } from './postgres-errors.js';
import { toJsonb, toWorkflowParams, type PostgresStatements } from './postgres-statements.js';

/** Connections whose ROLLBACK failed: their state is unknown, so they are destroyed, not reused. */
const broken = new WeakSet<PoolClient>();

/** Runs `body` between BEGIN and COMMIT on `client`, rolling back when it throws. */
export async function inTransaction<T>(client: PoolClient, body: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await body();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken.add(client);
    }
    throw error;
  }
}

/** Borrows a connection for `body` and gives it back, destroying it if the connection failed. */
export async function withClient<T>(pool: Pool, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A borrowed client has no 'error' listener of the pool's, and a connection lost between two
  // statements would otherwise be an unheard 'error' that ends the process. The next statement
  // then fails on its own, and the client is destroyed below.
  let lost: Error | undefined;
  const onError = (error: Error): void => {
    lost = error;
  };
  client.on('error', onError);
  let failure: unknown;
  try {
    return await body(client);
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    client.removeListener('error', onError);
    const destroy = lost !== undefined || (failure !== undefined && (broken.has(client) || isConnectionError(failure)));
    client.release(destroy);
  }
}

/** The event as stored: everything but `seq`, which lives in its own column and is authoritative. */
function eventBody(event: NewEvent): string {
  const { seq: _ignored, ...rest } = event as NewEvent & { seq?: number };
  return toJsonb(rest);
}

function withSeq(event: NewEvent, seq: number): WorkflowEvent {
  return { ...event, seq } as WorkflowEvent;
}

export function buildTransactions(pool: Pool, s: PostgresStatements, codec: EventCodec) {
  const transaction = <T>(body: (client: PoolClient) => Promise<T>): Promise<T> =>
    withClient(pool, (client) => inTransaction(client, () => body(client)));

  /** An append of no events: only the fence is checked, as a full append would check it. */
  const checkOnly = (workflowId: string, expectedSeq: number): Promise<WorkflowEvent[]> =>
    transaction(async (client) => {
      const locked = await client.query(s.lockWorkflow, [workflowId]);
      if (locked.rowCount === 0) throw workflowNotFound(workflowId);
      // A new statement, so under READ COMMITTED it sees what the writer we waited for committed.
      const found = (await client.query<{ seq: number | null }>(s.lastSeq, [workflowId])).rows[0]?.seq ?? 0;
      if (found !== expectedSeq) throw sequenceConflict(workflowId, expectedSeq, found);
      // Nothing to fence: a summary change that no event explains is not written.
      return [];
    });

  return {
    create: (summary: WorkflowSummary, first: NewEvent): Promise<WorkflowEvent> =>
      transaction(async (client) => {
        const inserted = await client.query(s.insertWorkflow, toWorkflowParams(summary, summary.id, 1));
        if (inserted.rowCount === 0) throw workflowExists(summary.id);
        // The definition is stored once for every workflow that uses it; the event names it.
        const shared = codec.shareDefinition(first);
        if (shared.definition !== undefined) {
          await client.query(s.putDefinition, [shared.definition.hash, shared.definition.json]);
          await client.query(s.setDefinitionHash, [summary.id, shared.definition.hash]);
        }
        const body = eventBody(shared.event);
        await client.query(s.insertEvents, [summary.id, 0, [first.type], [first.at], [body], [bodyChecksum(body)]]);
        await client.query(s.bumpChangeMarker);
        return withSeq(first, 1);
      }),

    append: async (workflowId: string, expectedSeq: number, events: NewEvent[], summary: WorkflowSummary): Promise<WorkflowEvent[]> => {
      if (events.length === 0) return checkOnly(workflowId, expectedSeq);
      const bodies = events.map(eventBody);
      const params = [
        ...toWorkflowParams(summary, workflowId, expectedSeq + events.length),
        expectedSeq,
        events.map((event) => event.type),
        events.map((event) => event.at),
        bodies,
        bodies.map((body) => bodyChecksum(body)),
      ];
      const appended = (await pool.query<{ appended: number }>(s.appendEvents, params)).rows[0]?.appended ?? 0;
      if (appended === 0) {
        const row = (await pool.query<{ lastSeq: number; maxSeq: number | null }>(s.appendRefused, [workflowId])).rows[0];
        if (row === undefined) throw workflowNotFound(workflowId);
        const logSeq = row.maxSeq ?? 0;
        throw sequenceConflict(workflowId, expectedSeq, logSeq !== expectedSeq ? logSeq : row.lastSeq);
      }
      return events.map((event, index) => withSeq(event, expectedSeq + index + 1));
    },

    acquireLease: (workflowId: string, owner: string, ttlMs: number, now: string): Promise<boolean> => {
      const expiresAt = leaseExpiry(now, ttlMs);
      return transaction(async (client) => {
        // Locking the workflow row serialises takers, including the first one when no lease row exists yet.
        const locked = await client.query(s.lockWorkflow, [workflowId]);
        if (locked.rowCount === 0) throw workflowNotFound(workflowId);
        const holder = (await client.query<{ owner: string; expiresAt: string }>(s.getLease, [workflowId])).rows[0];
        if (!mayTakeLease(holder, owner, now)) return false;
        await client.query(s.putLease, [workflowId, owner, expiresAt]);
        return true;
      });
    },

    prune: (before: string): Promise<number> =>
      transaction(async (client) => {
        const deleted = (await client.query(s.prune, [FINISHED_STATUSES, before])).rowCount ?? 0;
        if (deleted > 0) {
          await client.query(s.pruneDefinitions);
          await client.query(s.bumpChangeMarker);
        }
        return deleted;
      }),
  };
}

export type PostgresTransactions = ReturnType<typeof buildTransactions>;
