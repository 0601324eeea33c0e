/**
 * JSON objects embedded in agent output: fenced ```json blocks first, then balanced `{…}` spans
 * anywhere in the text. Callers validate each candidate against their own schema.
 */
import { fencedBlocks } from './markdown-fences.js';

/** Bounds the raw scan on long outputs full of braces (code, examples). */
const MAX_RAW_ATTEMPTS = 300;

/** End index (inclusive) of the object that opens at `start`, or -1 when it never closes. */
function balancedObjectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function tryParse(source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Parsed JSON objects, most explicit first: ```json fences, then fences whose body is an object,
 * then raw objects. `mustContain` skips spans that cannot be the wanted document (cheap filter).
 */
export function jsonCandidates(text: string, mustContain: string): unknown[] {
  const found: unknown[] = [];
  const blocks = fencedBlocks(text);
  const jsonFirst = [...blocks].sort((a, b) => rank(a.info) - rank(b.info));
  for (const block of jsonFirst) {
    const body = block.content.trim();
    if (!body.startsWith('{') || !body.includes(mustContain)) continue;
    const value = tryParse(body);
    if (isObject(value)) found.push(value);
  }
  let attempts = 0;
  for (let i = text.indexOf('{'); i !== -1 && attempts < MAX_RAW_ATTEMPTS; i = text.indexOf('{', i + 1)) {
    attempts++;
    const end = balancedObjectEnd(text, i);
    if (end === -1) continue;
    const span = text.slice(i, end + 1);
    if (!span.includes(mustContain)) continue;
    const value = tryParse(span);
    if (isObject(value)) {
      found.push(value);
      i = end;
    }
  }
  return found;
}

function rank(info: string): number {
  const lang = info.split(/\s+/)[0]?.toLowerCase() ?? '';
  return lang === 'json' || lang === 'jsonc' ? 0 : 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
