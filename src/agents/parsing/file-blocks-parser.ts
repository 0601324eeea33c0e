/**
 * The files a programmer agent wrote: `# File: <path>` followed by a fenced block with the full
 * content (the seed's format), or a JSON manifest `{ "files": [{ path, action, content }] }`.
 * Paths are returned as written; the workspace guard decides whether they are allowed.
 */
import { z } from 'zod';
import { FileChangeSchema } from '../../core/records.js';
import type { FileChange } from '../../core/records.js';
import { excerpt, invalidOutput } from './invalid-output.js';
import { jsonCandidates } from './json-candidates.js';
import { closeBlock, fenceOpener, splitLines } from './markdown-fences.js';

/** Quoted in the error and its hint, so a repair prompt can show the agent what to write. */
export const FILE_BLOCKS_FORMAT_EXAMPLE = ['# File: src/example.ts', '```ts', '<the full file content>', '```'].join('\n');

/** `# File: x`, `## File: x`, `File: \`x\``, `**File:** x`; `# Delete: x` removes a file. */
const FILE_HEADER = /^(?:(#{1,6})\s*)?(?:\*\*|__)?\s*(file|delete)\s*:\s*(?:\*\*|__)?\s*(.+?)\s*$/i;
/** Models annotate headers ("src/a.ts (new file)"); the note is not part of the path. */
const ANNOTATION = /\s+\((new|new file|created?|updated?|modified|changed|edited|deleted?)\)\s*$/i;
/** Lines allowed between a header and its fence, for a one-line description. */
const MAX_GAP = 4;

const ManifestSchema = z.object({
  files: z
    .array(
      z
        .object({
          path: z.string().min(1),
          action: z.enum(['create', 'update', 'delete']).optional(),
          content: z.string().optional(),
        })
        .refine((f) => f.action === 'delete' || f.content !== undefined, { message: 'content is required unless action is delete' }),
    )
    .min(1),
});

export function parseFileBlocks(text: string): FileChange[] {
  const errors: string[] = [];
  // Markdown first: a manifest-shaped JSON inside a file's content must not be mistaken for the reply.
  const fromMarkdown = parseMarkdownBlocks(text, errors);
  if (fromMarkdown.length > 0) return dedupe(fromMarkdown);
  for (const candidate of jsonCandidates(text, '"files"')) {
    const parsed = ManifestSchema.safeParse(candidate);
    if (parsed.success) return dedupe(parsed.data.files.map((f) => FileChangeSchema.parse({ ...f, path: cleanPath(f.path) })));
    errors.push(`JSON manifest rejected: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  errors.push('No "# File: <path>" header followed by a fenced code block was found.');
  throw invalidOutput(
    `No files could be read from the programmer's reply: expected "# File: <path>" followed by a fenced code block with the full file content, or a JSON manifest {"files": [{"path", "action", "content"}]}; got ${excerpt(text)}.`,
    errors,
    `Write every file like this:\n${FILE_BLOCKS_FORMAT_EXAMPLE}`,
  );
}

function parseMarkdownBlocks(text: string, errors: string[]): FileChange[] {
  const lines = splitLines(text);
  const files: FileChange[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const header = FILE_HEADER.exec(line.trim());
    const opener = fenceOpener(line);
    if (opener !== undefined) {
      // A block without a header (an example in the summary): skip it whole, so a header quoted
      // inside it is not read as a file.
      const close = closeBlock(lines, i, opener.marker, isHeader);
      i = close === -1 ? lines.length : close;
      continue;
    }
    if (header === null) continue;
    const kind = (header[2] ?? '').toLowerCase();
    const rawPath = header[3] ?? '';
    const action = ANNOTATION.exec(rawPath)?.[1]?.toLowerCase().startsWith('new') ? 'create' : undefined;
    const path = cleanPath(rawPath.replace(ANNOTATION, ''));
    if (path === '') {
      errors.push(`Line ${i + 1}: the file header names no path.`);
      continue;
    }
    if (kind === 'delete') {
      // Only a heading deletes, so prose such as "Delete: the old handler" stays prose.
      if (header[1] !== undefined) files.push({ path, action: 'delete' });
      continue;
    }
    const fenceLine = findFence(lines, i + 1);
    if (fenceLine === -1) {
      errors.push(`Line ${i + 1}: "${path}" has no fenced code block after its header.`);
      continue;
    }
    const marker = fenceOpener(lines[fenceLine] ?? '')?.marker ?? '```';
    const close = closeBlock(lines, fenceLine, marker, isHeader);
    if (close === -1) {
      // A cut-off reply would write a truncated file: reject the whole reply instead.
      throw invalidOutput(
        `The code block for "${path}" is not closed: the reply was probably cut off, and writing a partial file would break the workspace.`,
        [`Line ${fenceLine + 1}: the block opened with ${marker} for "${path}" has no closing ${marker}.`],
        'Reply again with every file complete; split very large files if the reply is too long.',
      );
    }
    const body = lines.slice(fenceLine + 1, close);
    const content = body.length === 0 ? '' : `${body.join('\n')}\n`;
    files.push(action === undefined ? FileChangeSchema.parse({ path, content }) : { path, action, content });
    i = close;
  }
  return files;
}

function isHeader(line: string): boolean {
  return FILE_HEADER.test(line.trim());
}

/** The fence that belongs to a header: within a few lines, and before any other header. */
function findFence(lines: readonly string[], from: number): number {
  for (let j = from; j < lines.length && j <= from + MAX_GAP; j++) {
    const line = lines[j] ?? '';
    if (fenceOpener(line) !== undefined) return j;
    if (isHeader(line)) return -1;
  }
  return -1;
}

function cleanPath(raw: string): string {
  let path = raw.trim();
  for (let previous = ''; previous !== path; ) {
    previous = path;
    path = path.replace(/^(\*\*|__|`|"|')(.*)\1$/, '$2').trim();
  }
  return path;
}

/** A file written twice keeps its last content: models restate a file after fixing it. */
function dedupe(files: FileChange[]): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const file of files) {
    byPath.delete(file.path);
    byPath.set(file.path, file);
  }
  return [...byPath.values()];
}
