/**
 * Splits a document into chunks small enough to select under a token budget: markdown by
 * headings (the heading path becomes the title), anything else by line windows (the line
 * range becomes the title). Every non-blank line lands in exactly one chunk, so joining a
 * file's chunks in order gives the document back (for the paste-everything baseline).
 */
import { basename, extname } from 'node:path';
import { MARKDOWN_EXTENSIONS } from './knowledge-files.js';

export interface RawChunk {
  title: string;
  text: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

/** Code is cut into windows of about this many lines. */
export const CODE_WINDOW_LINES = 60;
/** A markdown section longer than this is split; long sections rarely help as a whole. */
export const SECTION_MAX_LINES = 80;
/** About 1,000 tokens: even the smallest role budget can take a chunk. */
export const CHUNK_MAX_CHARS = 4000;

const HEADING = /^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^[ \t]{0,3}(`{3,}|~{3,})/;

export function chunkDocument(path: string, content: string): RawChunk[] {
  const lines = content.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.every((line) => line.trim() === '')) return [];
  if (MARKDOWN_EXTENSIONS.has(extname(path).toLowerCase())) return chunkMarkdown(basename(path), lines);
  return windows(lines, 0, CODE_WINDOW_LINES).map(({ start, end, text }) => ({
    title: `lines ${start + 1}–${end + 1}`,
    text,
    startLine: start + 1,
    endLine: end + 1,
  }));
}

interface Section {
  title: string;
  start: number;
  end: number;
}

function chunkMarkdown(fileName: string, lines: string[]): RawChunk[] {
  const sections: Section[] = [];
  const trail: string[] = [];
  let current: Section = { title: fileName, start: 0, end: -1 };
  let hasBody = false;
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch !== null) {
      const marker = fenceMatch[1]!;
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
    }
    const heading = fence === undefined && fenceMatch === null ? HEADING.exec(line) : null;
    if (heading !== null) {
      const level = heading[1]!.length;
      trail.length = Math.min(trail.length, level - 1);
      while (trail.length < level - 1) trail.push('');
      trail.push(heading[2]!.trim());
      const title = trail.filter((t) => t !== '').join(' › ');
      if (hasBody) {
        sections.push(current);
        current = { title, start: i, end: i };
        hasBody = false;
      } else {
        // A heading with nothing under it yet joins the next section: alone it would be a
        // chunk that matches on its title and says nothing.
        current = { title, start: current.start, end: i };
      }
      return;
    }
    current.end = i;
    if (line.trim() !== '') hasBody = true;
  });
  sections.push(current);

  const chunks: RawChunk[] = [];
  for (const section of sections) {
    const parts = windows(lines.slice(section.start, section.end + 1), section.start, SECTION_MAX_LINES);
    parts.forEach(({ start, end, text }, k) => {
      chunks.push({
        title: parts.length > 1 ? `${section.title} (part ${k + 1})` : section.title,
        text,
        startLine: start + 1,
        endLine: end + 1,
      });
    });
  }
  return chunks;
}

interface Window {
  /** 0-based line indexes in the whole document, inclusive. */
  start: number;
  end: number;
  text: string;
}

/**
 * Cuts lines into windows of at most `maxLines` lines and CHUNK_MAX_CHARS characters,
 * preferring to cut after a blank line in the last quarter so paragraphs and functions stay
 * whole. A single line longer than the limit (minified JSON) is cut by characters.
 */
function windows(lines: string[], offset: number, maxLines: number): Window[] {
  const out: Window[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.length > CHUNK_MAX_CHARS) {
      const line = lines[i]!;
      for (let c = 0; c < line.length; c += CHUNK_MAX_CHARS) {
        out.push({ start: offset + i, end: offset + i, text: line.slice(c, c + CHUNK_MAX_CHARS) });
      }
      i += 1;
      continue;
    }
    let end = i;
    let chars = lines[i]!.length + 1;
    while (end + 1 < lines.length && end + 1 - i < maxLines && chars + lines[end + 1]!.length + 1 <= CHUNK_MAX_CHARS) {
      end += 1;
      chars += lines[end]!.length + 1;
    }
    if (end + 1 < lines.length) {
      const floor = i + Math.floor(((end - i) * 3) / 4);
      for (let j = end; j > floor; j -= 1) {
        if (lines[j]!.trim() === '') {
          end = j;
          break;
        }
      }
    }
    out.push({ start: offset + i, end: offset + end, text: lines.slice(i, end + 1).join('\n') });
    i = end + 1;
  }
  return out.filter((w) => w.text.trim() !== '');
}
