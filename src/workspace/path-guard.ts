/**
 * Confines agent file writes to the workspace: no `..`, no absolute paths, no symlink escapes.
 * Agent output is untrusted; every path it names goes through here.
 */
import { existsSync, lstatSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { ConvergeError } from '../core/errors.js';
import type { FileChange } from '../core/records.js';

/** Returns the absolute path inside `root`, or throws PATH_ESCAPE saying why. */
export function resolveInside(root: string, requested: string, readOnly: readonly string[] = []): string {
  const clean = requested.trim();
  if (clean === '' || clean.includes('\0')) throw escape(requested, 'the path is empty or contains a NUL byte');
  if (isAbsolute(clean) || /^[a-zA-Z]:[\\/]/.test(clean)) throw escape(requested, 'absolute paths are not allowed');
  const normal = normalize(clean);
  if (normal === '..' || normal.startsWith(`..${sep}`) || normal.split(sep).includes('..')) {
    throw escape(requested, 'it leaves the workspace through ".."');
  }
  const realRoot = realpathSync(root);
  const target = join(realRoot, normal);
  // The deepest existing ancestor decides: a symlinked folder may point anywhere.
  let probe = target;
  while (!existsSync(probe) && probe !== realRoot) probe = dirname(probe);
  if (existsSync(probe)) {
    const real = lstatSync(probe).isSymbolicLink() || probe !== target ? realpathSync(probe) : realpathSync(probe);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) throw escape(requested, 'a symbolic link points outside the workspace');
  }
  const rel = relative(realRoot, target);
  for (const protectedPath of readOnly) {
    const p = normalize(protectedPath);
    if (rel === p || rel.startsWith(p + sep)) throw escape(requested, `"${protectedPath}" is read-only in this workspace`);
  }
  return target;
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
    if (existsSync(target) && lstatSync(target).isSymbolicLink()) {
      result.refused.push({ path: change.path, reason: `Refused to write "${change.path}": it is a symbolic link.` });
      continue;
    }
    if (change.action === 'delete') {
      rmSync(target, { force: true });
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, change.content ?? '');
    }
    result.written.push(change.path);
  }
  return result;
}
