/**
 * A planner's reply: a markdown plan. Models sometimes wrap the whole plan in a ```markdown fence;
 * that wrapper is removed so the stored plan is the document itself.
 */
import { excerpt, invalidOutput } from './invalid-output.js';
import { fenceOpener, findClosingFence, splitLines } from './markdown-fences.js';

/** Shorter than this is an apology or a refusal, not a plan. */
export const MIN_PLAN_CHARS = 40;

export interface ParsedPlan {
  content: string;
  /** The first level-1 heading, without the `#`. */
  title?: string;
}

export function parsePlan(text: string): ParsedPlan {
  const content = unwrapFence(text.trim()).trim();
  if (content.length < MIN_PLAN_CHARS) {
    throw invalidOutput(
      `The planner's reply is not a plan: expected a markdown implementation plan starting with "# Implementation Plan: <title>"; got ${excerpt(content)}.`,
      [`The reply has ${content.length} characters after trimming; a plan needs at least ${MIN_PLAN_CHARS}.`],
      'Reply with the complete implementation plan in markdown, using the headings the prompt lists.',
    );
  }
  const title = findTitle(content);
  return title === undefined ? { content } : { content, title };
}

/** Removes a fence around the whole text; fences around parts of it stay. */
function unwrapFence(text: string): string {
  const lines = splitLines(text);
  const opener = fenceOpener(lines[0] ?? '');
  if (opener === undefined) return text;
  const lang = opener.info.toLowerCase();
  if (lang !== '' && lang !== 'markdown' && lang !== 'md') return text;
  const last = lines.length - 1;
  const wraps =
    findClosingFence(lines, 0, opener.marker, true) === last ||
    // An unbalanced inner fence defeats the nested scan; an explicit markdown fence that ends the text still wraps it.
    (lang !== '' && last > 0 && fenceOpener(lines[last] ?? '')?.info === '' && (lines[last] ?? '').trim().startsWith(opener.marker));
  return wraps ? lines.slice(1, last).join('\n') : text;
}

function findTitle(content: string): string | undefined {
  const lines = splitLines(content);
  let i = 0;
  // Skip YAML front matter, which the seed's plans carry.
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, n) => n > 0 && l.trim() === '---');
    if (end !== -1) i = end + 1;
  }
  let inFence: string | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const opener = fenceOpener(line);
    if (inFence !== undefined) {
      if (opener !== undefined && opener.info === '' && line.trim().startsWith(inFence)) inFence = undefined;
      continue;
    }
    if (opener !== undefined) {
      inFence = opener.marker;
      continue;
    }
    const heading = /^#\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading !== null) return heading[1];
  }
  return undefined;
}
