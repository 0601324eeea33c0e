/**
 * Turns the paths a command agent changed into `FileChange`s with their full new content.
 * Every path goes through the workspace path guard even though git and the folder walk can only
 * name paths inside it: a symlink the agent created may still point out. What cannot be recorded
 * is reported with its reason, never silently lost.
 */
import { lstatSync, readFileSync } from 'node:fs';
import type { FileChange } from '../../core/records.js';
import { resolveInside } from '../path-guard.js';

/** Converge's own state folder: its database changes during every run. */
export const ALWAYS_IGNORED = ['.converge'];

/** A changed file is recorded whole in the event log; past this size it is reported instead. */
export const MAX_RECORDED_FILE_BYTES = 2 * 1024 * 1024;

export interface RawChange {
  /** Relative to the workspace, with "/" separators. */
  path: string;
  action: 'create' | 'update' | 'delete';
  /** Why the path cannot become a file change (a symlink, a submodule). */
  skip?: string;
}

/** A snapshot taken before the run; `changes()` compares it with the workspace now. */
export interface WorkspaceProbe {
  readonly method: 'git' | 'files';
  changes(): Promise<RawChange[]>;
}

export interface PathNote {
  path: string;
  reason: string;
}

export interface CollectedChanges {
  files: FileChange[];
  /** Paths the path guard refused: outside the workspace, or reached through a symlink that leaves it. */
  refused: PathNote[];
  /** Paths inside the workspace that a file change cannot carry: binary, too large, symlinks. */
  skipped: PathNote[];
}

/** `ALWAYS_IGNORED` folders, and the preset's prefixes (e.g. ".aider" for .aider.tags.cache.v4/). */
export function isIgnored(path: string, presetIgnore: readonly string[]): boolean {
  return ALWAYS_IGNORED.some((p) => path === p || path.startsWith(`${p}/`)) || presetIgnore.some((p) => path.startsWith(p));
}

export function collectChanges(workspace: string, raw: readonly RawChange[], presetIgnore: readonly string[]): CollectedChanges {
  const result: CollectedChanges = { files: [], refused: [], skipped: [] };
  for (const change of [...raw].sort((a, b) => a.path.localeCompare(b.path))) {
    if (isIgnored(change.path, presetIgnore)) continue;
    let target: string;
    try {
      target = resolveInside(workspace, change.path);
    } catch (error) {
      result.refused.push({ path: change.path, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (change.skip !== undefined) {
      result.skipped.push({ path: change.path, reason: change.skip });
      continue;
    }
    if (change.action === 'delete') {
      result.files.push({ path: change.path, action: 'delete' });
      continue;
    }
    const content = readRecordable(target);
    if (typeof content === 'string') result.files.push({ path: change.path, action: change.action, content });
    else result.skipped.push({ path: change.path, reason: content.reason });
  }
  return result;
}

function readRecordable(target: string): string | { reason: string } {
  let stats;
  try {
    stats = lstatSync(target);
  } catch {
    return { reason: 'it disappeared before it could be read' };
  }
  if (stats.isSymbolicLink()) return { reason: 'it is a symbolic link, which a file change cannot carry' };
  if (!stats.isFile()) return { reason: 'it is not a regular file' };
  if (stats.size > MAX_RECORDED_FILE_BYTES) return { reason: `it is larger than ${MAX_RECORDED_FILE_BYTES} bytes` };
  const buffer = readFileSync(target);
  // The same test git uses: a NUL byte in the first 8000 bytes means binary.
  if (buffer.subarray(0, 8000).includes(0)) return { reason: 'it is a binary file' };
  return buffer.toString('utf8');
}

/** A short note for the agent's text, so whoever reads the step output sees what was left out. */
export function describeOmissions(changes: CollectedChanges): string {
  const lines = [
    ...changes.refused.map((n) => `- ${n.path}: refused — ${n.reason}`),
    ...changes.skipped.map((n) => `- ${n.path}: not recorded — ${n.reason}`),
  ];
  return lines.length === 0 ? '' : `\n\n[converge] Changed paths left out of this step's file changes:\n${lines.join('\n')}\n`;
}
