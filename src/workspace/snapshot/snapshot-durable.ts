/**
 * Snapshots that outlive the process, for a step whose result comes in later, perhaps to another
 * process: an external code step whose host (Claude Code, Codex, Cursor over MCP) edits the
 * workspace itself. The snapshot is taken when the step starts waiting and named in the log; its
 * change is what differs when the result is submitted, in whichever process takes it.
 *
 * In git, a commit of the working tree under refs/converge/snapshots/<key> (see snapshot-git.ts);
 * outside git, every file's digest in `.converge/snapshots/<key>.json` inside the workspace.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import type { WorkspaceSnapshot } from '../../core/events.js';
import type { RawChange } from './snapshot-changes.js';
import { compareWalks, walk } from './snapshot-files.js';
import type { WalkEntry } from './snapshot-files.js';
import { dropGitSnapshot, durableGitSnapshot, gitChangesSince } from './snapshot-git.js';

const REF_PREFIX = 'refs/converge/snapshots/';

/** Takes the snapshot; never throws: a workspace that cannot be snapshotted says why (`method: 'none'`). */
export async function takeDurableSnapshot(workspace: string, key: string): Promise<WorkspaceSnapshot> {
  const name = safeName(key);
  try {
    const ref = `${REF_PREFIX}${name}`;
    const git = await withScratch((scratch) => durableGitSnapshot(workspace, scratch, ref, `Converge: the workspace before ${key}`));
    if (git !== undefined) return { method: 'git', commit: git.commit, ref };
    const file = join(workspace, '.converge', 'snapshots', `${name}.json`);
    const entries = walk(workspace, [], new Map());
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify([...entries]));
    return { method: 'files', file };
  } catch (error) {
    return { method: 'none', reason: isConvergeError(error) || error instanceof Error ? error.message : String(error) };
  }
}

/** What changed since the snapshot; undefined for `none`. Throws WORKSPACE_INVALID when the snapshot is gone. */
export async function changesSinceSnapshot(workspace: string, snapshot: WorkspaceSnapshot): Promise<RawChange[] | undefined> {
  switch (snapshot.method) {
    case 'none':
      return undefined;
    case 'git':
      return withScratch((scratch) => gitChangesSince(workspace, scratch, snapshot.commit));
    case 'files': {
      let before: Map<string, WalkEntry>;
      try {
        before = new Map(JSON.parse(readFileSync(snapshot.file, 'utf8')) as Array<[string, WalkEntry]>);
      } catch (error) {
        throw new ConvergeError('WORKSPACE_INVALID', `The snapshot of the workspace taken before the step (${snapshot.file}) cannot be read, so the changes made in the workspace are unknown.`, {
          hint: 'Submit the changed files as "# File:" blocks instead; the files in the workspace are untouched.',
          cause: error,
        });
      }
      return compareWalks(before, walk(workspace, [], before));
    }
  }
}

/** Removes what kept the snapshot; a failure only leaves it behind. */
export async function dropDurableSnapshot(workspace: string, snapshot: WorkspaceSnapshot): Promise<void> {
  if (snapshot.method === 'git') await dropGitSnapshot(workspace, snapshot.ref);
  if (snapshot.method === 'files') rmSync(snapshot.file, { force: true });
}

async function withScratch<T>(fn: (scratch: string) => Promise<T>): Promise<T> {
  const scratch = mkdtempSync(join(tmpdir(), 'converge-snapshot-'));
  try {
    return await fn(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 2 });
  }
}

/**
 * An action id as a ref or file name, one to one: letters and digits stay, "." becomes "_" and
 * any other character "-" and its code, so no `..` or other sequence git refuses in a ref is left.
 */
function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9]/g, (c) => (c === '.' ? '_' : `-${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
