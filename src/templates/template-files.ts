/**
 * Where template files are found: the team's directory before the built-ins, by file name or by
 * one of its aliases (template-aliases.ts), and how a template's errors are reported.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConvergeError } from '../core/errors.js';
import { endSentence } from '../core/messages.js';
import { templateNameVariants } from './template-aliases.js';
import { SEED_MARKERS } from './template-markers.js';
import type { UnknownMarker } from './template-markers.js';

export type TemplateOrigin = 'user' | 'builtin';

export interface TemplateRoot {
  dir: string;
  origin: TemplateOrigin;
}

export const TEMPLATE_EXTENSIONS = ['.md', '.liquid'];

/** Whether a directory entry is a template a step can name (not a hidden file, not a `_` partial). */
export function isTemplateFileName(entry: string): boolean {
  return !entry.startsWith('.') && !entry.startsWith('_') && TEMPLATE_EXTENSIONS.includes(extname(entry));
}

/**
 * `<here>/builtin` when running from src/ (tests); `<here>/../../src/templates/builtin` from
 * dist/templates/, because tsc does not copy .md files and the package ships src/templates/builtin.
 */
export function builtinTemplatesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'builtin'), join(here, '..', '..', 'src', 'templates', 'builtin')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

/**
 * The file a template name resolves to. Every root is searched for the name and its aliases
 * before the next root, so a team's file under an alias wins over the built-in of the exact name.
 */
export async function locateTemplate(roots: readonly TemplateRoot[], name: string): Promise<{ path: string; origin: TemplateOrigin }> {
  if (name === '' || basename(name) !== name || name.startsWith('.')) {
    throw new ConvergeError('TEMPLATE_NOT_FOUND', `Template name "${name}" is not a plain file name.`, {
      hint: 'Name templates by file name only, e.g. step1_initial_planner_prompt_template.md.',
      details: { template: name },
    });
  }
  const names = templateNameVariants(name);
  const fileNames = names.flatMap((n) => (extname(n) === '' ? TEMPLATE_EXTENSIONS.map((ext) => n + ext) : [n]));
  for (const root of roots) {
    for (const fileName of fileNames) {
      const path = join(root.dir, fileName);
      if (await isFile(path)) return { path, origin: root.origin };
    }
  }
  const directories = roots.map((r) => r.dir);
  const aliases = names.length > 1 ? ` (or under ${names.slice(1).join(', ')})` : '';
  throw new ConvergeError('TEMPLATE_NOT_FOUND', `Template "${name}"${aliases} was not found in ${directories.join(' or ')}.`, {
    hint: 'Check the template name in the workflow definition, or add the file to your templates directory.',
    details: { template: name, searched: directories, ...(names.length > 1 ? { aliases: names.slice(1) } : {}) },
  });
}

export function templateError(path: string, error: unknown): ConvergeError {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /line:(\d+), col:(\d+)/.exec(raw);
  const reason = raw.replace(/, file:.*$/s, '');
  const where = position === null ? '' : ` at line ${position[1]}, column ${position[2]}`;
  return new ConvergeError('TEMPLATE_ERROR', endSentence(`Template ${path} has a Liquid error${where}: ${reason}`), {
    hint: 'Fix the template syntax; literal braces can be wrapped in {% raw %}…{% endraw %}.',
    details: {
      file: path,
      ...(position === null ? {} : { line: Number(position[1]), column: Number(position[2]) }),
    },
    cause: error,
  });
}

/** A marker no variable fills would reach the model as literal text; the user fixes the template. */
export function unknownMarkerError(name: string, path: string, unknown: readonly UnknownMarker[]): ConvergeError {
  const list = unknown.map((u) => `${u.marker} (line ${u.line})`).join(', ');
  return new ConvergeError('TEMPLATE_ERROR', `Template ${name} (${path}) has ${unknown.length === 1 ? 'a marker' : 'markers'} Converge does not fill: ${list}.`, {
    hint: `Converge fills ${SEED_MARKERS.map((m) => m.marker).join(', ')}. Use one of those or a Liquid variable such as {{ plan }}; to keep the text as written, wrap it in {% raw %}…{% endraw %}.`,
    details: { template: name, file: path, markers: unknown.map((u) => u.marker), line: unknown[0]!.line },
  });
}

// Synchronous: a local stat takes microseconds, while a promise of one waits for the thread pool
// and cost about 1 % of a transition's CPU when every template was checked once a second.
async function isFile(path: string): Promise<boolean> {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

export async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    // A configured directory that does not exist yet simply has no templates.
    return [];
  }
}
