/**
 * Fenced code blocks in agent output. Models fence file contents, JSON reports and examples, and
 * they nest fences (a README inside a ``` block), so the scanner is more forgiving than CommonMark.
 */

export interface FenceOpener {
  /** The run of backticks or tildes that opened the block; a closer needs at least as many. */
  marker: string;
  /** The info string after the marker, usually the language (`ts`, `json`, `markdown`). */
  info: string;
}

export interface FencedBlock {
  /** Line index of the opening fence. */
  start: number;
  /** Line index of the closing fence. */
  end: number;
  info: string;
  content: string;
}

// Indentation is allowed because models indent fences inside list items.
const OPENER = /^\s*(`{3,}|~{3,})\s*(.*?)\s*$/;

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

export function fenceOpener(line: string): FenceOpener | undefined {
  const match = OPENER.exec(line);
  if (match === null) return undefined;
  const marker = match[1] ?? '';
  const info = match[2] ?? '';
  // CommonMark: a backtick fence's info string cannot contain backticks (that is inline code).
  if (marker.startsWith('`') && info.includes('`')) return undefined;
  return { marker, info };
}

function isCloser(line: string, marker: string): boolean {
  const trimmed = line.trim();
  const char = marker[0] ?? '`';
  return trimmed.length >= marker.length && [...trimmed].every((c) => c === char);
}

/**
 * Index of the line that closes the block opened at `openLine`, or -1 when none does.
 * With `nested`, an inner opener that carries an info string (```ts) must be closed before the
 * outer block can be, which keeps a markdown file fenced with three backticks in one piece.
 * `isBoundary` marks lines that cannot sit inside the block outside an inner fence (the next
 * `# File:` header); meeting one makes the nested reading fail.
 */
export function findClosingFence(
  lines: readonly string[],
  openLine: number,
  marker: string,
  nested: boolean,
  isBoundary?: (line: string) => boolean,
): number {
  let depth = 0;
  for (let i = openLine + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (isCloser(line, marker)) {
      if (depth === 0) return i;
      depth--;
      continue;
    }
    if (!nested) continue;
    if (depth === 0 && isBoundary?.(line) === true) return -1;
    const inner = fenceOpener(line);
    if (inner !== undefined && inner.info !== '' && inner.marker[0] === marker[0] && inner.marker.length >= marker.length) {
      depth++;
    }
  }
  return -1;
}

/**
 * Nested scan first; when that never closes or runs into a boundary (an unbalanced inner fence
 * swallowed the next file), plain CommonMark rules: the first bare fence closes the block.
 */
export function closeBlock(
  lines: readonly string[],
  openLine: number,
  marker: string,
  isBoundary?: (line: string) => boolean,
): number {
  const nested = findClosingFence(lines, openLine, marker, true, isBoundary);
  return nested !== -1 ? nested : findClosingFence(lines, openLine, marker, false);
}

/** Top-level fenced blocks, in order. An unclosed block runs to the end of the text. */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = splitLines(text);
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const opener = fenceOpener(lines[i] ?? '');
    if (opener === undefined) continue;
    const close = closeBlock(lines, i, opener.marker);
    const end = close === -1 ? lines.length : close;
    blocks.push({ start: i, end, info: opener.info, content: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** The text with every fenced block blanked out, so examples inside fences are not read as findings. */
export function withoutFencedBlocks(text: string): string[] {
  const lines = splitLines(text);
  for (const block of fencedBlocks(text)) {
    for (let i = block.start; i <= block.end && i < lines.length; i++) lines[i] = '';
  }
  return lines;
}
