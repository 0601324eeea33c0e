/**
 * Snapshots the workspace before a command agent runs: through git when the workspace is in a
 * work tree (exact, honours .gitignore, never touches the user's index), else by walking the
 * folder. The returned probe is asked for the changes after the run.
 */
import { mkdirSync } from 'node:fs';
import type { WorkspaceProbe } from './snapshot-changes.js';
import { filesystemSnapshot } from './snapshot-files.js';
import { gitSnapshot } from './snapshot-git.js';

export async function snapshotWorkspace(workspace: string, scratch: string, ignore: readonly string[]): Promise<WorkspaceProbe> {
  mkdirSync(scratch, { recursive: true });
  return (await gitSnapshot(workspace, scratch, ignore)) ?? filesystemSnapshot(workspace, ignore);
}
