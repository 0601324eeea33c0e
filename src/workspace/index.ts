/**
 * Workspaces: where agents write and checks run. Shared mode works in the project folder itself;
 * isolated mode gives each workflow a git worktree on branch `converge/<id>`. Every write an
 * agent asks for goes through the path guard.
 */
export { applyFileChanges, resolveInside } from './path-guard.js';
export { protectedAmong, protectedPathMatcher } from './protected-paths.js';
export type { ProtectedPathMatcher } from './protected-paths.js';
export type { WriteResult } from './path-guard.js';
export {
  BRANCH_PREFIX,
  branchFor,
  CONVERGE_DIR,
  createIsolatedWorkspace,
  discardIsolatedWorkspace,
  finishIsolatedWorkspace,
  mergeInstructions,
  patchFileFor,
} from './isolated-workspace.js';
export type { FinishedWorkspace, FinishOptions, IsolatedWorkspaceOptions } from './isolated-workspace.js';
export { snapshotWorkspace } from './snapshot/snapshot-workspace.js';
export { collectChanges, describeOmissions } from './snapshot/snapshot-changes.js';
export type { CollectedChanges, PathNote, RawChange, WorkspaceProbe } from './snapshot/snapshot-changes.js';
export { changesSinceSnapshot, dropDurableSnapshot, takeDurableSnapshot } from './snapshot/snapshot-durable.js';
export { baseRefFor, readBaseFiles, recordWorkspaceBase } from './workspace-base.js';
