/**
 * Isolated workspaces: one git worktree per workflow, on its own branch `converge/<id>`, so
 * several workflows can work on one repository at once without touching each other's files or
 * the user's checkout. Finishing commits the work on the branch, writes a patch next to the
 * repository and removes the worktree; the branch stays for the user to merge.
 *
 * Layout inside the repository (`.converge/` is added to `.git/info/exclude` when not ignored):
 *   .converge/worktrees/<id>/      the worktree while the workflow runs
 *   .converge/patches/<id>.patch   `git diff` from the branch point to the branch, after finishing
 * and the ref `refs/converge/bases/<id>`, which remembers the branch point even after the user's
 * branch moves on, so the patch is always exactly the workflow's own change.
 */
import { existsSync, lstatSync, mkdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConvergeError } from '../core/errors.js';
import type { WorkspaceInfo } from '../core/events.js';
import { ensureExcluded } from './git-exclude.js';
import { convergeIdentity, git, headCommit, isValidBranchName, listWorktrees, resolveRef, topLevel, tryGit } from './git.js';
import type { WorktreeEntry } from './git.js';

export const CONVERGE_DIR = '.converge';
export const BRANCH_PREFIX = 'converge/';
const BASE_REF_PREFIX = 'refs/converge/bases/';

export interface IsolatedWorkspaceOptions {
  /** Where worktrees are created; `<repo>/.converge/worktrees` by default. */
  baseDir?: string;
  /**
   * Untracked folders of the workspace (e.g. `node_modules`) to link into the worktree, so checks
   * find the installed tools without a fresh install. The links are excluded from git, so they
   * are never committed, and path-guard refuses writes through them (they lead outside).
   */
  linkFromOrigin?: readonly string[];
}

export interface FinishOptions {
  workflowId: string;
  /** The commit message for the workflow's work. */
  message: string;
}

export interface FinishedWorkspace {
  branch: string;
  /** Absolute path of the patch file (empty when the workflow changed nothing). */
  patchFile: string;
  /** The commit Converge made; absent when there was nothing to commit. */
  commit?: string;
  /** The commit the branch started from. */
  base: string;
  /** The branch's tip after finishing. */
  head: string;
  /** Files that differ between base and head. */
  files: string[];
}

export function branchFor(workflowId: string): string {
  return `${BRANCH_PREFIX}${workflowId}`;
}

export function patchFileFor(origin: string, workflowId: string): string {
  return join(origin, CONVERGE_DIR, 'patches', `${workflowId}.patch`);
}

/** What to tell a person about a finished isolated workspace (printed by `converge show`). */
export function mergeInstructions(finished: Pick<FinishedWorkspace, 'branch' | 'patchFile'>, origin?: string): string {
  const patch = origin !== undefined ? relative(origin, finished.patchFile) || finished.patchFile : finished.patchFile;
  return `merge with: git merge ${finished.branch}  (or git apply ${patch})`;
}

/**
 * Creates (or, on resume, finds) the worktree of `workflowId`. `repo` may be a folder inside a
 * checkout; the workspace is then the same folder inside the worktree, and `origin` is the
 * checkout's top folder. The worktree starts from HEAD's last commit: uncommitted changes of the
 * main checkout are not in it.
 */
export async function createIsolatedWorkspace(
  repo: string,
  workflowId: string,
  options: IsolatedWorkspaceOptions = {},
): Promise<WorkspaceInfo> {
  const dir = resolve(repo);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConvergeError('WORKSPACE_INVALID', `The workspace ${dir} does not exist or is not a directory.`, {
      hint: 'Pass --workspace with the folder of a git repository.',
    });
  }
  const top = await topLevel(dir);
  if (top === undefined) {
    throw new ConvergeError('WORKSPACE_INVALID', `An isolated workspace needs a git repository, and ${dir} is not in one.`, {
      hint: 'Run `git init` and commit first, or use workspace type "shared".',
    });
  }
  const base = await headCommit(top);
  if (base === undefined) {
    throw new ConvergeError('WORKSPACE_INVALID', `The repository ${top} has no commit yet, so there is nothing to branch from.`, {
      hint: 'Commit first (`git add -A && git commit -m "initial"`), or use workspace type "shared".',
    });
  }
  await assertWorkflowId(top, workflowId);
  const branch = branchFor(workflowId);
  const worktreesDir = options.baseDir !== undefined ? resolve(options.baseDir) : join(top, CONVERGE_DIR, 'worktrees');
  const worktree = join(worktreesDir, workflowId);
  // Worktrees inside the checkout would show up in its `git status`; patches live in .converge/ too.
  const convergeDir = join(top, CONVERGE_DIR);
  const outsideConvergeDir = relative(convergeDir, worktreesDir).startsWith('..');
  await ensureExcluded(top, [{ path: convergeDir, folder: true }, ...(outsideConvergeDir ? [{ path: worktreesDir, folder: true }] : [])]);

  const subdir = relative(realpathSync(top), realpathSync(dir));
  const ready = async (root: string): Promise<WorkspaceInfo> => {
    const path = subdir === '' ? root : join(root, subdir);
    await linkFolders(root, join(top, subdir), path, options.linkFromOrigin ?? []);
    return { path, type: 'isolated', branch, origin: top };
  };

  const existing = await findWorktree(top, branch);
  if (existing !== undefined && !existing.prunable) {
    return ready(samePath(existing.path, worktree) ? worktree : existing.path);
  }
  // A worktree folder deleted by hand leaves an entry behind that blocks the branch.
  if (existing !== undefined) await git(top, ['worktree', 'prune']);
  if (existsSync(worktree)) {
    throw new ConvergeError('WORKSPACE_INVALID', `${worktree} exists but is not the worktree of workflow ${workflowId}.`, {
      hint: 'Move or delete that folder, then resume the workflow.',
    });
  }
  mkdirSync(worktreesDir, { recursive: true });
  const hasBranch = (await resolveRef(top, `refs/heads/${branch}`)) !== undefined;
  // Resuming after the worktree was removed: the branch holds the work so far, so reuse it.
  const args = hasBranch ? ['worktree', 'add', '--quiet', worktree, branch] : ['worktree', 'add', '--quiet', '-b', branch, worktree, base];
  const added = await tryGit(top, args);
  if (added.exitCode !== 0) {
    // Another process may have created the same workflow's worktree a moment ago.
    const raced = await findWorktree(top, branch);
    if (raced !== undefined && !raced.prunable && samePath(raced.path, worktree)) return ready(worktree);
    throw new ConvergeError('WORKSPACE_INVALID', `Could not create the worktree for workflow ${workflowId}: ${added.stderr.trim()}`, {
      hint: 'Check `git worktree list` in the repository, or use workspace type "shared".',
      details: { stderr: added.stderr },
    });
  }
  if (!hasBranch || (await resolveRef(top, baseRefFor(workflowId))) === undefined) {
    await git(top, ['update-ref', baseRefFor(workflowId), hasBranch ? await mergeBase(top, branch) : base]);
  }
  return ready(worktree);
}

/**
 * Commits everything in the worktree on the workflow's branch (only when something changed),
 * writes the patch file, and removes the worktree; the branch is kept. Safe to call again after
 * a crash: with the worktree already gone it rewrites the patch and reports the branch as is.
 */
export async function finishIsolatedWorkspace(info: WorkspaceInfo, options: FinishOptions): Promise<FinishedWorkspace> {
  const { origin, branch } = isolatedParts(info);
  const entry = await findWorktree(origin, branch);
  let commit: string | undefined;
  if (entry !== undefined && !entry.prunable) {
    await git(entry.path, ['add', '--all']);
    const staged = await tryGit(entry.path, ['diff', '--cached', '--quiet']);
    if (staged.exitCode === 1) {
      // --no-verify: the user's hooks judge the merge into their branch, not this proposal.
      await git(entry.path, ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '-m', options.message], convergeIdentity());
      commit = (await git(entry.path, ['rev-parse', 'HEAD'])).trim();
    }
  }
  const head = await resolveRef(origin, `refs/heads/${branch}`);
  if (head === undefined) {
    throw new ConvergeError('WORKSPACE_INVALID', `The branch ${branch} of workflow ${options.workflowId} no longer exists in ${origin}.`, {
      hint: 'It was deleted outside Converge; the workflow output is still in its history (`converge show`).',
    });
  }
  const base = (await resolveRef(origin, baseRefFor(options.workflowId))) ?? (await mergeBase(origin, branch));
  const diffArgs = ['--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/', base, head];
  const patch = await git(origin, ['diff', '--binary', ...diffArgs]);
  const patchFile = patchFileFor(origin, options.workflowId);
  mkdirSync(join(origin, CONVERGE_DIR, 'patches'), { recursive: true });
  writeFileSync(patchFile, patch);
  const files = (await git(origin, ['diff', '--name-only', '-z', ...diffArgs])).split('\0').filter((f) => f !== '');
  if (entry !== undefined) await removeWorktree(origin, entry);
  return { branch, patchFile, ...(commit !== undefined ? { commit } : {}), base, head, files };
}

/**
 * For a cancelled workflow: removes the worktree without committing. The branch (and whatever
 * was committed on it) is kept for inspection; delete it with `git branch -D converge/<id>`.
 */
export async function discardIsolatedWorkspace(info: WorkspaceInfo): Promise<{ branch: string }> {
  const { origin, branch } = isolatedParts(info);
  const entry = await findWorktree(origin, branch);
  if (entry !== undefined) await removeWorktree(origin, entry);
  return { branch };
}

/**
 * Links each named folder of `from` into `to` when `from` has it and `to` does not (a tracked
 * folder stays as checked out). Whether git ignores the link is asked in the worktree itself:
 * a `node_modules/` rule matches the real folder of the main checkout but not a link to it.
 */
async function linkFolders(worktree: string, from: string, to: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const source = resolve(from, name);
    const link = resolve(to, name);
    const rel = relative(to, link);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new ConvergeError('WORKSPACE_INVALID', `Cannot link "${name}" into an isolated workspace: it is not a folder inside it.`, {
        hint: 'Name folders relative to the workspace, such as node_modules.',
      });
    }
    if (!existsSync(source) || lexists(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    // 'junction' lets Windows link folders without extra rights; other systems ignore it.
    symlinkSync(source, link, 'junction');
    await ensureExcluded(worktree, [{ path: link, folder: false }]);
  }
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function baseRefFor(workflowId: string): string {
  return `${BASE_REF_PREFIX}${workflowId}`;
}

async function assertWorkflowId(repo: string, workflowId: string): Promise<void> {
  // The id becomes a folder name and a branch name; refuse anything that could be read as a path.
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(workflowId) && !workflowId.includes('..') && !workflowId.endsWith('.lock');
  if (!safe || !(await isValidBranchName(repo, branchFor(workflowId)))) {
    throw new ConvergeError('WORKSPACE_INVALID', `"${workflowId}" cannot name an isolated workspace.`, {
      hint: 'Workflow ids for isolated workspaces use letters, digits, ".", "_" and "-" only.',
    });
  }
}

function isolatedParts(info: WorkspaceInfo): { origin: string; branch: string } {
  if (info.type !== 'isolated' || info.origin === undefined || info.branch === undefined) {
    throw new ConvergeError('WORKSPACE_INVALID', `The workspace ${info.path} is not an isolated workspace.`, {
      hint: 'Only workspaces made by createIsolatedWorkspace have a branch and an origin to return to.',
    });
  }
  return { origin: info.origin, branch: info.branch };
}

/** The linked worktree that has `branch` checked out; never the main checkout. */
async function findWorktree(repo: string, branch: string): Promise<WorktreeEntry | undefined> {
  const [, ...linked] = await listWorktrees(repo);
  return linked.find((entry) => entry.branch === `refs/heads/${branch}`);
}

async function removeWorktree(repo: string, entry: WorktreeEntry): Promise<void> {
  if (!entry.prunable) {
    const removed = await tryGit(repo, ['worktree', 'remove', '--force', entry.path]);
    // git refuses worktrees with submodules even with --force; what is left is only a folder.
    if (removed.exitCode !== 0 && existsSync(join(entry.path, '.git')) && isAbsolute(entry.path) && !samePath(entry.path, repo)) {
      rmSync(entry.path, { recursive: true, force: true });
    }
  }
  await git(repo, ['worktree', 'prune']);
}

async function mergeBase(repo: string, branch: string): Promise<string> {
  const run = await tryGit(repo, ['merge-base', 'HEAD', `refs/heads/${branch}`]);
  if (run.exitCode === 0) return run.stdout.trim();
  // No history in common with HEAD: diff against the empty tree (stdin is empty), i.e. everything.
  return (await git(repo, ['hash-object', '-t', 'tree', '--stdin'])).trim();
}

function samePath(a: string, b: string): boolean {
  const real = (p: string): string => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}
