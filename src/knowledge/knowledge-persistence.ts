/**
 * The on-disk form of a knowledge index: per-file stat and hash (to skip unchanged files on the
 * next refresh), the file's chunks, and the serialised search index. It is a cache: anything
 * unreadable or from another format version is dropped and rebuilt, never an error.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** Bump when chunking or tokenising changes, so old indexes are rebuilt instead of trusted. */
export const INDEX_FORMAT_VERSION = 1;

const StoredChunkSchema = z.object({
  title: z.string(),
  text: z.string(),
  startLine: z.number().int(),
  endLine: z.number().int(),
  tokens: z.number().int().nonnegative(),
});
export type StoredChunk = z.infer<typeof StoredChunkSchema>;

const StoredFileSchema = z.object({
  mtimeMs: z.number(),
  size: z.number().int().nonnegative(),
  hash: z.string(),
  chunks: z.array(StoredChunkSchema),
});
export type StoredFile = z.infer<typeof StoredFileSchema>;

const PersistedIndexSchema = z.object({
  version: z.literal(INDEX_FORMAT_VERSION),
  files: z.record(z.string(), StoredFileSchema),
  /** MiniSearch's own JSON; rebuilt from the chunks when missing or unreadable. */
  search: z.unknown().optional(),
});
export type PersistedIndex = z.infer<typeof PersistedIndexSchema>;

export type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'loaded'; index: PersistedIndex }
  | { kind: 'discarded'; reason: string };

export async function readPersistedIndex(path: string): Promise<LoadOutcome> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'discarded', reason: `cannot read ${path}: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'discarded', reason: `${path} is not valid JSON` };
  }
  const parsed = PersistedIndexSchema.safeParse(json);
  if (!parsed.success) {
    const version = (json as { version?: unknown } | null)?.version;
    const reason = version !== INDEX_FORMAT_VERSION ? `format version ${String(version)} is not ${INDEX_FORMAT_VERSION}` : 'unexpected shape';
    return { kind: 'discarded', reason: `${path}: ${reason}` };
  }
  return { kind: 'loaded', index: parsed.data };
}

/** Writes through a temporary file and a rename, so a crash or a concurrent reader never sees half a file. */
export async function writePersistedIndex(path: string, index: PersistedIndex): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(index));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
