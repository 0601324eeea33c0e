/**
 * Which project a command works on, found the way git finds a repository: from the working
 * directory up to the nearest folder holding `converge.yaml` or a store (`.converge/converge.db`),
 * never above the git repository's top folder. Outside a repository the walk goes up to the
 * filesystem root.
 *
 * A bare `.converge/` folder is not a marker: checks write `.converge/reports/` into whatever
 * workspace they run in, and `~/.converge/` holds the audit keys of PostgreSQL stores, so either
 * would otherwise claim a subdirectory, or the home folder, as a project.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The project settings file (loader.ts reads it; defined here so finding a project loads no YAML or schema code). */
export const CONFIG_FILE = 'converge.yaml';
export const STORE_DIR = '.converge';
export const STORE_FILE = 'converge.db';

export interface ProjectLocation {
  /** The project's folder: where a marker was found, else the git top folder, else the start. */
  root: string;
  /** What made `root` the project, or undefined when nothing was found and `root` is a fallback. */
  marker: 'config' | 'store' | undefined;
  /** The repository's top folder when the start lies in one. */
  gitRoot: string | undefined;
  /** Where the walk began. */
  start: string;
  /** The last folder the walk looked in (the git top folder, or the filesystem root). */
  searchedUpTo: string;
}

export function findProject(start: string): ProjectLocation {
  const from = resolve(start);
  let dir = from;
  for (;;) {
    if (isFile(join(dir, CONFIG_FILE))) return found(dir, 'config');
    if (isFile(join(dir, STORE_DIR, STORE_FILE))) return found(dir, 'store');
    // `.git` is a folder in a clone and a file in a worktree or submodule.
    if (existsSync(join(dir, '.git'))) return { root: dir, marker: undefined, gitRoot: dir, start: from, searchedUpTo: dir };
    const parent = dirname(dir);
    if (parent === dir) return { root: from, marker: undefined, gitRoot: undefined, start: from, searchedUpTo: dir };
    dir = parent;
  }

  function found(root: string, marker: 'config' | 'store'): ProjectLocation {
    return { root, marker, gitRoot: gitRootOf(root), start: from, searchedUpTo: root };
  }
}

/** The default store of a project: `.converge/converge.db` in its root. */
export function projectStorePath(project: Pick<ProjectLocation, 'root'>): string {
  return join(project.root, STORE_DIR, STORE_FILE);
}

function gitRootOf(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
