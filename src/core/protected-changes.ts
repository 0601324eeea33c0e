/**
 * Protected paths: files whose change can alter what the checks prove or what runs on the next
 * machine (package.json scripts, lockfiles, CI, test and lint configuration). The engine marks
 * them on each recorded output; here we read the record to say which of them no person has
 * approved yet. Such a change holds every automatic approval (--auto-approve, a timeout policy
 * of `approve`) until a person answers the gate.
 */
import type { WorkflowState } from './state.js';

/** Protected paths changed after the last approval a person gave, in the order first changed. */
export function protectedChangesAwaitingReview(state: WorkflowState): string[] {
  const lastHumanApproval = state.approvals.findLast((a) => a.decision === 'approve' && a.automatic === undefined);
  const since = lastHumanApproval?.at;
  const paths: string[] = [];
  for (const record of state.outputs) {
    // An output recorded at the very instant of the approval is counted: better one question too many.
    if (since !== undefined && record.at < since) continue;
    for (const path of record.output.protectedPaths ?? []) if (!paths.includes(path)) paths.push(path);
  }
  return paths;
}
