/**
 * Notifications for the CLI's long-running commands (`run`, `resume`, `worker`): started only when
 * converge.yaml lists targets, in the ops tables beside the store, with problems on stderr as
 * one line each. A target whose secret variable is unset stops the command before anything runs.
 */
import type { Logger, Notifications } from '../../ops/index.js';
import type { Store } from '../../store/store.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import type { GlobalOptions } from './cli-context.js';
import { loadConfig, storeLocation } from './cli-context.js';

/** How long a command that ends waits for what it has to send (the rest stays in the outbox). */
export const NOTIFY_FLUSH_MS = 5_000;

/** Warnings and errors as `converge: …` lines; the informational ones stay quiet in a terminal. */
export const stderrNotifyLog: Logger = {
  info: () => undefined,
  warn: (fields, message) => process.stderr.write(`converge: ${message}${describe(fields)}\n`),
  error: (fields, message) => process.stderr.write(`converge: ${message}${describe(fields)}\n`),
};

function describe(fields: Record<string, unknown>): string {
  const parts = [fields.target && `target ${String(fields.target)}`, fields.event && String(fields.event), fields.workflow && String(fields.workflow), (fields.reason ?? fields.err) && String(fields.reason ?? fields.err)].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

export interface CliNotifications {
  stop(options?: { flushMs?: number }): Promise<void>;
}

export async function startCliNotifications(store: Store, options: GlobalOptions, config: ProjectConfig, extra: { log?: Logger; linkBase?: () => string | undefined } = {}): Promise<CliNotifications | undefined> {
  if (config.notify.length === 0) return undefined;
  const { assertTargetsUsable, openOpsStore, startNotifications } = await import('../../ops/index.js');
  assertTargetsUsable(config.notify);
  const ops = await openOpsStore(store, { url: storeLocation(options) });
  const linkBase = extra.linkBase ?? (() => config.public_url);
  let running: Notifications;
  try {
    // A command target's relative path means the project's folder, wherever the command was typed.
    const cwd = loadConfig(options).baseDir;
    running = startNotifications({ store, outbox: ops.outbox, targets: config.notify, log: extra.log ?? stderrNotifyLog, linkBase, cwd });
  } catch (error) {
    await ops.close();
    throw error;
  }
  return {
    async stop(stopOptions) {
      await running.stop(stopOptions);
      await ops.close();
    },
  };
}
