/** Small text helpers shared by the report parsers. */
import { fileURLToPath } from 'node:url';

const MAX_MESSAGE_CHARS = 500;

/** The first non-blank line, trimmed and shortened: an issue message stays one readable line. */
export function firstLine(text: string | undefined): string {
  if (text === undefined) return '';
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > MAX_MESSAGE_CHARS ? `${trimmed.slice(0, MAX_MESSAGE_CHARS - 1)}…` : trimmed;
}

/** Turns `file:///a/b.ts` into `/a/b.ts`; other strings pass through. */
export function stripFileUrl(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri.replace(/^file:\/\//, '');
  }
}

/** Parses a positive integer attribute; anything else is `undefined`, never NaN. */
export function toLine(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function roundPercent(value: number): number {
  return Math.round(Math.min(100, Math.max(0, value)) * 100) / 100;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function testSummary(counts: { passed: number; failed: number; skipped: number }): string {
  const total = counts.passed + counts.failed + counts.skipped;
  if (total === 0) return 'no tests in report';
  return `${plural(total, 'test')}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}
