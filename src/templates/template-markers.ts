/**
 * The seed's templates use literal markers (`[INJECT PLANNER OUTPUT HERE]`) instead of a template
 * language. Markers become Liquid outputs before parsing, so an injected value is never scanned
 * again for markers or tags; templates that are not valid Liquid get a plain substitution.
 */

/** Marker words (upper case, single spaces) → template variable. */
export const SEED_MARKERS: Readonly<Record<string, string>> = {
  'STEP REQUIREMENTS': 'requirements',
  'PLANNER OUTPUT': 'plan',
  'PROGRAMMER OUTPUT': 'code',
  'CURRENT IMPLEMENTATION PLAN': 'plan',
  'VALIDATION REPORT': 'validation_report',
  'VALIDATED IMPLEMENTATION PLAN': 'plan',
};

// Spaces and tabs only, never newlines, so Liquid error line numbers still match the file.
const MARKER = /\[[ \t]*INJECT[ \t]+([A-Za-z][A-Za-z \t]*?)[ \t]+HERE[ \t]*\]/gi;

function variableFor(words: string): string | undefined {
  return SEED_MARKERS[words.replace(/[ \t]+/g, ' ').toUpperCase()];
}

export function markersToLiquid(source: string): string {
  return source.replace(MARKER, (whole, words: string) => {
    const name = variableFor(words);
    return name === undefined ? whole : `{{ ${name} }}`;
  });
}

export function fillMarkers(source: string, vars: Readonly<Record<string, unknown>>): string {
  return source.replace(MARKER, (whole, words: string) => {
    const name = variableFor(words);
    return name === undefined ? whole : stringify(vars[name]);
  });
}

/** Index of the first known marker, or -1. */
export function firstMarkerIndex(source: string): number {
  for (const match of source.matchAll(MARKER)) {
    if (variableFor(match[1] ?? '') !== undefined) return match.index;
  }
  return -1;
}

export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(stringify).join('\n');
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

/**
 * The literal text before the first Liquid tag or output: the part of the prompt that is the
 * same on every call, which providers can cache. A `{%-`/`{{-` trims the whitespace before it.
 */
export function liquidStaticPrefix(source: string): string {
  const match = /\{\{|\{%/.exec(source);
  if (match === null) return source;
  const prefix = source.slice(0, match.index);
  return source[match.index + 2] === '-' ? prefix.trimEnd() : prefix;
}

/**
 * True when a text means to use Liquid: a well-formed output like `{{ plan }}` or a known tag.
 * Seed templates contain neither, so stray `{%` in them must not make them unusable.
 */
export function looksLikeLiquid(source: string): boolean {
  return (
    /\{\{-?\s*[A-Za-z_][\w.[\]'"-]*\s*(?:\|[^{}]*)?-?\}\}/.test(source) ||
    /\{%-?\s*(?:if|unless|elsif|else|endif|endunless|for|endfor|case|when|endcase|assign|capture|endcapture|include|render|raw|endraw|comment|endcomment|liquid|echo|increment|decrement|cycle|tablerow|endtablerow|layout|block|endblock|break|continue|cache_breakpoint)\b/.test(
      source,
    )
  );
}
