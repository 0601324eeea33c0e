/**
 * The few git commands isolated workspaces need, run with an argv list (never a shell) so a
 * workflow id or a path can never be read as shell syntax.
 */
import { existsSync } from 'node:fs';
import { ConvergeError } from '../core/errors.js';

/** The identity of the commits Converge makes on a workflow's branch. */
export const CONVERGE_AUTHOR = { name: 'Converge', email: 'converge@localhost' } as const;

/**
 * Variables that point git at another repository. Converge may itself run inside a git hook
 * (where git sets GIT_DIR and GIT_INDEX_FILE); inherited, they would redirect every command.
 */
const LOCATING_VARIABLES = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
]);

function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !LOCATING_VARIABLES.has(name)) env[name] = value;
  }
  // Never wait for a credential or editor prompt nobody will answer.
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_EDITOR = 'true';
  return env;
}

export interface GitRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs git and returns its exit code and output; throws only when git or the folder is missing. */
export async function tryGit(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<GitRun> {
  // A missing cwd also fails the spawn with ENOENT; say so instead of blaming git.
  if (!existsSync(cwd)) {
    throw new ConvergeError('WORKSPACE_INVALID', `The folder ${cwd} does not exist.`, {
      hint: 'The repository or worktree was moved or deleted outside Converge.',
    });
  }
  // Loaded on first use: every process that builds an engine imports this module, few run git.
  const { execa } = await import('execa');
  const result = await execa('git', [...args], {
    cwd,
    env: { ...gitEnv(), ...env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    windowsHide: true,
  });
  if (result.exitCode === undefined) {
    const missing = (result as { code?: string }).code === 'ENOENT';
    throw new ConvergeError('WORKSPACE_INVALID', missing ? 'git is not installed or not on PATH.' : `git could not be started: ${result.shortMessage}`, {
      hint: missing ? 'Install git, or use workspace type "shared".' : 'Check that git runs in this directory.',
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
    });
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs git and returns stdout; a non-zero exit becomes WORKSPACE_INVALID with git's own message. */
export async function git(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const run = await tryGit(cwd, args, env);
  if (run.exitCode !== 0) {
    const said = run.stderr.trim().split('\n').slice(-3).join(' ');
    throw new ConvergeError('WORKSPACE_INVALID', `git ${args[0] ?? ''} failed in ${cwd}: ${said || `exit code ${run.exitCode}`}`, {
      hint: 'Run the same git command by hand to see what it needs.',
      details: { args: [...args], exitCode: run.exitCode, stderr: run.stderr },
    });
  }
  return run.stdout;
}

/**
 * The environment of a commit made by Converge. Variables, not `-c user.name=…`, because the
 * user's own GIT_AUTHOR_* variables would win over config; this also works where no identity
 * is configured at all (CI).
 */
export function convergeIdentity(): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: CONVERGE_AUTHOR.name,
    GIT_AUTHOR_EMAIL: CONVERGE_AUTHOR.email,
    GIT_COMMITTER_NAME: CONVERGE_AUTHOR.name,
    GIT_COMMITTER_EMAIL: CONVERGE_AUTHOR.email,
  };
}

/** The top folder of the checkout containing `dir`, or undefined when it is not in a git checkout. */
export async function topLevel(dir: string): Promise<string | undefined> {
  const run = await tryGit(dir, ['rev-parse', '--show-toplevel']);
  return run.exitCode === 0 ? run.stdout.trim() : undefined;
}

/** The commit HEAD points at, or undefined in a repository without commits. */
export async function headCommit(repo: string): Promise<string | undefined> {
  const run = await tryGit(repo, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  return run.exitCode === 0 ? run.stdout.trim() : undefined;
}

/** The commit a ref points at, or undefined when the ref does not exist. */
export async function resolveRef(repo: string, ref: string): Promise<string | undefined> {
  const run = await tryGit(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return run.exitCode === 0 ? run.stdout.trim() : undefined;
}

/** The repository's shared git folder (where `info/exclude` lives for every worktree). */
export async function commonDir(repo: string): Promise<string> {
  return (await git(repo, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
}

export async function isIgnored(repo: string, relativePath: string): Promise<boolean> {
  return (await tryGit(repo, ['check-ignore', '--quiet', '--no-index', relativePath])).exitCode === 0;
}

export async function isValidBranchName(repo: string, branch: string): Promise<boolean> {
  return (await tryGit(repo, ['check-ref-format', '--branch', branch])).exitCode === 0;
}

export interface WorktreeEntry {
  path: string;
  /** `refs/heads/…`, absent for a detached HEAD. */
  branch?: string;
  head?: string;
  /** The folder is gone; `git worktree prune` will forget the entry. */
  prunable: boolean;
}

export async function listWorktrees(repo: string): Promise<WorktreeEntry[]> {
  const out = await git(repo, ['worktree', 'list', '--porcelain', '-z']);
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const field of out.split('\0')) {
    if (field === '') {
      if (current !== undefined) entries.push(current);
      current = undefined;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space === -1 ? field : field.slice(0, space);
    const value = space === -1 ? '' : field.slice(space + 1);
    if (key === 'worktree') current = { path: value, prunable: false };
    else if (current === undefined) continue;
    else if (key === 'branch') current.branch = value;
    else if (key === 'HEAD') current.head = value;
    else if (key === 'prunable') current.prunable = true;
  }
  if (current !== undefined) entries.push(current);
  return entries;
}
