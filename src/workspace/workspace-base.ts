/**
 * A workflow's base: the workspace as it was when the workflow started, kept as a git commit
 * under `refs/converge/bases/<id>` so `git gc` keeps it. An isolated workspace's base is the
 * commit its branch started from (isolated-workspace.ts writes that ref); a shared workspace's is
 * a commit of its working tree, untracked files included (ignored ones and `.converge` left out),
 * written through a temporary index, so the user's index, branch and stash are never touched.
 * Reviews read the base's files to diff the code against what was there before.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { WorkspaceInfo } from '../core/events.js';
import { convergeIdentity, headCommit, resolveRef, tryGit } from './git.js';

const BASE_REF_PREFIX = 'refs/converge/bases/';

export function baseRefFor(workflowId: string): string {
  return `${BASE_REF_PREFIX}${workflowId}`;
}

/**
 * Records the base of a workspace about to be used by `workflowId`: its commit and the
 * workspace's folder inside that commit's tree. Empty for a folder outside git or a failure:
 * reviews then say they have no base, and nothing else depends on it.
 */
export async function recordWorkspaceBase(info: WorkspaceInfo, workflowId: string): Promise<Pick<WorkspaceInfo, 'base' | 'basePrefix'>> {
  try {
    const prefix = await showPrefix(info.path);
    if (prefix === undefined) return {};
    if (info.type === 'isolated' && info.origin !== undefined) {
      const base = await resolveRef(info.origin, baseRefFor(workflowId));
      return base === undefined ? {} : { base, basePrefix: prefix };
    }
    const commit = await commitWorkingTree(info.path, workflowId);
    return commit === undefined ? {} : { base: commit, basePrefix: prefix };
  } catch {
    return {};
  }
}

/** The workspace's folder relative to its repository's top ('' at the top), or undefined outside git. */
async function showPrefix(dir: string): Promise<string | undefined> {
  const run = await tryGit(dir, ['rev-parse', '--is-inside-work-tree', '--show-prefix']);
  if (run.exitCode !== 0) return undefined;
  const [inside, prefix = ''] = run.stdout.split('\n');
  return inside === 'true' ? prefix.trim() : undefined;
}

async function commitWorkingTree(dir: string, workflowId: string): Promise<string | undefined> {
  const scratch = mkdtempSync(join(tmpdir(), 'converge-base-'));
  try {
    const indexPath = await tryGit(dir, ['rev-parse', '--git-path', 'index']);
    if (indexPath.exitCode !== 0) return undefined;
    const realIndex = resolve(dir, indexPath.stdout.trim());
    const tempIndex = join(scratch, 'index');
    // A copy of the real index: unchanged files are not hashed again, and the real one is never written.
    if (existsSync(realIndex)) copyFileSync(realIndex, tempIndex);
    const env = { GIT_INDEX_FILE: tempIndex };
    const added = await tryGit(dir, ['-c', 'core.fsmonitor=false', 'add', '-A', '--ignore-errors', '--', '.', ':(exclude).converge'], env);
    if (added.exitCode !== 0 && added.exitCode !== 1) return undefined;
    const tree = await tryGit(dir, ['write-tree'], env);
    if (tree.exitCode !== 0) return undefined;
    const head = await headCommit(dir);
    const args = ['commit-tree', tree.stdout.trim(), ...(head !== undefined ? ['-p', head] : []), '-m', `Converge: the workspace when workflow ${workflowId} started`];
    const commit = await tryGit(dir, args, { ...env, ...convergeIdentity() });
    if (commit.exitCode !== 0) return undefined;
    const sha = commit.stdout.trim();
    const ref = await tryGit(dir, ['update-ref', baseRefFor(workflowId), sha]);
    return ref.exitCode === 0 ? sha : undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The content of each workspace-relative path in the base; absent from the map when the base
 * has no such file. Read in the workspace while it exists, else in the isolated workspace's origin
 * (they share one object store). Undefined when the base cannot be read at all.
 */
export async function readBaseFiles(info: WorkspaceInfo, paths: readonly string[]): Promise<Map<string, string> | undefined> {
  if (info.base === undefined) return undefined;
  const dir = existsSync(info.path) ? info.path : info.origin !== undefined && existsSync(info.origin) ? info.origin : undefined;
  if (dir === undefined) return undefined;
  const known = await tryGit(dir, ['cat-file', '-e', `${info.base}^{commit}`]).catch(() => undefined);
  if (known === undefined || known.exitCode !== 0) return undefined;
  const files = new Map<string, string>();
  for (const path of paths) {
    const shown = await tryGit(dir, ['show', `${info.base}:${info.basePrefix ?? ''}${path}`]);
    if (shown.exitCode === 0) files.set(path, shown.stdout);
  }
  return files;
}
