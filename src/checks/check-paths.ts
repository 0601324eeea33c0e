/**
 * Where a check runs and where its findings point. A check's cwd and report path come from the
 * definition, but they still must stay inside the workspace — including through symlinks.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Issue } from '../core/records.js';

export interface CheckDirs {
  /** The workspace as given, resolved to an absolute path. */
  workspace: string;
  /** The workspace with symlinks resolved; reports often print real paths. */
  workspaceReal: string;
  /** Where the check runs. */
  cwd: string;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; reason: string };

export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export async function resolveCheckDirs(workspace: string, cwd: string | undefined): Promise<Resolved<CheckDirs>> {
  const root = resolve(workspace);
  const workspaceReal = await realpathOrUndefined(root);
  if (workspaceReal === undefined) return { ok: false, reason: `workspace ${root} does not exist` };
  const target = resolve(root, cwd ?? '.');
  if (!isInside(root, target)) {
    return { ok: false, reason: `cwd ${JSON.stringify(cwd)} is outside the workspace; checks run only inside ${root}` };
  }
  const targetReal = await realpathOrUndefined(target);
  if (targetReal === undefined) return { ok: false, reason: `cwd ${JSON.stringify(cwd)} does not exist in the workspace` };
  if (!isInside(workspaceReal, targetReal)) {
    return { ok: false, reason: `cwd ${JSON.stringify(cwd)} leads outside the workspace through a symlink` };
  }
  return { ok: true, value: { workspace: root, workspaceReal, cwd: target } };
}

/** The report path, relative to the check's cwd, refused when it leaves the workspace. */
export async function resolveReportPath(dirs: CheckDirs, report: string): Promise<Resolved<string>> {
  const target = resolve(dirs.cwd, report);
  if (!isInside(dirs.workspace, target)) {
    return { ok: false, reason: `report path ${JSON.stringify(report)} is outside the workspace` };
  }
  const parentReal = await realpathOrUndefined(resolve(target, '..'));
  if (parentReal !== undefined && !isInside(dirs.workspaceReal, parentReal)) {
    return { ok: false, reason: `report path ${JSON.stringify(report)} leads outside the workspace through a symlink` };
  }
  return { ok: true, value: target };
}

/**
 * Makes issue locations workspace-relative with `/` separators, so the same finding reads the
 * same on every machine. Relative paths in a report are taken as relative to the check's cwd;
 * paths outside the workspace stay absolute.
 */
export function relocateIssues(issues: readonly Issue[], dirs: CheckDirs): Issue[] {
  return issues.map((issue) => {
    if (issue.location === undefined) return issue;
    const file = workspacePath(issue.location.file, dirs);
    return { ...issue, location: { ...issue.location, file } };
  });
}

function workspacePath(file: string, dirs: CheckDirs): string {
  const absolute = resolve(dirs.cwd, file);
  for (const root of [dirs.workspace, dirs.workspaceReal]) {
    if (isInside(root, absolute)) return relative(root, absolute).split(sep).join('/') || '.';
  }
  return file;
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}
