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
 * `revalidateMs`, so rendering neither re-reads nor re-parses them on every call.
 *
 * Files whose name starts with `_` are partials (`{% include "_handbook" %}`), not templates: the
 * built-ins share their handbook and workflow inputs that way, and a team's directory can override
 * a partial as it overrides a template. Partials are parsed once per process.
 */
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Liquid } from 'liquidjs';
import type { Template } from 'liquidjs';
import { builtinTemplatesDir, isTemplateFileName, locateTemplate, readdirOrEmpty, templateError, unknownMarkerError } from './template-files.js';
import type { TemplateRoot } from './template-files.js';
import { liquidAppendix, plainAppendix, renderAppendix, withAppendix } from './template-inputs.js';
import type { InputsAppendix } from './template-inputs.js';
import { fillMarkers, firstMarkerIndex, liquidStaticPrefix, looksLikeLiquid, markersToLiquid, unknownMarkers } from './template-markers.js';

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

/** `appendix`: the workflow's inputs to add after a template that has no place for them. */
type Compiled = ({ kind: 'liquid'; templates: Template[] } | { kind: 'plain'; text: string }) & {
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
  liquid.registerTag('cache_breakpoint', {
    parse(tagToken) {
      const arg = tagToken.args.trim();
      if (arg !== '' && arg !== 'step') throw new Error(`cache_breakpoint takes no argument or "step", not "${arg}"`);
      this.step = arg === 'step';
    },
    render(_ctx, emitter) {
      emitter.write(this.step === true ? stepBreakpoint : breakpoint);
    },
  });
  const splitter = new RegExp(`(${stepBreakpoint}|${breakpoint})`);
  const revalidateMs = options.revalidateMs ?? DEFAULT_REVALIDATE_MS;
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
    const info = await stat(found.path);
    if (hit !== undefined && hit.path === found.path && hit.mtimeMs === info.mtimeMs && hit.size === info.size) {
      hit.checkedAt = now;
      return hit;
    }
    const text = await readFile(found.path, 'utf8');
    const entry: CacheEntry = { path: found.path, mtimeMs: info.mtimeMs, size: info.size, compiled: compile({ name, ...found, text }), checkedAt: now };
    cache.set(name, entry);
    return entry;
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
    return { kind: 'liquid', templates, staticPrefix: liquidStaticPrefix(prepared), appendix: liquidAppendix(liquid, templates, prepared) };
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
      const text = c.kind === 'plain' ? fillMarkers(c.text, vars) : String(liquid.renderSync(c.templates, vars));
      return { text: c.appendix === undefined ? text : withAppendix(text, renderAppendix(liquid, c.appendix, vars)), staticPrefix: c.staticPrefix };
    } catch (error) {
      throw templateError(path, error);
    }
  }

  return {
    directories,
    async render(name, vars = {}) {
      return (await renderCompiled(name, vars)).text.split(splitter).filter((piece) => piece !== breakpoint && piece !== stepBreakpoint).join('');
    },
    async renderParts(name, vars = {}) {
      const { text, staticPrefix } = await renderCompiled(name, vars);
      if (text.includes(breakpoint) || text.includes(stepBreakpoint)) {
        const cacheBreakpoints: number[] = [];
        let full = '';
        let staticEnd = 0;
        for (const match of text.split(splitter)) {
          if (match !== breakpoint && match !== stepBreakpoint) {
            full += match;
            continue;
          }
          if (full.length > 0 && cacheBreakpoints.at(-1) !== full.length) cacheBreakpoints.push(full.length);
          if (match === breakpoint) staticEnd = full.length;
        }
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
