/**
 * Confines agent file writes to the workspace: no `..`, no absolute paths, no symlink escapes
 * (dangling links included), no writes into the profile's read-only paths.
 * Agent output is untrusted; every path it names goes through here. The check and the write are
 * two steps, so this guards against what an agent asks for, not against another process that
 * swaps a folder for a link in between.
 */
import {
  closeSync,
  existsSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { ConvergeError } from '../core/errors.js';
import type { FileChange } from '../core/records.js';

const TRAILING_SEPARATORS = /[\\/]+$/;

/** Returns the absolute path inside `root`, or throws PATH_ESCAPE saying why. */
export function resolveInside(root: string, requested: string, readOnly: readonly string[] = []): string {
  const clean = requested.trim();
  if (clean === '' || clean.includes('\0')) throw escape(requested, 'the path is empty or contains a NUL byte');
  if (isAbsolute(clean) || /^[a-zA-Z]:[\\/]/.test(clean)) throw escape(requested, 'absolute paths are not allowed');
  const normal = normalize(clean).replace(TRAILING_SEPARATORS, '');
  if (normal === '..' || normal.startsWith(`..${sep}`) || normal.split(sep).includes('..')) {
    throw escape(requested, 'it leaves the workspace through ".."');
  }
  if (normal === '.' || normal === '') throw escape(requested, 'it names the workspace itself, not a file');
  const realRoot = realRootOf(root);
  const target = join(realRoot, normal);
  const real = realTarget(realRoot, normal);
  if (real === undefined) throw escape(requested, 'a symbolic link on the path points to nothing, so where it writes is unknown');
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw escape(requested, 'a symbolic link points outside the workspace');
  // Checked on both the path as named and where it really lands: a link inside the workspace
  // (`docs -> .git`) must not open a way into a read-only folder.
  for (const rel of new Set([relative(realRoot, target), relative(realRoot, real)])) {
    const hit = readOnly.find((p) => covers(p, rel));
    if (hit !== undefined) throw escape(requested, `"${hit}" is read-only in this workspace`);
  }
  return target;
}

/**
 * The workspace root with its links resolved, once per root: an engine writes into the same few
 * workspaces for the whole process. Only the root is remembered; every path below it is resolved
 * again on every call, so a link an agent made since is still seen. Writes land under the root as
 * it was first resolved, which is where they would have gone anyway.
 */
const realRoots = new Map<string, string>();
const REAL_ROOTS_KEPT = 256;

function realRootOf(root: string): string {
  // A relative root depends on the working folder, which may change: not remembered.
  if (!isAbsolute(root)) return realpathSync(root);
  let real = realRoots.get(root);
  if (real === undefined) {
    real = realpathSync(root);
    if (realRoots.size >= REAL_ROOTS_KEPT) realRoots.clear();
    realRoots.set(root, real);
  }
  return real;
}

/**
 * Where `normal` really lands: the deepest part of it that exists (symbolic links count, even
 * dangling ones, which is why this uses lstat) resolved by the file system, plus the rest.
 * Undefined when that part is a link that points nowhere — writing through it could create a
 * file anywhere.
 */
function realTarget(realRoot: string, normal: string): string | undefined {
  const parts = normal.split(sep);
  for (let depth = parts.length; depth > 0; depth--) {
    const probe = join(realRoot, ...parts.slice(0, depth));
    if (!lexists(probe)) continue;
    if (!existsSync(probe)) return undefined;
    return join(realpathSync(probe), ...parts.slice(depth));
  }
  return join(realRoot, normal);
}

function lexists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** Whether the read-only entry covers `rel`; compared without case, so `.GIT/config` on a case-insensitive disk is caught. */
function covers(readOnlyPath: string, rel: string): boolean {
  const p = normalize(readOnlyPath).replace(TRAILING_SEPARATORS, '').toLowerCase();
  const r = rel.toLowerCase();
  if (p === '.' || p === '') return true;
  return r === p || r.startsWith(p + sep);
}

function escape(path: string, why: string): ConvergeError {
  return new ConvergeError('PATH_ESCAPE', `Refused to write "${path}": ${why}.`, {
    hint: 'Agents may only write files inside the workspace, with paths relative to its root.',
    details: { path },
  });
}

export interface WriteResult {
  written: string[];
  refused: Array<{ path: string; reason: string }>;
}

/** Applies file changes inside the workspace; refused paths are reported, never written. */
export function applyFileChanges(root: string, changes: readonly FileChange[], readOnly: readonly string[] = []): WriteResult {
  const result: WriteResult = { written: [], refused: [] };
  for (const change of changes) {
    let target: string;
    try {
      target = resolveInside(root, change.path, readOnly);
    } catch (error) {
      result.refused.push({ path: change.path, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const existing = lstatSync(target, { throwIfNoEntry: false });
    if (existing?.isSymbolicLink() === true) {
      result.refused.push({ path: change.path, reason: `Refused to write "${change.path}": it is a symbolic link.` });
      continue;
    }
    if (change.action === 'delete') {
      rmSync(target, { force: true });
    } else {
      const content = Buffer.from(change.content ?? '', 'utf8');
      if (existing?.isFile() === true) {
        if (!holds(target, existing, content)) overwrite(target, content);
      } else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
    result.written.push(change.path);
  }
  return result;
}

/**
 * Whether the file already holds exactly `content`: then it is not written again. A rewrite
 * costs more than the read (and would touch the file's time, waking watchers and making git
 * hash it again), and agents that refine code often hand back files they did not change.
 */
function holds(target: string, existing: Stats, content: Buffer): boolean {
  return existing.size === content.length && readFileSync(target).equals(content);
}

/**
 * Replaces an existing file's content in place: written over from the start, then cut to its new
 * length. The same file (inode, mode, links) as opening it truncated, as writeFileSync does, but
 * without freeing its blocks first: on ext4 a truncate-to-zero and rewrite costs about six times
 * as much system time, because it frees the blocks and forces their reallocation on close.
 */
function overwrite(target: string, content: Buffer): void {
  const fd = openSync(target, 'r+');
  try {
    for (let done = 0; done < content.length; ) done += writeSync(fd, content, done, content.length - done, done);
    ftruncateSync(fd, content.length);
  } finally {
    closeSync(fd);
  }
}
