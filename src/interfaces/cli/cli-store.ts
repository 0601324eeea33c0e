/**
 * The project and store of a command: the project found from the working directory up (as git
 * finds a repository), and its store (--store, CONVERGE_STORE, else .converge/converge.db in the
 * project's root). Kept apart from cli-context.ts (settings, engine) so that reading commands
 * (`status`, `list`) load only the store driver they open.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConvergeError } from '../../core/errors.js';
import { openStore, sqliteFileOf } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { findProject, projectStorePath } from '../../workflows/project-root.js';
import type { ProjectLocation } from '../../workflows/project-root.js';

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
