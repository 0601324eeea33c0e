/**
 * A workflow's base: the workspace as it was when the workflow started, kept as a git commit
 * under `refs/converge/bases/<id>` so `git gc` keeps it. An isolated workspace's base is the
 * commit its branch started from (isolated-workspace.ts writes that ref); a shared workspace's is
 * a commit of its working tree, untracked files included (ignored ones and `.converge` left out),
 * written through a temporary index, so the user's index, branch and stash are never touched.
 * Reviews read the base's files to diff the code against what was there before.
 */
import { copyFileSync, existsSync, lstatSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
  // Spawning git costs the parent process a fork (milliseconds of its CPU, more than a whole
  // transition), so a folder that git could not place in a work tree is answered here.
  if (!maybeInGit(dir)) return undefined;
  const run = await tryGit(dir, ['rev-parse', '--is-inside-work-tree', '--show-prefix']);
  if (run.exitCode !== 0) return undefined;
  const [inside, prefix = ''] = run.stdout.split('\n');
  return inside === 'true' ? prefix.trim() : undefined;
}

/**
 * False only when git would find no work tree for `dir`: no `.git` entry (folder, gitfile or
 * link) in it or any folder above it. tryGit drops GIT_DIR and GIT_WORK_TREE, so that search is
 * the only way git finds one; any `.git` found, valid or not, is left for git itself to judge.
 */
function maybeInGit(dir: string): boolean {
  let at: string;
  try {
    at = realpathSync(dir);
  } catch {
    return true;
  }
  for (;;) {
    try {
      lstatSync(join(at, '.git'));
      return true;
    } catch (error) {
      // Only a plain "not there" lets the search go on; anything else is git's to judge.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return true;
    }
    const up = dirname(at);
    if (up === at) return false;
    at = up;
  }
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
