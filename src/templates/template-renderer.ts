/**
 * Renders prompt templates: Liquid (no code execution, unknown filters rejected, missing variables
 * empty) plus the seed's literal `[INJECT … HERE]` markers. A team's own templates directory is
 * searched before the built-ins, so it can override any of them by file name.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Liquid } from 'liquidjs';
import type { Template } from 'liquidjs';
import { ConvergeError } from '../core/errors.js';
import { fillMarkers, firstMarkerIndex, liquidStaticPrefix, looksLikeLiquid, markersToLiquid } from './template-markers.js';

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
  [key: string]: unknown;
}

export interface TemplateRendererOptions {
  /** A directory of the team's own templates, searched first. */
  templatesDir?: string;
  /** Overrides where the built-ins are read from (tests, packaging). */
  builtinDir?: string;
}

export interface TemplateSource {
  name: string;
  path: string;
  origin: 'user' | 'builtin';
  text: string;
}

export interface RenderedParts {
  /** The template's literal text before its first variable or marker: stable across calls, cacheable. */
  staticPart: string;
  /** Everything after it. `staticPart + dynamicPart` is the full prompt. */
  dynamicPart: string;
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

type Compiled =
  | { kind: 'liquid'; templates: Template[]; staticPrefix: string }
  | { kind: 'plain'; text: string; staticPrefix: string };

interface CacheEntry {
  mtimeMs: number;
  size: number;
  compiled: Compiled;
}

const TEMPLATE_EXTENSIONS = ['.md', '.liquid'];

/**
 * `<here>/builtin` when running from src/ (tests); `<here>/../../src/templates/builtin` from
 * dist/templates/, because tsc does not copy .md files and the package ships src/templates/builtin.
 */
export function builtinTemplatesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'builtin'), join(here, '..', '..', 'src', 'templates', 'builtin')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

export function createTemplateRenderer(options: TemplateRendererOptions = {}): TemplateRenderer {
  const builtin = options.builtinDir ?? builtinTemplatesDir();
  const roots: Array<{ dir: string; origin: TemplateSource['origin'] }> = [
    ...(options.templatesDir === undefined ? [] : [{ dir: resolve(options.templatesDir), origin: 'user' as const }]),
    { dir: builtin, origin: 'builtin' },
  ];
  const directories = roots.map((r) => r.dir);
  const liquid = new Liquid({
    root: directories,
    extname: '.md',
    relativeReference: false,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
  });
  const cache = new Map<string, CacheEntry>();

  async function locate(name: string): Promise<{ path: string; origin: TemplateSource['origin'] }> {
    if (name === '' || basename(name) !== name || name.startsWith('.')) {
      throw new ConvergeError('TEMPLATE_NOT_FOUND', `Template name "${name}" is not a plain file name.`, {
        hint: 'Name templates by file name only, e.g. step1_initial_planner_prompt_template.md.',
        details: { template: name },
      });
    }
    const fileNames = extname(name) === '' ? TEMPLATE_EXTENSIONS.map((ext) => name + ext) : [name];
    for (const root of roots) {
      for (const fileName of fileNames) {
        const path = join(root.dir, fileName);
        if (await isFile(path)) return { path, origin: root.origin };
      }
    }
    throw new ConvergeError('TEMPLATE_NOT_FOUND', `Template "${name}" was not found in ${directories.join(' or ')}.`, {
      hint: 'Check the template name in the workflow definition, or add the file to your templates directory.',
      details: { template: name, searched: directories },
    });
  }

  async function source(name: string): Promise<TemplateSource> {
    const found = await locate(name);
    return { name, ...found, text: await readFile(found.path, 'utf8') };
  }

  async function compiled(name: string): Promise<Compiled> {
    const found = await locate(name);
    const info = await stat(found.path);
    const hit = cache.get(found.path);
    if (hit !== undefined && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit.compiled;
    const text = await readFile(found.path, 'utf8');
    const result = compile({ name, ...found, text });
    cache.set(found.path, { mtimeMs: info.mtimeMs, size: info.size, compiled: result });
    return result;
  }

  function compile(src: TemplateSource): Compiled {
    const prepared = markersToLiquid(src.text);
    try {
      return { kind: 'liquid', templates: liquid.parse(prepared, src.path), staticPrefix: liquidStaticPrefix(prepared) };
    } catch (error) {
      // A team's seed-style template may hold Jinja or stray `{%` in examples; it never meant Liquid.
      if (src.origin === 'user' && !looksLikeLiquid(src.text)) {
        const at = firstMarkerIndex(src.text);
        return { kind: 'plain', text: src.text, staticPrefix: at === -1 ? src.text : src.text.slice(0, at) };
      }
      throw templateError(src.path, error);
    }
  }

  async function renderCompiled(name: string, vars: TemplateVars): Promise<{ text: string; staticPrefix: string }> {
    const c = await compiled(name);
    if (c.kind === 'plain') return { text: fillMarkers(c.text, vars), staticPrefix: c.staticPrefix };
    try {
      return { text: String(await liquid.render(c.templates, vars)), staticPrefix: c.staticPrefix };
    } catch (error) {
      throw templateError((await locate(name)).path, error);
    }
  }

  return {
    directories,
    async render(name, vars = {}) {
      return (await renderCompiled(name, vars)).text;
    },
    async renderParts(name, vars = {}) {
      const { text, staticPrefix } = await renderCompiled(name, vars);
      // Guard against a prefix the render did not keep verbatim: then nothing is cacheable.
      const staticPart = staticPrefix !== '' && text.startsWith(staticPrefix) ? staticPrefix : '';
      return { staticPart, dynamicPart: text.slice(staticPart.length) };
    },
    async list() {
      const names = new Set<string>();
      for (const dir of directories) {
        for (const entry of await readdirOrEmpty(dir)) {
          if (!entry.startsWith('.') && TEMPLATE_EXTENSIONS.includes(extname(entry))) names.add(entry);
        }
      }
      return [...names].sort();
    },
    source,
  };
}

function templateError(path: string, error: unknown): ConvergeError {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /line:(\d+), col:(\d+)/.exec(raw);
  const reason = raw.replace(/, file:.*$/s, '');
  const where = position === null ? '' : ` at line ${position[1]}, column ${position[2]}`;
  return new ConvergeError('TEMPLATE_ERROR', `Template ${path} has a Liquid error${where}: ${reason}.`, {
    hint: 'Fix the template syntax; literal braces can be wrapped in {% raw %}…{% endraw %}.',
    details: {
      file: path,
      ...(position === null ? {} : { line: Number(position[1]), column: Number(position[2]) }),
    },
    cause: error,
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    // A configured directory that does not exist yet simply has no templates.
    return [];
  }
}
