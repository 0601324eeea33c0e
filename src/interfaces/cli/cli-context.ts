/**
 * What every command needs: the project (found from the working directory up, as git finds a
 * repository), its store (--store, CONVERGE_STORE, else .converge/converge.db in the project's
 * root), its converge.yaml, and an engine built from them. The store half lives in cli-store.ts,
 * which loads neither the engine nor the settings schema, for the commands that only read.
 */
import { resolve } from 'node:path';
import { cliProject } from './cli-store.js';
import type { GlobalOptions } from './cli-store.js';
import type { Store } from '../../store/store.js';
import { loadProjectConfig } from '../../workflows/loader.js';
import type { LoadedConfig } from '../../workflows/loader.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import { createEngine } from '../../engine/create-engine.js';
import type { Engine, EngineOptions } from '../../engine/create-engine.js';
import type { Actor } from '../../core/events.js';
import { userInfo } from 'node:os';

export { cliProject, closeCliStores, globalOptions, openCliStore, storeLocation } from './cli-store.js';
export type { GlobalOptions, OpenCliStoreOptions } from './cli-store.js';

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
