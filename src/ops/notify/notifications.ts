/**
 * Notifications in a long-running process (`serve`, `worker`, `run`): the watcher and the
 * deliverer on timers of their own, apart from every workflow — a slow webhook delays the next
 * notification, never a step. Errors are logged and the loops go on.
 */
import type { Store } from '../../store/store.js';
import type { Logger } from '../logger.js';
import type { NotifyTarget } from './notify-config.js';
import { NotifyDeliverer } from './notify-deliverer.js';
import type { RetryPolicy } from './notify-deliverer.js';
import { assertTargetsUsable, namedTargets } from './notify-targets.js';
import { NotifyWatcher } from './notify-watcher.js';
import type { Outbox } from './outbox.js';

export interface NotificationsOptions {
  store: Store;
  outbox: Outbox;
  targets: readonly NotifyTarget[];
  log: Logger;
  /** public_url, else serve's own URL once it is known. */
  linkBase?: () => string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How often the store is looked at for changes and due retries (default 500 ms). */
  pollMs?: number;
  retry?: Partial<RetryPolicy>;
  reminderScanMs?: number;
}

export interface Notifications {
  /** Looks now instead of at the next tick. */
  kick(): void;
  /**
   * Stops the loops. With `flushMs`, first looks once more and sends what is due, for at most that
   * long: a `run --no-wait` that exits at a gate still says so. What is not sent by then stays in
   * the outbox for the next process.
   */
  stop(options?: { flushMs?: number }): Promise<void>;
}

export function startNotifications(options: NotificationsOptions): Notifications {
  assertTargetsUsable(options.targets, options.env);
  const targets = namedTargets(options.targets);
  const { log } = options;
  const watcher = new NotifyWatcher({
    store: options.store,
    outbox: options.outbox,
    targets,
    log,
    ...(options.linkBase ? { linkBase: options.linkBase } : {}),
    ...(options.reminderScanMs !== undefined ? { reminderScanMs: options.reminderScanMs } : {}),
  });
  const deliverer = new NotifyDeliverer({
    outbox: options.outbox,
    targets,
    log,
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const pollMs = options.pollMs ?? 500;
  let stopped = false;
  let watching: Promise<void> = Promise.resolve();
  let delivering: Promise<void> = Promise.resolve();
  let deliverAgain = false;
  let deliveringNow = false;

  // Once stopped, a send still in flight finds the outbox closed; its row is sent again after its claim lapses.
  const report = (what: string) => (error: unknown) => {
    if (!stopped) log.error({ err: error instanceof Error ? error.message : String(error) }, `notifications: ${what} failed; trying again shortly`);
  };

  const deliver = (): Promise<void> => {
    if (deliveringNow) {
      deliverAgain = true;
      return delivering;
    }
    deliveringNow = true;
    delivering = (async () => {
      do {
        deliverAgain = false;
        await deliverer.deliverDue().catch(report('sending'));
      } while (deliverAgain && !stopped);
    })().finally(() => {
      deliveringNow = false;
    });
    return delivering;
  };

  let watchingNow = false;
  const watch = (): Promise<void> => {
    if (watchingNow) return watching;
    watchingNow = true;
    watching = watcher
      .scan()
      .then((added) => {
        if (added > 0) void deliver();
      }, report('looking for events'))
      .finally(() => {
        watchingNow = false;
      });
    return watching;
  };

  const watchTimer = setInterval(() => void watch(), pollMs);
  // Retries come due with no change in the store; a slower tick is enough for them.
  const deliverTimer = setInterval(() => void deliver(), Math.max(pollMs, 1000));
  watchTimer.unref();
  deliverTimer.unref();
  void watch();

  return {
    kick: () => void watch(),
    async stop(stopOptions = {}) {
      clearInterval(watchTimer);
      clearInterval(deliverTimer);
      const flushMs = stopOptions.flushMs ?? 0;
      if (flushMs > 0) {
        const flush = (async () => {
          await watching;
          await watch();
          await delivering;
          await deliver();
        })();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([flush, new Promise<void>((resolve) => (timer = setTimeout(resolve, flushMs)))]);
        clearTimeout(timer);
      }
      stopped = true;
      if (flushMs === 0) await Promise.race([Promise.all([watching, delivering]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    },
  };
}
