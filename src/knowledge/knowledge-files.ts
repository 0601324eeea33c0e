/**
 * Finds the documents behind a list of documentation locations (globs or plain folders) and
 * says why any candidate was left out, so `converge kb index` can explain a missing file.
 */
import { stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { statSync } from 'node:fs';
import { glob, isDynamicPattern } from 'tinyglobby';

/** Extensions read as text; anything else is skipped before it is opened. */
export const TEXT_EXTENSIONS: ReadonlySet<string> = new Set([
  '.md', '.mdx', '.markdown', '.txt',
  '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.py',
  '.json', '.yaml', '.yml',
]);

export const MARKDOWN_EXTENSIONS: ReadonlySet<string> = new Set(['.md', '.mdx', '.markdown']);

/** Folders never indexed: dependencies, VCS data, Converge's own state, build output. */
export const IGNORED_DIRECTORIES: readonly string[] = ['node_modules', '.git', '.converge', 'dist'];

export const DEFAULT_MAX_FILE_BYTES = 512 * 1024;

export interface DiscoveredFile {
  /** The index key: relative to the workspace with `/` separators, or absolute when outside it. */
  path: string;
  absolute: string;
  size: number;
  mtimeMs: number;
}

export type SkipReason = 'unsupported-type' | 'too-large' | 'binary' | 'unreadable';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
}

export interface Discovery {
  files: DiscoveredFile[];
  skipped: SkippedFile[];
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** The key a file is stored under; documents outside the workspace keep their absolute path. */
export function indexKey(root: string, absolute: string): string {
  const rel = relative(root, absolute);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return toPosix(absolute);
  return toPosix(rel);
}

/**
 * Turns documentation locations into tinyglobby patterns: a folder means everything below it
 * (the seed lists folders such as `slipbox/1_design/`), `!pattern` excludes.
 */
export function toPatterns(root: string, locations: readonly string[]): { patterns: string[]; ignore: string[] } {
  const patterns: string[] = [];
  const ignore: string[] = [];
  for (const raw of locations) {
    const location = raw.trim();
    if (location === '') continue;
    if (location.startsWith('!')) {
      ignore.push(relativePattern(root, location.slice(1)));
      continue;
    }
    let pattern = relativePattern(root, location);
    if (!isDynamicPattern(pattern) && isDirectory(resolve(root, pattern))) {
      pattern = `${pattern.replace(/\/+$/, '') || '.'}/**/*`;
    }
    patterns.push(pattern);
  }
  return { patterns, ignore };
}

function relativePattern(root: string, location: string): string {
  const posix = location.replace(/\\/g, '/');
  // tinyglobby works best with patterns relative to its cwd.
  return isAbsolute(location) ? toPosix(relative(root, location)) || '.' : posix;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export async function discoverFiles(root: string, locations: readonly string[], maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<Discovery> {
  const { patterns, ignore } = toPatterns(root, locations);
  if (patterns.length === 0) return { files: [], skipped: [] };
  const found = await glob(patterns, {
    cwd: root,
    absolute: true,
    onlyFiles: true,
    expandDirectories: false,
    ignore: [...IGNORED_DIRECTORIES.map((dir) => `**/${dir}/**`), ...ignore],
  });
  const files: DiscoveredFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const absolute of [...new Set(found)].sort()) {
    const path = indexKey(root, absolute);
    if (!TEXT_EXTENSIONS.has(extname(absolute).toLowerCase())) {
      skipped.push({ path, reason: 'unsupported-type' });
      continue;
    }
    try {
      const info = await stat(absolute);
      if (info.size > maxFileBytes) skipped.push({ path, reason: 'too-large' });
      else files.push({ path, absolute, size: info.size, mtimeMs: info.mtimeMs });
    } catch {
      skipped.push({ path, reason: 'unreadable' });
    }
  }
  return { files, skipped };
}

/** A NUL byte in the first 8 KiB is the usual sign of a binary file with a text extension. */
export function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8192).includes(0);
}
