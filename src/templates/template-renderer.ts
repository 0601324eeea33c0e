/**
 * Renders prompt templates: Liquid (no code execution, unknown filters rejected, missing variables
 * empty) plus the seed's literal `[INJECT … HERE]` markers. A team's own templates directory is
 * searched before the built-ins, so it can override any of them by file name or by one of the
 * names the seed's documents give the same template (template-aliases.ts).
 *
 * Seed templates render unchanged: a marker Converge does not know is refused with its name and
 * line rather than sent to a model as literal text, and a template with no place for the
 * workflow's inputs gets them appended (template-inputs.ts).
 *
 * A template marks where a provider may cache the prompt with `{% cache_breakpoint %}`: the text
 * before it is a prefix that later calls repeat byte for byte (the built-ins put their shared
 * handbook first, then the workflow's inputs, then the step's own inputs and instructions).
 * Parsed templates are kept in memory; the files are checked for changes at most once per
 * `revalidateMs`, so rendering neither re-reads nor re-parses them on every call. The text before
 * each top-level breakpoint is rendered once and reused while the inputs it read are unchanged
 * (rendered-prefixes.ts): the handbook once per template, the workflow's inputs once per workflow.
 *
 * Files whose name starts with `_` are partials (`{% include "_handbook" %}`), not templates: the
 * built-ins share their handbook and workflow inputs that way, and a team's directory can override
 * a partial as it overrides a template. Partials are parsed once per process.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Context, Liquid, Tag } from 'liquidjs';
import type { Emitter, FilterImplOptions, Template, TagToken, TopLevelToken } from 'liquidjs';
import { builtinTemplatesDir, isTemplateFileName, locateTemplate, readdirOrEmpty, templateError, unknownMarkerError } from './template-files.js';
import type { TemplateRoot } from './template-files.js';
import { liquidAppendix, plainAppendix, renderAppendix, withAppendix } from './template-inputs.js';
import type { InputsAppendix } from './template-inputs.js';
import { fillMarkers, firstMarkerIndex, liquidStaticPrefix, looksLikeLiquid, markersToLiquid, unknownMarkers } from './template-markers.js';
import { EMPTY_STATE, RenderedPrefixes, recordingScope } from './rendered-prefixes.js';
import type { ContextState, Reads, Segment } from './rendered-prefixes.js';

export { builtinTemplatesDir, isTemplateFileName };

/** The variables the built-in templates use; every one is optional and renders empty when absent. */
export interface TemplateVars {
  requirements?: string;
  step_type?: string;
  documentation_locations?: readonly string[];
  workspace?: { type?: string; path?: string };
  /** Selected documentation, already formatted; may be empty. */
  knowledge?: string;
  /** The current plan (step 3) or the validated plan (steps 4–7). */
  plan?: string;
  /** Markdown of the latest validation report. */
  validation_report?: string;
  /** The previous version of the artifact being revised. */
  original_artifact?: string;
  change_requests?: readonly string[];
  /** Markdown summary of the deterministic check results. */
  check_results?: string;
  /** The programmer's current files as markdown. */
  code?: string;
  step_number?: number;
  iteration?: number;
  /** Why the previous reply was rejected; templates then ask for the format again. */
  repair_errors?: string;
  /** `knowledge` without the sections about files the prompt already shows in full (the code). */
  reference_material?: string;
  /** The latest report in compact form for a revision: scores, unmet criteria, open issues, checks. */
  validation_findings?: string;
  /** `check_results` with check output lines already shown under an earlier check left out. */
  check_summary?: string;
  /** Which version of the plan `plan` is (1 for the first). */
  plan_version?: number;
  [key: string]: unknown;
}

export interface TemplateRendererOptions {
  /** A directory of the team's own templates, searched first. */
  templatesDir?: string;
  /** Overrides where the built-ins are read from (tests, packaging). */
  builtinDir?: string;
  /**
   * How long a parsed template is used before its file is checked for changes again (a new
   * override, an edit). Default 1000 ms; 0 checks on every render.
   */
  revalidateMs?: number;
  /**
   * Reuse the rendered text before a template's top-level breakpoints while the inputs it read
   * are unchanged. Default true; false renders every template whole on every call.
   */
  reusePrefixes?: boolean;
}

export interface TemplateSource {
  name: string;
  path: string;
  origin: 'user' | 'builtin';
  text: string;
}

export interface RenderedParts {
  /**
   * The prefix to cache when a provider takes one breakpoint: the text before the template's last
   * `{% cache_breakpoint %}` (a `{% cache_breakpoint step %}` does not count), or, in a template
   * without one, its literal text before the first variable or marker. Later calls that render
   * the same template parts with the same inputs repeat it byte for byte.
   */
  staticPart: string;
  /** Everything after it. `staticPart + dynamicPart` is the full prompt. */
  dynamicPart: string;
  /**
   * Where the prompt may be cut into cacheable prefixes, for providers that take several
   * breakpoints: offsets into `staticPart + dynamicPart`, ascending. They include the end of
   * `staticPart` and any `{% cache_breakpoint step %}` after it (a prefix only the calls of one
   * step share); empty when nothing is cacheable.
   */
  cacheBreakpoints: number[];
}

export interface TemplateRenderer {
  /** Directories searched, in order. */
  readonly directories: readonly string[];
  render(name: string, vars?: TemplateVars): Promise<string>;
  renderParts(name: string, vars?: TemplateVars): Promise<RenderedParts>;
  /** Template file names from every directory, overrides counted once, sorted. */
  list(): Promise<string[]>;
  source(name: string): Promise<TemplateSource>;
}

/**
 * `appendix`: the workflow's inputs to add after a template that has no place for them.
 * `parts`: a Liquid template cut at its top-level breakpoints; every part but the last is a segment
 * whose render may be kept, `step` saying whether the breakpoint after it is a step breakpoint.
 */
type Compiled = (
  | { kind: 'liquid'; templates: Template[]; parts: Array<{ templates: Template[]; segment: Segment; step: boolean }>; rest: Template[] }
  | { kind: 'plain'; text: string }
) & {
  staticPrefix: string;
  appendix: InputsAppendix | undefined;
};

interface CacheEntry {
  path: string;
  mtimeMs: number;
  size: number;
  compiled: Compiled;
  /** When the file was last found unchanged (ms since the epoch). */
  checkedAt: number;
}

const DEFAULT_REVALIDATE_MS = 1000;

/** Filters whose output can change with the same input: a render that calls one is never kept. */
const IMPURE_FILTERS = ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string', 'sample'];
/** A context's registers (`for` offsets, `cycle` groups, `layout` blocks): public in liquidjs, private in its types. */
function registersOf(ctx: Context): Record<string, unknown> {
  return (ctx as unknown as { registers: Record<string, unknown> }).registers;
}

/** What of a context a later part of the template can see: its variables and registers that are set. */
function stateOf(ctx: Context): ContextState {
  let registers: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(registersOf(ctx))) if (value !== undefined) (registers ??= {})[key] = value;
  const bottom = ctx.bottom();
  let locals: Record<string, unknown> | undefined;
  for (const key in bottom) (locals ??= {})[key] = bottom[key];
  return registers === undefined && locals === undefined ? EMPTY_STATE : { locals: locals ?? {}, registers: registers ?? {} };
}

/** A deep copy, or undefined when the state holds something that cannot be copied (a function). */
function copyOfState(state: ContextState): ContextState | undefined {
  if (state === EMPTY_STATE) return state;
  try {
    return structuredClone(state);
  } catch {
    return undefined;
  }
}

function restoreState(ctx: Context, state: ContextState): void {
  if (state === EMPTY_STATE) return;
  Object.assign(ctx.bottom(), state.locals);
  Object.assign(registersOf(ctx), state.registers);
}

export function createTemplateRenderer(options: TemplateRendererOptions = {}): TemplateRenderer {
  const builtin = options.builtinDir ?? builtinTemplatesDir();
  const roots: TemplateRoot[] = [
    ...(options.templatesDir === undefined ? [] : [{ dir: resolve(options.templatesDir), origin: 'user' as const }]),
    { dir: builtin, origin: 'builtin' },
  ];
  const directories = roots.map((r) => r.dir);
  const liquid = new Liquid({
    root: directories,
    extname: '.md',
    relativeReference: false,
    // Partials are included on every render; parsed once, they cost no file read on the hot path.
    cache: true,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
  });
  // Rendered as tokens no input can contain (a fresh UUID between NULs), then cut out of the text.
  const token = randomUUID();
  const breakpoint = `\u0000cache-breakpoint-${token}\u0000`;
  const stepBreakpoint = `\u0000cache-breakpoint-step-${token}\u0000`;
  class CacheBreakpoint extends Tag {
    readonly step: boolean;
    constructor(tagToken: TagToken, remainTokens: TopLevelToken[], engine: Liquid) {
      super(tagToken, remainTokens, engine);
      const arg = tagToken.args.trim();
      if (arg !== '' && arg !== 'step') throw new Error(`cache_breakpoint takes no argument or "step", not "${arg}"`);
      this.step = arg === 'step';
    }
    render(_ctx: Context, emitter: Emitter): void {
      emitter.write(this.step ? stepBreakpoint : breakpoint);
    }
  }
  liquid.registerTag('cache_breakpoint', CacheBreakpoint);
  // A render that calls one of these is not kept: the same inputs could give another text.
  let impureCalls = 0;
  for (const name of IMPURE_FILTERS) {
    const filter = liquid.filters[name];
    if (filter === undefined) continue;
    const handler = typeof filter === 'function' ? filter : filter.handler;
    const counted = function (this: ThisParameterType<typeof handler>, ...args: Parameters<typeof handler>) {
      impureCalls++;
      return handler.apply(this, args) as unknown;
    };
    liquid.registerFilter(name, typeof filter === 'function' ? counted : ({ ...filter, handler: counted } as FilterImplOptions));
  }
  const revalidateMs = options.revalidateMs ?? DEFAULT_REVALIDATE_MS;
  const prefixes = options.reusePrefixes === false ? undefined : new RenderedPrefixes();
  /** By template name as asked for: which file it resolved to, and that file parsed. */
  const cache = new Map<string, CacheEntry>();

  const locate = (name: string) => locateTemplate(roots, name);

  async function source(name: string): Promise<TemplateSource> {
    const found = await locate(name);
    return { name, ...found, text: await readFile(found.path, 'utf8') };
  }

  async function compiled(name: string): Promise<{ compiled: Compiled; path: string }> {
    const hit = cache.get(name);
    const now = Date.now();
    if (hit !== undefined && now - hit.checkedAt < revalidateMs) return hit;
    // Locating again also notices an override added to the team's directory since the last check.
    const found = await locate(name);
    // Synchronous, as in locateTemplate: microseconds, no wait for the thread pool.
    const info = statSync(found.path);
    if (hit !== undefined && hit.path === found.path && hit.mtimeMs === info.mtimeMs && hit.size === info.size) {
      hit.checkedAt = now;
      return hit;
    }
    const text = await readFile(found.path, 'utf8');
    const entry: CacheEntry = { path: found.path, mtimeMs: info.mtimeMs, size: info.size, compiled: compile({ name, ...found, text }), checkedAt: now };
    if (hit?.compiled.kind === 'liquid') prefixes?.forget(hit.compiled.parts.map((p) => p.segment));
    cache.set(name, entry);
    return entry;
  }

  /** The template cut at each top-level breakpoint (the tags themselves left out). */
  function cut(templates: Template[]): Pick<Extract<Compiled, { kind: 'liquid' }>, 'parts' | 'rest'> {
    const parts: Array<{ templates: Template[]; segment: Segment; step: boolean }> = [];
    let current: Template[] = [];
    for (const template of templates) {
      if (!(template instanceof CacheBreakpoint)) {
        current.push(template);
        continue;
      }
      parts.push({ templates: current, segment: { cacheable: prefixes !== undefined, entries: [] }, step: template.step });
      current = [];
    }
    return { parts, rest: current };
  }

  function compile(src: TemplateSource): Compiled {
    const prepared = markersToLiquid(src.text);
    let templates: Template[];
    try {
      templates = liquid.parse(prepared, src.path);
    } catch (error) {
      // A team's seed-style template may hold Jinja or stray `{%` in examples; it never meant Liquid.
      if (src.origin === 'user' && !looksLikeLiquid(src.text)) {
        refuseUnknownMarkers(src, false);
        const at = firstMarkerIndex(src.text);
        return { kind: 'plain', text: src.text, staticPrefix: at === -1 ? src.text : src.text.slice(0, at), appendix: plainAppendix(src.text) };
      }
      throw templateError(src.path, error);
    }
    refuseUnknownMarkers(src, true);
    return { kind: 'liquid', templates, ...cut(templates), staticPrefix: liquidStaticPrefix(prepared), appendix: liquidAppendix(liquid, templates, prepared) };
  }

  /**
   * What rendering the whole template gives, breakpoint tokens included, with the segments
   * before its breakpoints reused when their inputs are unchanged. The parts share one context,
   * as in a whole render; a segment whose render left state in it is never reused.
   */
  function renderLiquid(c: Extract<Compiled, { kind: 'liquid' }>, vars: TemplateVars): string {
    if (c.parts.length === 0 || prefixes === undefined) return String(liquid.renderSync(c.templates, vars));
    const ctx = new Context(vars, liquid.options, { sync: true }, { liquid });
    let text = '';
    for (const part of c.parts) {
      text += renderSegment(part.templates, part.segment, ctx, vars);
      // A top-level break ends a whole render there, before the breakpoint after it.
      if (ctx.breakCalled || ctx.continueCalled) return text;
      text += part.step ? stepBreakpoint : breakpoint;
    }
    return text + String(liquid.renderSync(c.rest, ctx));
  }

  function renderSegment(templates: Template[], segment: Segment, ctx: Context, vars: TemplateVars): string {
    if (!segment.cacheable) return String(liquid.renderSync(templates, ctx));
    const before = stateOf(ctx);
    const kept = prefixes!.get(segment, vars, before);
    if (kept !== undefined) {
      restoreState(ctx, kept.after);
      return kept.text;
    }
    // A copy: the render may change a register's object in place (a `cycle` position).
    const snapshot = copyOfState(before);
    const reads: Reads = { names: new Set(), sideEffects: false };
    const impureBefore = impureCalls;
    ctx.environments = recordingScope(vars, reads);
    let text: string;
    try {
      text = String(liquid.renderSync(templates, ctx));
    } finally {
      ctx.environments = vars;
    }
    if (reads.sideEffects || impureCalls !== impureBefore || ctx.breakCalled || ctx.continueCalled) segment.cacheable = false;
    else if (snapshot !== undefined) prefixes!.put(segment, reads.names, vars, snapshot, stateOf(ctx), text);
    return text;
  }

  function refuseUnknownMarkers(src: TemplateSource, isLiquid: boolean): void {
    const unknown = unknownMarkers(src.text, { liquid: isLiquid });
    if (unknown.length > 0) throw unknownMarkerError(src.name, src.path, unknown);
  }

  /** The rendered text, with the breakpoint tokens still in it when the template has any. */
  async function renderCompiled(name: string, vars: TemplateVars): Promise<{ text: string; staticPrefix: string }> {
    const { compiled: c, path } = await compiled(name);
    try {
      // Synchronous rendering: the built-in tags and filters need no I/O, and it is about twice as
      // fast as the asynchronous path (an `include` still reads its file, synchronously).
      const text = c.kind === 'plain' ? fillMarkers(c.text, vars) : renderLiquid(c, vars);
      return { text: c.appendix === undefined ? text : withAppendix(text, renderAppendix(liquid, c.appendix, vars)), staticPrefix: c.staticPrefix };
    } catch (error) {
      throw templateError(path, error);
    }
  }

  /**
   * The text without its breakpoint tokens, and where they were: a NUL starts every token, and a
   * NUL that does not start one (an input may hold any character) is text.
   */
  function cutTokens(text: string): { full: string; staticEnd: number; cacheBreakpoints: number[] } | undefined {
    let at = text.indexOf('\u0000');
    if (at === -1) return undefined;
    const cacheBreakpoints: number[] = [];
    let full = '';
    let from = 0;
    let staticEnd = 0;
    let found = false;
    for (; at !== -1; at = text.indexOf('\u0000', at + 1)) {
      const step = text.startsWith(stepBreakpoint, at);
      if (!step && !text.startsWith(breakpoint, at)) continue;
      found = true;
      full += text.slice(from, at);
      from = at + (step ? stepBreakpoint : breakpoint).length;
      if (full.length > 0 && cacheBreakpoints.at(-1) !== full.length) cacheBreakpoints.push(full.length);
      if (!step) staticEnd = full.length;
      at = from - 1;
    }
    return found ? { full: full + text.slice(from), staticEnd, cacheBreakpoints } : undefined;
  }

  return {
    directories,
    async render(name, vars = {}) {
      const { text } = await renderCompiled(name, vars);
      return cutTokens(text)?.full ?? text;
    },
    async renderParts(name, vars = {}) {
      const { text, staticPrefix } = await renderCompiled(name, vars);
      const tokens = cutTokens(text);
      if (tokens !== undefined) {
        const { full, staticEnd, cacheBreakpoints } = tokens;
        return { staticPart: full.slice(0, staticEnd), dynamicPart: full.slice(staticEnd), cacheBreakpoints };
      }
      // Guard against a prefix the render did not keep verbatim: then nothing is cacheable.
      const staticPart = staticPrefix !== '' && text.startsWith(staticPrefix) ? staticPrefix : '';
      return { staticPart, dynamicPart: text.slice(staticPart.length), cacheBreakpoints: staticPart === '' ? [] : [staticPart.length] };
    },
    async list() {
      const names = new Set<string>();
      for (const dir of directories) {
        for (const entry of await readdirOrEmpty(dir)) {
          if (isTemplateFileName(entry)) names.add(entry);
        }
      }
      return [...names].sort();
    },
    source,
  };
}
