/**
 * The fallback when the workspace is not in a git work tree: a walk of the folder recording
 * size, mtime and a content hash of each file, compared before and after the run. Creating a
 * throwaway repository instead would leave a .git behind in the user's folder (or lie about
 * what a real one would ignore). `.git` and `node_modules` are skipped at any depth, since no
 * .gitignore is there to do it.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConvergeError } from '../../core/errors.js';
import { isIgnored } from './snapshot-changes.js';
import type { RawChange, WorkspaceProbe } from './snapshot-changes.js';

const SKIPPED_NAMES = new Set(['.git', 'node_modules']);
/** Past this many files a walk costs more than it is worth; git is the answer then. */
export const MAX_WALKED_FILES = 100_000;
/** Larger files are compared by size and mtime only. */
const MAX_HASHED_BYTES = 16 * 1024 * 1024;

export interface WalkEntry {
  kind: 'file' | 'link';
  size: number;
  mtimeMs: number;
  digest: string;
}

export function filesystemSnapshot(workspace: string, ignore: readonly string[]): WorkspaceProbe {
  const before = walk(workspace, ignore, new Map());
  return {
    method: 'files',
    changes: async () => compareWalks(before, walk(workspace, ignore, before)),
  };
}

/** The paths that differ between two walks of one folder. */
export function compareWalks(before: ReadonlyMap<string, WalkEntry>, after: ReadonlyMap<string, WalkEntry>): RawChange[] {
  const changes: RawChange[] = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (old !== undefined && old.kind === entry.kind && old.digest === entry.digest) continue;
    const change: RawChange = { path, action: old === undefined ? 'create' : 'update' };
    if (entry.kind === 'link') change.skip = 'it is a symbolic link, which a file change cannot carry';
    changes.push(change);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push({ path, action: 'delete' });
  return changes;
}

/** `previous` lets an unchanged file (same size and mtime) keep its digest without being read again. */
export function walk(root: string, ignore: readonly string[], previous: ReadonlyMap<string, WalkEntry>): Map<string, WalkEntry> {
  const entries = new Map<string, WalkEntry>();
  const pending: string[] = [''];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let names;
    try {
      names = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      continue; // unreadable or vanished: nothing to compare
    }
    for (const dirent of names) {
      const rel = dir === '' ? dirent.name : `${dir}/${dirent.name}`;
      if (SKIPPED_NAMES.has(dirent.name) || isIgnored(rel, ignore)) continue;
      const abs = join(root, rel);
      if (dirent.isDirectory()) {
        pending.push(rel);
        continue;
      }
      const entry = describe(abs, dirent.isSymbolicLink(), previous.get(rel));
      if (entry === undefined) continue;
      entries.set(rel, entry);
      if (entries.size > MAX_WALKED_FILES) {
        throw new ConvergeError('WORKSPACE_INVALID', `The workspace ${root} has more than ${MAX_WALKED_FILES} files to compare without git.`, {
          hint: 'Make the workspace a git repository (git init) so a command agent’s changes are taken from git.',
        });
      }
    }
  }
  return entries;
}

function describe(abs: string, isLink: boolean, previous: WalkEntry | undefined): WalkEntry | undefined {
  try {
    if (isLink) return { kind: 'link', size: 0, mtimeMs: 0, digest: readlinkSync(abs) };
    const stats = lstatSync(abs);
    if (!stats.isFile()) return undefined;
    if (previous !== undefined && previous.kind === 'file' && previous.size === stats.size && previous.mtimeMs === stats.mtimeMs) {
      return previous;
    }
    const digest =
      stats.size > MAX_HASHED_BYTES ? `${stats.size}:${stats.mtimeMs}` : createHash('sha256').update(readFileSync(abs)).digest('hex');
    return { kind: 'file', size: stats.size, mtimeMs: stats.mtimeMs, digest };
  } catch {
    return undefined;
  }
}
