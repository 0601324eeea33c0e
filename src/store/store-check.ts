/**
 * `converge store check`: the database's own consistency check (SQLite's integrity_check) plus
 * every workflow's log read whole through the checks every read applies (store-rules.ts: seqs
 * contiguous, checksums, bodies that decode) and its snapshot decoded. A damaged workflow is
 * marked on its index row, so lists show it; one marked before that now reads whole (restored by
 * hand, say) has its mark cleared. Only the Store contract is used, so any store can be checked.
 */
import { isConvergeError } from '../core/errors.js';
import type { Store } from './store.js';

export interface WorkflowFinding {
  workflowId: string;
  /** The first event that is missing or unreadable. */
  seq: number;
  reason: string;
}

export interface StoreCheckResult {
  location: string;
  /** What the database's own check found; [] when sound. */
  database: string[];
  workflows: number;
  events: number;
  damaged: WorkflowFinding[];
  /** Workflows whose damage mark was cleared because their log now reads whole. */
  cleared: string[];
}

export interface StoreCheckOptions {
  /** Called after each workflow; the CLI prints every 100th. */
  onProgress?: (done: number) => void;
}

const PAGE = 500;

export async function checkStore(store: Store, options: StoreCheckOptions = {}): Promise<StoreCheckResult> {
  const result: StoreCheckResult = { location: store.location, database: await store.checkDatabase(), workflows: 0, events: 0, damaged: [], cleared: [] };
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listWorkflows({ limit: PAGE, offset });
    for (const row of page) {
      result.workflows += 1;
      const finding = await checkWorkflow(store, row.id);
      if (typeof finding === 'number') {
        result.events += finding;
        if (row.damage !== undefined) {
          await store.markDamaged(row.id, null);
          result.cleared.push(row.id);
        }
      } else if (finding !== undefined) {
        result.damaged.push(finding);
      }
      options.onProgress?.(result.workflows);
    }
    if (page.length < PAGE) break;
  }
  return result;
}

/** The number of events when the log reads whole; the damage found otherwise; undefined when the workflow went away meanwhile. */
async function checkWorkflow(store: Store, workflowId: string): Promise<number | WorkflowFinding | undefined> {
  try {
    await store.loadSnapshot(workflowId);
    // The whole log, not only what follows the snapshot: a backup is only as good as its oldest event.
    return (await store.readEvents(workflowId, 0)).length;
  } catch (error) {
    if (!isConvergeError(error)) throw error;
    if (error.code === 'WORKFLOW_NOT_FOUND') return undefined;
    if (error.code !== 'STORE_DAMAGED') throw error;
    const details = (error.details ?? {}) as { seq?: unknown; reason?: unknown };
    const finding = { workflowId, seq: typeof details.seq === 'number' ? details.seq : 0, reason: typeof details.reason === 'string' ? details.reason : error.message };
    // The read marks it already; a snapshot that does not decode is marked here.
    await store.markDamaged(workflowId, { seq: finding.seq, reason: finding.reason }).catch(() => undefined);
    return finding;
  }
}
