/**
 * The store's read-check-write operations, each one IMMEDIATE transaction: the write lock is
 * taken before the check, so no other process can write between the check and the write.
 */
import type Database from 'better-sqlite3';
import type { NewEvent, WorkflowEvent } from '../../core/events.js';
import { sequenceConflict, workflowExists, workflowNotFound } from '../store-error.js';
import { FINISHED_STATUSES, bodyChecksum, leaseExpiry, mayTakeLease } from '../store-rules.js';
import type { EventCodec } from '../event-codec.js';
import type { WorkflowSummary } from '../store.js';
import { toWorkflowParams, type SqliteStatements } from './sqlite-statements.js';

function withSeq(event: NewEvent, seq: number): WorkflowEvent {
  return { ...event, seq } as WorkflowEvent;
}

/** `onAppend` writes what rides in an append's commit (the held step traces of that workflow). */
export function prepareTransactions(db: Database.Database, s: SqliteStatements, codec: EventCodec, onAppend: (workflowId: string) => void = () => {}) {
  // Typed through the package's `Database.Transaction` alias, which declaration files can name.
  const transaction = <F extends (...args: never[]) => unknown>(body: F): Database.Transaction<F> => db.transaction(body);
  /** Inserts one event, and the definition it names if the store does not have it yet. */
  const insertEvent = (workflowId: string, seq: number, event: NewEvent): void => {
    const encoded = codec.encode(event);
    if (encoded.definition !== undefined) s.putDefinition.run(encoded.definition.hash, encoded.definition.json);
    s.insertEvent.run(workflowId, seq, event.type, event.at, encoded.body, bodyChecksum(encoded.body));
  };
  return {
    create: transaction((summary: WorkflowSummary, first: NewEvent): WorkflowEvent => {
      if (s.workflowExists.get(summary.id) !== undefined) throw workflowExists(summary.id);
      s.insertWorkflow.run(toWorkflowParams(summary, summary.id, 1));
      insertEvent(summary.id, 1, first);
      s.bumpChangeMarker.run();
      return withSeq(first, 1);
    }),

    append: transaction(
      (workflowId: string, expectedSeq: number, events: NewEvent[], summary: WorkflowSummary): WorkflowEvent[] => {
        const found = s.lastSeq.get(workflowId)?.seq ?? null;
        if (found === null) throw workflowNotFound(workflowId);
        if (found !== expectedSeq) throw sequenceConflict(workflowId, expectedSeq, found);
        // Nothing to fence: a summary change that no event explains is not written.
        if (events.length === 0) return [];
        const written = events.map((event, index) => {
          const seq = expectedSeq + index + 1;
          insertEvent(workflowId, seq, event);
          return withSeq(event, seq);
        });
        // The store owns id and lastSeq, so the index can never disagree with the log.
        s.updateWorkflow.run(toWorkflowParams(summary, workflowId, expectedSeq + events.length));
        onAppend(workflowId);
        s.bumpChangeMarker.run();
        return written;
      },
    ),

    saveSnapshot: transaction((workflowId: string, seq: number, state: unknown): void => {
      const encoded = codec.encodeState(state);
      if (encoded.definition !== undefined) s.putDefinition.run(encoded.definition.hash, encoded.definition.json);
      s.saveSnapshot.run(workflowId, seq, encoded.body, encoded.definitionHash ?? null);
    }),

    acquireLease: transaction((workflowId: string, owner: string, ttlMs: number, now: string): boolean => {
      if (!mayTakeLease(s.getLease.get(workflowId), owner, now)) return false;
      s.putLease.run(workflowId, owner, leaseExpiry(now, ttlMs));
      return true;
    }),

    prune: transaction((before: string): number => {
      const deleted = s.prune.run(JSON.stringify(FINISHED_STATUSES), before).changes;
      if (deleted > 0) {
        s.pruneDefinitions.run();
        s.bumpChangeMarker.run();
      }
      return deleted;
    }),
  };
}

export type SqliteTransactions = ReturnType<typeof prepareTransactions>;
