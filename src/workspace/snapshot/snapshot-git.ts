/**
 * What a command agent changed, taken from git without touching the user's repository state.
 *
 * Before and after the run, the working tree is staged into a *temporary* index (a copy of the
 * real one, so unchanged files are not re-hashed) and written as a tree; the two trees are then
 * compared. New blobs go to a temporary object folder that borrows the real objects as
 * alternates, so the user's index, object store and stash are never written. Because both
 * snapshots are of the working tree, uncommitted work the user already had is not blamed on
 * the agent, and .gitignore'd output (node_modules, dist) is not reported.
 *
 * A host that edits in place submits its result later, maybe to another process: its "before"
 * is a commit in the repository's object store under refs/converge/snapshots/…, like a stash
 * entry, named in the workflow's log and deleted once the result is recorded.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConvergeError } from '../../core/errors.js';
import { convergeIdentity } from '../git.js';
import { ALWAYS_IGNORED } from './snapshot-changes.js';
import type { RawChange, WorkspaceProbe } from './snapshot-changes.js';

/** A temporary index over the workspace: each `writeTree` stages the working tree into it and writes a tree. */
interface GitStaging {
  env: Record<string, string>;
  writeTree(): Promise<string | undefined>;
  diff(before: string, after: string): Promise<RawChange[]>;
}

/**
 * A staging area for `workspace`, or undefined when git cannot serve: git is missing, the folder
 * is not in a work tree, or it is an ignored folder of an outer repository (its files would never
 * be staged). `objects: 'scratch'` writes new objects to the scratch folder (the real ones are
 * borrowed as alternates); `'repository'` writes them to the repository's object store, for a
 * snapshot that must outlive this process.
 */
async function gitStaging(workspace: string, scratch: string, ignore: readonly string[], objects: 'scratch' | 'repository'): Promise<GitStaging | undefined> {
  const baseEnv = cleanGitEnv();
  const probe = await git(workspace, baseEnv, ['rev-parse', '--is-inside-work-tree', '--show-prefix', '--git-path', 'index', '--git-path', 'objects']);
  if (probe === undefined) return undefined;
  const [inside, prefix, index, objectsDir] = probe.split('\n');
  if (inside !== 'true' || index === undefined || objectsDir === undefined) return undefined;
  if (prefix !== '' && (await git(workspace, baseEnv, ['check-ignore', '-q', '--', '.'])) !== undefined) return undefined;

  const tempIndex = join(scratch, 'index');
  const realIndex = resolve(workspace, index);
  if (existsSync(realIndex)) copyFileSync(realIndex, tempIndex);
  const env: Record<string, string> = { ...baseEnv, GIT_INDEX_FILE: tempIndex };
  if (objects === 'scratch') {
    const tempObjects = join(scratch, 'objects');
    mkdirSync(tempObjects, { recursive: true });
    env.GIT_OBJECT_DIRECTORY = tempObjects;
    env.GIT_ALTERNATE_OBJECT_DIRECTORIES = resolve(workspace, objectsDir);
  }
  const pathspec = [
    '.',
    ...ALWAYS_IGNORED.map((p) => `:(exclude)${p}`),
    ...ignore.flatMap((p) => [`:(exclude,glob)${p}*`, `:(exclude,glob)${p}*/**`]),
  ];
  return {
    env,
    async writeTree() {
      // --ignore-errors: one unreadable file must not hide every other change (git then exits 1, not 128).
      const added = await gitRun(workspace, env, ['add', '-A', '--ignore-errors', '--', ...pathspec]);
      if (added.exitCode !== 0 && added.exitCode !== 1) return undefined;
      return git(workspace, env, ['write-tree']);
    },
    async diff(before, after) {
      const raw = await git(workspace, env, ['diff-tree', '-r', '-z', '--no-renames', '--relative', before, after], false);
      if (raw === undefined) throw unreadable(workspace, 'compare its snapshots');
      return parseRawDiff(raw);
    },
  };
}

/** Starts a git snapshot of `workspace` kept in `scratch` (see gitStaging for when it is undefined). */
export async function gitSnapshot(workspace: string, scratch: string, ignore: readonly string[]): Promise<WorkspaceProbe | undefined> {
  const staging = await gitStaging(workspace, scratch, ignore, 'scratch');
  const before = await staging?.writeTree();
  if (staging === undefined || before === undefined) return undefined;
  return {
    method: 'git',
    async changes(): Promise<RawChange[]> {
      const after = await staging.writeTree();
      if (after === undefined) throw unreadable(workspace, 'snapshot it after the run');
      return staging.diff(before, after);
    },
  };
}

/**
 * A snapshot that survives the process: the working tree committed (outside any branch, the
 * user's index untouched) and kept alive by `ref`, as `git stash` keeps its commits. Undefined
 * when git cannot serve (see gitStaging) or the ref cannot be written.
 */
export async function durableGitSnapshot(workspace: string, scratch: string, ref: string, message: string): Promise<{ commit: string } | undefined> {
  const staging = await gitStaging(workspace, scratch, [], 'repository');
  const tree = await staging?.writeTree();
  if (staging === undefined || tree === undefined) return undefined;
  const commit = await git(workspace, { ...staging.env, ...convergeIdentity() }, ['commit-tree', tree, '-m', message]);
  if (commit === undefined) return undefined;
  if ((await git(workspace, staging.env, ['update-ref', ref, commit])) === undefined) return undefined;
  return { commit };
}

/** What changed in the workspace since `commit` (a durable snapshot); throws when git cannot tell. */
export async function gitChangesSince(workspace: string, scratch: string, commit: string): Promise<RawChange[]> {
  const staging = await gitStaging(workspace, scratch, [], 'scratch');
  if (staging === undefined) throw unreadable(workspace, 'read the workspace');
  const before = await git(workspace, staging.env, ['rev-parse', '--verify', '--quiet', `${commit}^{tree}`]);
  if (before === undefined) throw unreadable(workspace, `find the snapshot ${commit.slice(0, 12)} taken before the step`);
  const after = await staging.writeTree();
  if (after === undefined) throw unreadable(workspace, 'snapshot it after the step');
  return staging.diff(before, after);
}

/** Deletes the ref that kept a durable snapshot alive; a failure leaves only a ref behind. */
export async function dropGitSnapshot(workspace: string, ref: string): Promise<void> {
  await gitRun(workspace, cleanGitEnv(), ['update-ref', '-d', ref]).catch(() => undefined);
}

/** Parses `git diff-tree -r -z` raw output: `:oldmode newmode oldsha newsha STATUS\0path\0`… */
export function parseRawDiff(raw: string): RawChange[] {
  const parts = raw.split('\0');
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = parts[i]!.replace(/^\n+/, '');
    const path = parts[i + 1]!;
    if (!meta.startsWith(':') || path === '') continue;
    const [, newMode = '', , , status = ''] = meta.slice(1).split(' ');
    if (status.startsWith('D')) {
      changes.push({ path, action: 'delete' });
      continue;
    }
    const change: RawChange = { path, action: status.startsWith('A') ? 'create' : 'update' };
    if (newMode === '120000') change.skip = 'it is a symbolic link, which a file change cannot carry';
    else if (newMode === '160000') change.skip = 'it is a git submodule';
    changes.push(change);
  }
  return changes;
}

function unreadable(workspace: string, what: string): ConvergeError {
  return new ConvergeError('WORKSPACE_INVALID', `git could not ${what} in ${workspace}, so the agent's changes are unknown.`, {
    hint: 'Check the repository with `git status`; the files the agent wrote are still in the workspace.',
  });
}

/** Our git commands must see the workspace's repository, not one an outer process pointed GIT_* at. */
function cleanGitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|PREFIX)$/.test(name)) {
      env[name] = value;
    }
  }
  return env;
}

/** Runs git; returns its stdout, or undefined when it failed or is not installed. */
async function git(cwd: string, env: Record<string, string>, args: string[], trim = true): Promise<string | undefined> {
  const result = await gitRun(cwd, env, args, trim);
  return result.exitCode === 0 ? result.stdout : undefined;
}

async function gitRun(cwd: string, env: Record<string, string>, args: string[], trim = true): Promise<{ exitCode: number; stdout: string }> {
  // Imported on first use, not at start-up (see sandbox/process-launcher.ts).
  const { execa } = await import('execa');
  const result = await execa('git', ['-c', 'core.fsmonitor=false', ...args], {
    cwd,
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: trim,
    maxBuffer: 256 * 1024 * 1024,
  });
  // A spawn failure (git not installed) has no exit code.
  return { exitCode: result.exitCode ?? -1, stdout: typeof result.stdout === 'string' ? result.stdout : '' };
}
