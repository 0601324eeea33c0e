/**
 * What happens to an isolated workspace when its workflow ends: on completion the work is
 * committed on branch converge/<id> and written as a patch; on cancel or rejection the worktree
 * is removed (the branch stays for inspection). Recorded as an event, so it happens once.
 */
import type { NewEvent } from '../core/events.js';
import { TERMINAL_STATUSES } from '../core/state.js';
import type { WorkflowState } from '../core/state.js';
import { discardIsolatedWorkspace, finishIsolatedWorkspace } from '../workspace/index.js';
import type { Clock } from './clock.js';

export function needsSettling(state: WorkflowState): boolean {
  return state.workspace.type === 'isolated' && TERMINAL_STATUSES.has(state.status) && state.workspaceResult === undefined;
}

export async function settleWorkspace(state: WorkflowState, clock: Clock): Promise<NewEvent> {
  if (state.status === 'completed') {
    const title = state.name ?? state.requirements.split('\n')[0]!.slice(0, 72);
    const done = await finishIsolatedWorkspace(state.workspace, { workflowId: state.workflowId, message: `Converge ${state.workflowId}: ${title}` });
    return {
      type: 'workspace_settled',
      at: clock.now(),
      outcome: 'kept',
      branch: done.branch,
      patchFile: done.patchFile,
      ...(done.commit !== undefined ? { commit: done.commit } : {}),
      files: done.files,
    };
  }
  const discarded = await discardIsolatedWorkspace(state.workspace);
  return { type: 'workspace_settled', at: clock.now(), outcome: 'discarded', branch: discarded.branch };
}
