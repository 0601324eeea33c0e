/**
 * Output cut off mid-structure is never accepted as complete. A model that hit its token limit
 * (and a CLI agent whose run ended early) leaves text that parses — a review cut at `- [Crit`
 * still has its scores — but says less than its author meant: the critical issue is lost. Such
 * text is invalid output, named `truncated`, and gets the repair prompt like any other.
 *
 * The rules are about the end of the text only, where a cut shows: an open code fence, a list
 * item, link or emphasis left open on the last line, a heading (or a `# File:` header) with
 * nothing under it, a table row without its closing bar.
 */
import { invalidOutput } from './invalid-output.js';

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

/** Why `text` ends mid-structure, or undefined when it ends cleanly. */
export function truncationOf(text: string): string | undefined {
  const lines = text.replace(/\s+$/, '').split('\n');
  let open: { marker: string; line: number } | undefined;
  for (const [index, line] of lines.entries()) {
    const fence = FENCE.exec(line);
    if (fence === null) continue;
    const marker = fence[1]!;
    if (open === undefined) open = { marker, line: index + 1 };
    else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && line.trim() === marker) open = undefined;
  }
  if (open !== undefined) return `inside a code block opened at line ${open.line} and never closed`;
  const last = lines.at(-1)?.trim() ?? '';
  if (last === '') return undefined;
  const quoted = `"${last.length > 60 ? `…${last.slice(-60)}` : last}"`;
  if (/^(#{1,6}\s|#\s*File:)/i.test(last)) return `with a heading and nothing under it: ${quoted}`;
  if (/^([-*+]|\d+[.)])$/.test(last)) return `with an empty list item: ${quoted}`;
  if (count(last, '[') > count(last, ']')) return `mid-item, with a "[" left open: ${quoted}`;
  if (count(last, '(') > count(last, ')') && /\]\([^)]*$/.test(last)) return `mid-link: ${quoted}`;
  if (count(last, '**') % 2 === 1) return `mid-emphasis, with a "**" left open: ${quoted}`;
  if (last.startsWith('|') && !last.endsWith('|')) return `mid table row: ${quoted}`;
  return undefined;
}

/**
 * Throws `invalid_output` whose message starts with `truncated:` when `text` ends mid-structure.
 * `what` names the output for the message: "The review", "The plan".
 */
export function assertComplete(text: string, what: string): void {
  const why = truncationOf(text);
  if (why === undefined) return;
  throw invalidOutput(
    `truncated: ${what} ends ${why}; it was probably cut off at the model's output limit, and a cut-off answer is never recorded as complete.`,
    [`The output ends ${why}.`],
    'Reply again with the complete answer; keep it shorter if it does not fit (fewer words per item, no repeated sections).',
  );
}

function count(text: string, token: string): number {
  return text.split(token).length - 1;
}
