/**
 * A searchable index of a workspace's documentation. It is incremental: the index is saved
 * under `.converge/knowledge/index.json` with each file's mtime, size and hash, and `refresh()`
 * re-reads only files that are new or changed and drops those that disappeared.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import MiniSearch from 'minisearch';
import type { AsPlainObject } from 'minisearch';
import { chunkDocument } from './knowledge-chunker.js';
import { endSentence } from '../core/messages.js';
import { DEFAULT_MAX_FILE_BYTES, discoverFiles, looksBinary } from './knowledge-files.js';
import type { SkippedFile } from './knowledge-files.js';
import { INDEX_FORMAT_VERSION, readPersistedIndex, writePersistedIndex } from './knowledge-persistence.js';
import type { StoredFile } from './knowledge-persistence.js';
import { SEARCH_INDEX_OPTIONS, SEARCH_QUERY_OPTIONS } from './knowledge-terms.js';
import type { SearchDocument } from './knowledge-terms.js';
import { countTokens } from './knowledge-tokens.js';

export interface KnowledgeChunk {
  /** `<path>#<n>`: stable while the file is unchanged. */
  id: string;
  path: string;
  /** The markdown heading path ("Guide › Setup") or the line range of a code window. */
  title: string;
  text: string;
  startLine: number;
  endLine: number;
  tokens: number;
}

export interface ScoredChunk extends KnowledgeChunk {
  score: number;
}

export interface KnowledgeDocument {
  path: string;
  text: string;
}

export interface KnowledgeIndexOptions {
  /** The workspace; relative globs and document paths are relative to it. */
  root: string;
  /** Documentation locations: globs, or folders meaning everything below them. */
  globs: readonly string[];
  /** Where the index is saved; `false` keeps it in memory only. Default `<root>/.converge/knowledge/index.json`. */
  indexPath?: string | false;
  maxFileBytes?: number;
}

export interface RefreshResult {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Files whose content was read from disk in this refresh. */
  read: number;
  files: number;
  chunks: number;
  changes: { added: string[]; updated: string[]; removed: string[] };
  skipped: SkippedFile[];
  /** Problems that did not stop the refresh (an unreadable saved index, a failed save). */
  warnings: string[];
}

export interface SearchLimit {
  limit?: number;
}

export const DEFAULT_INDEX_PATH = join('.converge', 'knowledge', 'index.json');

export class KnowledgeIndex {
  readonly root: string;
  readonly globs: readonly string[];
  readonly indexPath: string | undefined;
  readonly #maxFileBytes: number;
  #files = new Map<string, StoredFile>();
  #chunks = new Map<string, KnowledgeChunk>();
  #search = new MiniSearch<SearchDocument>(SEARCH_INDEX_OPTIONS);
  #loaded = false;
  /** Set when the saved search index had to be rebuilt, so the next refresh saves it again. */
  #stale = false;
  #refreshing: Promise<RefreshResult> | undefined;

  constructor(options: KnowledgeIndexOptions) {
    this.root = resolve(options.root);
    this.globs = [...options.globs];
    this.indexPath = options.indexPath === false ? undefined : resolve(this.root, options.indexPath ?? DEFAULT_INDEX_PATH);
    this.#maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  /** An index that is loaded and brought up to date with the files on disk. */
  static async open(options: KnowledgeIndexOptions): Promise<KnowledgeIndex> {
    const index = new KnowledgeIndex(options);
    await index.refresh();
    return index;
  }

  get fileCount(): number {
    return this.#files.size;
  }

  get chunkCount(): number {
    return this.#chunks.size;
  }

  /** Reads the saved index, if any, without touching the documents. Returns a warning when it had to be discarded. */
  async load(): Promise<string | undefined> {
    this.#loaded = true;
    if (this.indexPath === undefined) return undefined;
    const outcome = await readPersistedIndex(this.indexPath);
    if (outcome.kind !== 'loaded') return outcome.kind === 'discarded' ? endSentence(`Rebuilding the knowledge index: ${outcome.reason}`) : undefined;
    this.#files = new Map(Object.entries(outcome.index.files));
    this.#chunks = new Map();
    for (const [path, file] of this.#files) for (const chunk of chunksOf(path, file)) this.#chunks.set(chunk.id, chunk);
    try {
      this.#search = MiniSearch.loadJS(outcome.index.search as AsPlainObject, SEARCH_INDEX_OPTIONS);
      if (this.#search.documentCount !== this.#chunks.size) throw new Error('chunk count mismatch');
    } catch {
      this.#search = new MiniSearch<SearchDocument>(SEARCH_INDEX_OPTIONS);
      this.#search.addAll([...this.#chunks.values()].map(searchDocument));
      this.#stale = true;
    }
    return undefined;
  }

  /** Brings the index up to date with the files on disk and saves it. Concurrent calls share one run. */
  refresh(): Promise<RefreshResult> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<RefreshResult> {
    const warnings: string[] = [];
    if (!this.#loaded) {
      const warning = await this.load();
      if (warning !== undefined) warnings.push(warning);
    }
    const { files, skipped } = await discoverFiles(this.root, this.globs, this.#maxFileBytes);
    const changes = { added: [] as string[], updated: [] as string[], removed: [] as string[] };
    let unchanged = 0;
    let read = 0;
    let touched = this.#stale;
    this.#stale = false;
    const seen = new Set<string>();

    for (const file of files) {
      const previous = this.#files.get(file.path);
      if (previous !== undefined && previous.mtimeMs === file.mtimeMs && previous.size === file.size) {
        seen.add(file.path);
        unchanged += 1;
        continue;
      }
      let content: Buffer;
      try {
        content = await readFile(file.absolute);
        read += 1;
      } catch {
        skipped.push({ path: file.path, reason: 'unreadable' });
        continue;
      }
      if (looksBinary(content)) {
        skipped.push({ path: file.path, reason: 'binary' });
        continue;
      }
      seen.add(file.path);
      touched = true;
      const hash = createHash('sha256').update(content).digest('hex');
      if (previous !== undefined && previous.hash === hash) {
        // Touched but not edited (a checkout, a formatter that changed nothing): keep the chunks.
        this.#files.set(file.path, { ...previous, mtimeMs: file.mtimeMs, size: file.size });
        unchanged += 1;
        continue;
      }
      if (previous !== undefined) this.#drop(file.path, previous);
      const text = content.toString('utf8');
      const stored: StoredFile = {
        mtimeMs: file.mtimeMs,
        size: file.size,
        hash,
        chunks: chunkDocument(file.path, text).map((chunk) => ({ ...chunk, tokens: countTokens(chunk.text) })),
      };
      this.#files.set(file.path, stored);
      const chunks = chunksOf(file.path, stored);
      for (const chunk of chunks) this.#chunks.set(chunk.id, chunk);
      this.#search.addAll(chunks.map(searchDocument));
      (previous === undefined ? changes.added : changes.updated).push(file.path);
    }

    for (const [path, file] of [...this.#files]) {
      if (seen.has(path)) continue;
      this.#drop(path, file);
      changes.removed.push(path);
      touched = true;
    }

    if (this.#search.dirtCount > 0) await this.#search.vacuum();
    if (this.indexPath !== undefined && (touched || warnings.length > 0)) {
      try {
        await writePersistedIndex(this.indexPath, {
          version: INDEX_FORMAT_VERSION,
          files: Object.fromEntries(this.#files),
          search: this.#search.toJSON(),
        });
      } catch (error) {
        warnings.push(`Could not save the knowledge index to ${this.indexPath}: ${endSentence((error as Error).message)} It works from memory this time.`);
      }
    }
    return {
      added: changes.added.length,
      updated: changes.updated.length,
      removed: changes.removed.length,
      unchanged,
      read,
      files: this.#files.size,
      chunks: this.#chunks.size,
      changes,
      skipped,
      warnings,
    };
  }

  #drop(path: string, file: StoredFile): void {
    file.chunks.forEach((_, n) => {
      const id = chunkId(path, n);
      this.#chunks.delete(id);
      if (this.#search.has(id)) this.#search.discard(id);
    });
    this.#files.delete(path);
  }

  /** Chunks ranked by relevance to `query` (BM25 with title and path boosted). */
  search(query: string, options: SearchLimit = {}): ScoredChunk[] {
    if (query.trim() === '') return [];
    const limit = options.limit ?? 10;
    const out: ScoredChunk[] = [];
    for (const result of this.#search.search(query, SEARCH_QUERY_OPTIONS)) {
      const chunk = this.#chunks.get(String(result.id));
      if (chunk === undefined) continue;
      out.push({ ...chunk, score: result.score });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every chunk, by path and then position. */
  chunks(): KnowledgeChunk[] {
    return [...this.#files.keys()].sort().flatMap((path) => chunksOf(path, this.#files.get(path)!));
  }

  /** Every document in full, rebuilt from its chunks (blank-only stretches aside). */
  documents(): KnowledgeDocument[] {
    return [...this.#files.keys()].sort().map((path) => ({
      path,
      text: this.#files.get(path)!.chunks.map((c) => c.text).join('\n'),
    }));
  }
}

function chunkId(path: string, n: number): string {
  return `${path}#${n}`;
}

function chunksOf(path: string, file: StoredFile): KnowledgeChunk[] {
  return file.chunks.map((chunk, n) => ({ id: chunkId(path, n), path, ...chunk }));
}

function searchDocument(chunk: KnowledgeChunk): SearchDocument {
  return { id: chunk.id, title: chunk.title, text: chunk.text, path: chunk.path };
}
