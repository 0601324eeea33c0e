/**
 * How Converge words what it tells people, in one place: a sentence ends once (a quoted error
 * that already ends in "." gets no second one), an unknown name comes with the nearest known
 * one, and a document with problems is one headline, one line per problem and one hint.
 */
import type { z } from 'zod';
import { ConvergeError, formatPath } from './errors.js';
import type { ConvergeErrorCode } from './errors.js';

export interface Problem {
  path: string;
  message: string;
}

/** `text` ending in exactly one full stop (or the "!", "?", "…" it already ends with), closing quotes and brackets allowed after it. */
export function endSentence(text: string): string {
  const trimmed = text.trimEnd();
  if (trimmed === '') return trimmed;
  return /[.!?…]["'`)\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** ` (did you mean "anthropic"?)` when a known name is within a few edits of `wrong`, else ''. */
export function didYouMean(wrong: string, known: Iterable<string>): string {
  const best = nearest(wrong, known);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** The known name closest to `wrong`, if it is close enough to be the one meant. */
export function nearest(wrong: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = wrong.toLowerCase();
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Short names tolerate fewer edits: "ts" is not a typo of "go".
  const allowed = Math.min(3, Math.max(1, Math.floor(wrong.length / 3)));
  return best !== undefined && bestDistance > 0 && bestDistance <= allowed ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** `source has N problems:` then one indented line per problem; the problems also go in `details`. */
export function problemsError(code: ConvergeErrorCode, source: string, problems: readonly Problem[], hint: string): ConvergeError {
  const lines = problems.map((p) => `  ${p.path}: ${p.message.replace(/\s*\n\s*/g, ' ')}`).join('\n');
  return new ConvergeError(code, `${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines}`, {
    hint,
    details: { problems },
  });
}

/**
 * zod's issues as problems at the path a reader looks at. With the schema and the input, an
 * unknown field or a value outside a list is named with the nearest allowed one.
 */
export function zodProblems(error: z.ZodError, schema?: z.ZodType, input?: unknown): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    // An unknown key is reported at its own path, where the reader will look for the typo.
    if (issue.code === 'unrecognized_keys') {
      const known = schema === undefined ? [] : keysAt(schema, issue.path);
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: `unknown field "${key}"${didYouMean(key, known)}` }));
    }
    if (issue.code === 'invalid_value' && issue.values.every((v) => typeof v === 'string')) {
      const got = valueAt(input, issue.path);
      if (typeof got === 'string') {
        const allowed = issue.values as string[];
        return [{ path: formatPath(issue.path), message: `"${got}" is not one of ${allowed.join(', ')}${didYouMean(got, allowed)}` }];
      }
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The minimal view of zod 4's schema internals needed to walk to the object at a path. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The field names the schema allows at `path` (every option's, for a union). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = defOf(schema);
  const inner = def.innerType ?? def.in;
  if (inner !== undefined) return keysAt(inner, path);
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => keysAt(o, path));
  if (path.length === 0) return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
  const [head, ...rest] = path;
  if (def.type === 'object') {
    const field = def.shape?.[String(head)];
    return field === undefined ? [] : keysAt(field, rest);
  }
  const next = def.type === 'array' ? def.element : def.type === 'record' ? def.valueType : undefined;
  return next === undefined ? [] : keysAt(next, rest);
}
