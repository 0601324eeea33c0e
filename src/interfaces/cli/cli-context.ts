/**
 * What every command needs: the store (from --store, CONVERGE_STORE or .converge/converge.db),
 * converge.yaml, and an engine built from them.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openStore, defaultStorePath } from '../../store/index.js';
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

export function storeLocation(options: GlobalOptions, cwd = process.cwd()): string {
  return options.store ?? process.env.CONVERGE_STORE ?? defaultStorePath(cwd);
}

const openStores: Store[] = [];

export async function openCliStore(options: GlobalOptions): Promise<Store> {
  const busy = Number(process.env.CONVERGE_BUSY_TIMEOUT_MS);
  const store = await openStore(storeLocation(options), Number.isFinite(busy) && busy > 0 ? { busyTimeoutMs: busy } : {});
  openStores.push(store);
  return store;
}

export async function closeCliStores(): Promise<void> {
  await Promise.all(openStores.splice(0).map((s) => s.close().catch(() => undefined)));
}

export function loadConfig(options: GlobalOptions, cwd = process.cwd()): LoadedConfig {
  return loadProjectConfig(cwd, options.config);
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
