/**
 * The seed's templates use literal markers (`[INJECT PLANNER OUTPUT HERE]`) instead of a template
 * language. Markers become Liquid outputs before parsing, so an injected value is never scanned
 * again for markers or tags; templates that are not valid Liquid get a plain substitution.
 */

export interface SeedMarker {
  /** As the seed writes it; matching ignores case and extra spaces. */
  marker: string;
  /** The template variable (src/engine/prompt-inputs.ts) the marker is replaced with. */
  variable: string;
  /** What that variable holds when a step is run; README's markers table shows this text. */
  filledWith: string;
}

/** Every marker Converge fills. README's markers table is checked against this list. */
export const SEED_MARKERS: readonly SeedMarker[] = [
  { marker: '[INJECT STEP REQUIREMENTS HERE]', variable: 'requirements', filledWith: "The workflow's requirements, as given to `converge run` or `start`" },
  { marker: '[INJECT PLANNER OUTPUT HERE]', variable: 'plan', filledWith: 'The latest implementation plan' },
  { marker: '[INJECT CURRENT IMPLEMENTATION PLAN HERE]', variable: 'plan', filledWith: 'The latest implementation plan (the one being revised at step 3)' },
  { marker: '[INJECT VALIDATED IMPLEMENTATION PLAN HERE]', variable: 'plan', filledWith: 'The latest implementation plan (the approved one from step 4 on)' },
  { marker: '[INJECT PROGRAMMER OUTPUT HERE]', variable: 'code', filledWith: 'Every file the code has touched so far, latest content, as `# File:` blocks' },
  { marker: '[INJECT VALIDATION REPORT HERE]', variable: 'validation_report', filledWith: "The latest validation report of the step's artifact (plan or code)" },
];

const BY_WORDS = new Map(SEED_MARKERS.map((m) => [wordsOf(m.marker), m.variable]));

// Spaces and tabs only, never newlines, so Liquid error line numbers still match the file.
const MARKER = /\[[ \t]*INJECT[ \t]+([A-Za-z][A-Za-z \t]*?)[ \t]+HERE[ \t]*\]/gi;
// A marker inside `{% raw %}` is text the author means literally.
const RAW_BLOCK = /\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g;

function wordsOf(marker: string): string {
  return marker.replace(/^\[INJECT |[ \t]+HERE\]$/g, '');
}

function variableFor(words: string): string | undefined {
  return BY_WORDS.get(words.replace(/[ \t]+/g, ' ').toUpperCase());
}

/** Applies `fn` to the text outside `{% raw %}` blocks. */
function outsideRaw(source: string, fn: (text: string, offset: number) => string): string {
  let out = '';
  let at = 0;
  for (const raw of source.matchAll(RAW_BLOCK)) {
    out += fn(source.slice(at, raw.index), at) + raw[0];
    at = raw.index + raw[0].length;
  }
  return out + fn(source.slice(at), at);
}

export function markersToLiquid(source: string): string {
  return outsideRaw(source, (text) =>
    text.replace(MARKER, (whole, words: string) => {
      const name = variableFor(words);
      return name === undefined ? whole : `{{ ${name} }}`;
    }),
  );
}

export function fillMarkers(source: string, vars: Readonly<Record<string, unknown>>): string {
  return source.replace(MARKER, (whole, words: string) => {
    const name = variableFor(words);
    return name === undefined ? whole : stringify(vars[name]);
  });
}

/** The variables the known markers of a text are filled with. */
export function markerVariables(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(MARKER)) {
    const name = variableFor(match[1] ?? '');
    if (name !== undefined) names.add(name);
  }
  return names;
}

export interface UnknownMarker {
  marker: string;
  line: number;
}

/**
 * Markers Converge cannot fill. They would reach the model as literal text, so the renderer
 * refuses the template; in Liquid templates a marker inside `{% raw %}` does not count.
 */
export function unknownMarkers(source: string, options: { liquid: boolean }): UnknownMarker[] {
  const found: UnknownMarker[] = [];
  const scan = (text: string, offset: number) => {
    for (const match of text.matchAll(MARKER)) {
      if (variableFor(match[1] ?? '') !== undefined) continue;
      found.push({ marker: match[0], line: source.slice(0, offset + match.index).split('\n').length });
    }
    return text;
  };
  if (options.liquid) outsideRaw(source, scan);
  else scan(source, 0);
  return found;
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
