/**
 * What every command needs: the project (found from the working directory up, as git finds a
 * repository), its store (--store, CONVERGE_STORE, else .converge/converge.db in the project's
 * root), its converge.yaml, and an engine built from them.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConvergeError } from '../../core/errors.js';
import { openStore, sqliteFileOf } from '../../store/index.js';
import { findProject, projectStorePath } from '../../workflows/project-root.js';
import type { ProjectLocation } from '../../workflows/project-root.js';
import type { Store } from '../../store/store.js';
import { loadProjectConfig } from '../../workflows/loader.js';
import type { LoadedConfig } from '../../workflows/loader.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import { createEngine } from '../../engine/create-engine.js';
import type { Engine, EngineOptions } from '../../engine/create-engine.js';
import type { Actor } from '../../core/events.js';
import { userInfo } from 'node:os';

export interface GlobalOptions {
  store?: string;
  config?: string;
  json?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** The project of the working directory (see workflows/project-root.ts). */
export function cliProject(cwd = process.cwd()): ProjectLocation {
  return findProject(cwd);
}

export function storeLocation(options: GlobalOptions, cwd = process.cwd()): string {
  return options.store ?? process.env.CONVERGE_STORE ?? projectStorePath(cliProject(cwd));
}

const openStores: Store[] = [];

export interface OpenCliStoreOptions {
  /**
   * Whether a missing SQLite file may be created: only by commands that record workflows (run,
   * start, demo, the servers, migrate). Everything else, reading commands first, says where it
   * looked instead of leaving an empty store behind.
   */
  create?: boolean;
}

export async function openCliStore(options: GlobalOptions, open: OpenCliStoreOptions = {}): Promise<Store> {
  const location = storeLocation(options);
  if (open.create !== true) refuseMissingStore(options, location);
  const busy = Number(process.env.CONVERGE_BUSY_TIMEOUT_MS);
  const store = await openStore(location, Number.isFinite(busy) && busy > 0 ? { busyTimeoutMs: busy } : {});
  openStores.push(store);
  return store;
}

function refuseMissingStore(options: GlobalOptions, location: string, cwd = process.cwd()): void {
  const file = sqliteFileOf(location, cwd);
  if (file === undefined || existsSync(file)) return;
  const given = options.store !== undefined ? '--store' : process.env.CONVERGE_STORE !== undefined ? 'CONVERGE_STORE' : undefined;
  if (given !== undefined) {
    throw new ConvergeError('STORE_NOT_FOUND', `There is no store at ${file} (from ${given}).`, {
      hint: `Check the path; \`converge run\` or \`converge migrate\` with the same ${given} creates a store there.`,
      details: { store: file },
    });
  }
  const project = cliProject(cwd);
  if (project.marker === 'config') {
    throw new ConvergeError('STORE_NOT_FOUND', `The project at ${project.root} has no store yet (${file}): no workflow was started there.`, {
      hint: 'Start one with `converge run "<requirements>"`, or give another store with --store PATH or CONVERGE_STORE.',
      details: { store: file, project: project.root },
    });
  }
  const upTo = project.searchedUpTo === project.start ? project.start : `${project.start} up to ${project.searchedUpTo}`;
  throw new ConvergeError('STORE_NOT_FOUND', `No Converge project here: looked for converge.yaml or .converge/converge.db in ${upTo}, and there is no store at ${file}.`, {
    hint: `Run \`converge init\` to make ${project.root} a Converge project, or point at a store with --store PATH or CONVERGE_STORE.`,
    details: { store: file, searched: { from: project.start, upTo: project.searchedUpTo } },
  });
}

export async function closeCliStores(): Promise<void> {
  await Promise.all(openStores.splice(0).map((s) => s.close().catch(() => undefined)));
}

/** --config relative to the working directory; else the project root's converge.yaml, else the defaults. */
export function loadConfig(options: GlobalOptions, cwd = process.cwd()): LoadedConfig {
  if (options.config !== undefined) return loadProjectConfig(cwd, options.config);
  return loadProjectConfig(cliProject(cwd).root);
}

export function buildEngine(store: Store, loaded: { config: ProjectConfig; baseDir: string }, extra: Partial<EngineOptions> = {}): Engine {
  return createEngine({ store, config: loaded.config, baseDir: loaded.baseDir, ...extra });
}

export function cliActor(name?: string): Actor {
  let user = name ?? process.env.CONVERGE_USER;
  if (user === undefined) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { id: user, via: 'cli' };
}

export function resolveFrom(cwd: string, path: string): string {
  return resolve(cwd, path);
}
