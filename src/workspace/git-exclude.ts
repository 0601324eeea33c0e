/**
 * Keeps Converge's own files (worktrees, patches, linked dependency folders) out of the user's
 * `git status` and out of workflow commits, through the repository's `info/exclude` rather than
 * a tracked `.gitignore` the user would have to commit.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { commonDir, isIgnored } from './git.js';

export interface ExcludedPath {
  path: string;
  /**
   * true: a real folder (`/x/`). false: a name that may be a symbolic link, which a pattern
   * ending in "/" would not match (`/x`).
   */
  folder: boolean;
}

// One check per repository and pattern at a time, so concurrent workflows add a line once.
const pending = new Map<string, Promise<void>>();

/** Adds a pattern to info/exclude for each path inside `repo` that git does not ignore yet. */
export async function ensureExcluded(repo: string, paths: readonly ExcludedPath[]): Promise<void> {
  for (const { path, folder } of paths) {
    const rel = relative(repo, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    const pattern = `/${rel.split(sep).join('/')}${folder ? '/' : ''}`;
    const key = `${repo}\0${pattern}`;
    const running = pending.get(key) ?? excludeOnce(repo, pattern);
    pending.set(key, running);
    try {
      await running;
    } finally {
      pending.delete(key);
    }
  }
}

async function excludeOnce(repo: string, pattern: string): Promise<void> {
  if (await isIgnored(repo, pattern.slice(1))) return;
  const file = join(await commonDir(repo), 'info', 'exclude');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current.split(/\r?\n/).includes(pattern)) return;
  mkdirSync(dirname(file), { recursive: true });
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${separator}# added by Converge (isolated workspaces)\n${pattern}\n`);
}
