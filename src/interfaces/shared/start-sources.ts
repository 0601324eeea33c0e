/**
 * Where a new workflow's workspace, definition and profile may come from. A server refuses a
 * workspace outside its root and a definition file outside the allowed folders: a definition
 * names the commands its checks run, so a definition from anywhere is a command from anyone.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { WorkflowDefinition } from '../../core/definition-schema.js';
import { ConvergeError } from '../../core/errors.js';
import type { Engine } from '../../engine/create-engine.js';
import { builtinPath } from '../../workflows/builtin-files.js';
import { effectiveDefinition, loadDefinition, loadProfile, resolveNamed } from '../../workflows/loader.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import { ProjectConfigSchema } from '../../workflows/project-config.js';

/** The workspace folder: inside `root` (symlinks followed) when a root is set, else resolved against the working directory. */
export function workspaceFor(requested: string, root: string | undefined): string {
  if (root === undefined) return resolve(requested);
  const base = realpathSafe(resolve(root));
  const target = resolve(base, requested);
  const real = realpathSafe(target);
  for (const candidate of [target, real]) {
    if (!isInside(base, candidate)) {
      throw new ConvergeError('PATH_ESCAPE', `The workspace ${requested} is outside the server's workspace root ${base}.`, {
        hint: `Give a folder inside ${base} (relative paths are resolved against it), or restart the server with --workspace-root.`,
        details: { workspace: requested, root: base },
      });
    }
  }
  return real;
}

export function definitionFor(
  engine: Pick<Engine, 'definition' | 'profile'>,
  request: { definition?: string; profile?: string },
  project: { config: ProjectConfig; baseDir: string } | undefined,
  roots: readonly string[] | undefined,
): { definition: WorkflowDefinition; profile: string } {
  if (request.definition === undefined && request.profile === undefined) return { definition: engine.definition, profile: engine.profile.id };
  const { config, baseDir } = project ?? { config: ProjectConfigSchema.parse({}), baseDir: process.cwd() };
  const definitionName = request.definition ?? config.definition;
  const profileName = request.profile ?? config.profile;
  if (roots !== undefined) {
    allowedSource('definitions', definitionName, baseDir, roots);
    allowedSource('profiles', profileName, baseDir, roots);
  }
  const profile = loadProfile(profileName, baseDir);
  return { definition: effectiveDefinition(loadDefinition(definitionName, baseDir), profile, config), profile: profile.id };
}

function allowedSource(kind: 'definitions' | 'profiles', value: string, baseDir: string, roots: readonly string[]): void {
  const path = realpathSafe(resolveNamed(kind, value, baseDir));
  if (isInside(realpathSafe(builtinPath(kind)), path)) return;
  if (roots.some((root) => isInside(realpathSafe(resolve(root)), path))) return;
  const what = kind === 'definitions' ? 'definition' : 'profile';
  throw new ConvergeError('FORBIDDEN', `The ${what} ${value} is not a built-in one and lies outside the folders this server loads ${kind} from.`, {
    hint: `Name a built-in ${what}, or put the file under ${roots.join(' or ')}.`,
    details: { [what]: value },
  });
}

function isInside(base: string, candidate: string): boolean {
  const rel = relative(base, candidate);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realpathSafe(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A path that does not exist is reported by whoever reads it, with its own hint.
    return path;
  }
}
