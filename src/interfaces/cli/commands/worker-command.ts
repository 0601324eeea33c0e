/**
 * `converge worker`: drives the store's runnable workflows, many at once, within each
 * provider's limits. Workflows recorded with `converge start` are picked up here.
 */
import type { Command } from 'commander';
import { wholeNumber } from '../number-flags.js';
import { runWorker } from '../../../engine/worker.js';
import { buildEngine, globalOptions, loadConfig, openCliStore } from '../cli-context.js';
import { runDistributedWorker } from './scale-commands.js';
import { NOTIFY_FLUSH_MS, startCliNotifications } from '../cli-notifications.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('drive every runnable workflow of the store, several at once (Ctrl-C stops after the current steps)')
    .option('-c, --concurrency <n>', 'workflows driven at once', wholeNumber('--concurrency', { min: 1, example: 4 }), 8)
    .option('--once', 'exit when nothing is left to run')
    .action(async (flags: { concurrency: number; once?: boolean }, command: Command) => {
      // Live progress (listr2) is imported by the commands that show it, not by every command.
      const { createProgress } = await import('../progress.js');
      const options = globalOptions(command);
      const progress = createProgress(options.json ? 'json' : 'plain');
      const engine = buildEngine(await openCliStore(options), loadConfig(options), { onEvents: progress.onEvents, onProgress: progress.onProgress });
      const notifications = await startCliNotifications(engine.store, options, engine.config);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const onError = (id: string, error: unknown) => process.stderr.write(`converge worker: ${id}: ${error instanceof Error ? error.message : String(error)}\n`);
      let finished: number;
      if (engine.store.capabilities.distributedQueue) {
        // Workers on any number of machines share the store's work queue and provider limits.
        const result = await runDistributedWorker(engine, { concurrency: flags.concurrency, signal: controller.signal, onError, ...(flags.once ? { untilIdle: true } : {}) });
        finished = result.runs;
      } else {
        if (!options.json) process.stderr.write(`converge worker: store ${engine.store.location}, concurrency ${flags.concurrency}${flags.once ? ', until idle' : ''}\n`);
        finished = await runWorker(engine, { concurrency: flags.concurrency, signal: controller.signal, ...(flags.once ? { once: true } : {}), onError });
      }
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await notifications?.stop({ flushMs: NOTIFY_FLUSH_MS });
      if (!options.json) process.stderr.write(`converge worker: drove ${finished} run(s).\n`);
    });
}
