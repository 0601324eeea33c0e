/**
 * Running on several machines: `converge migrate`, `converge store copy`, and the distributed
 * worker that `converge worker` runs when the store can dispatch work (PostgreSQL).
 */
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import type { Engine } from '../../../engine/create-engine.js';
import { runQueueWorker } from '../../../engine/queue-worker.js';
import type { QueueWorkerOptions, QueueWorkerResult } from '../../../engine/queue-worker.js';
import { openStore } from '../../../store/open-store.js';
import type { MigrationStep, Store } from '../../../store/store.js';
import { copyStore } from '../../../store/store-copy.js';
import type { ScaleOut } from '../../../store/work-queue.js';
import { globalOptions, openCliStore } from '../cli-context.js';

/** The queue and provider slots of a store that has them (today: PostgreSQL). */
async function openScaleOut(store: Store): Promise<ScaleOut> {
  if (!store.capabilities.distributedQueue) {
    throw new ConvergeError('USAGE', `The store at ${store.location} serves one machine only, so it has no work queue.`, {
      hint: 'Use a PostgreSQL store (--store postgres://user@host/db) to run workers on several machines; `converge store copy` moves a history there.',
    });
  }
  // pg-boss is imported only for a store that has a work queue, not by every command.
  const { openPostgresScaleOut } = await import('../../../store/postgres/postgres-queue.js');
  return openPostgresScaleOut(store);
}

export interface DistributedWorkerOptions extends Omit<QueueWorkerOptions, 'slots' | 'log'> {
  /** Where log lines go; the default writes `converge worker: …` lines to stderr. */
  log?: (line: string) => void;
}

/**
 * Drives workflows from the store's work queue, with provider limits shared by all workers,
 * until `signal` aborts (graceful: see queue-worker.ts). `converge worker` calls this when
 * `store.capabilities.distributedQueue` is true; `converge serve` will too.
 */
export async function runDistributedWorker(engine: Engine, options: DistributedWorkerOptions = {}): Promise<QueueWorkerResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`converge worker: ${line}\n`));
  const scale = await openScaleOut(engine.store);
  const limits = Object.entries(engine.agents.limits()).map(([provider, n]) => `${provider} ≤ ${n}`);
  const drainEnv = process.env.CONVERGE_WORKER_DRAIN_MS ?? '';
  log(
    `distributed queue on ${scale.location}, concurrency ${options.concurrency ?? 8}` +
      (limits.length > 0 ? `, provider limits across all workers: ${limits.join(', ')}` : '') +
      (options.untilIdle ? ', until idle' : ''),
  );
  try {
    const result = await runQueueWorker(engine, scale.queue, {
      ...options,
      ...(options.drainMs === undefined && /^\d+$/.test(drainEnv) ? { drainMs: Number(drainEnv) } : {}),
      slots: scale.slots,
      log,
    });
    log(`stopped: drove ${result.runs} run(s), handed back ${result.handedBack}`);
    return result;
  } finally {
    await scale.close();
  }
}

/** What opening the store did, when the store kept it (PostgreSQL does); else what migrate() says now. */
async function migrationSteps(store: Store): Promise<MigrationStep[]> {
  const now = await store.migrate();
  const atOpen = (store as Store & { openSteps?: readonly MigrationStep[] }).openSteps ?? [];
  return now.map((step) => atOpen.find((s) => s.version === step.version && s.status === 'applied') ?? step);
}

function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description("bring the store's schema (and, on PostgreSQL, the work queue and provider slots) up to date, and show each step")
    .action(async (_flags: unknown, command: Command) => {
      const options = globalOptions(command);
      const store = await openCliStore(options, { create: true });
      const lines: Array<Record<string, unknown>> = (await migrationSteps(store)).map((s) => ({ part: 'store', ...s }));
      if (store.capabilities.distributedQueue) {
        const scale = await openScaleOut(store);
        await scale.close();
        for (const part of scale.parts) lines.push({ part: 'scale-out', name: part, status: 'ready' });
      }
      if (options.json) {
        for (const line of lines) process.stdout.write(`${JSON.stringify(line)}\n`);
        return;
      }
      process.stdout.write(`Store ${store.location}\n`);
      for (const line of lines) {
        const label = line.part === 'store' ? `${String(line.version).padStart(4, '0')} ${String(line.name)}` : String(line.name);
        process.stdout.write(`  ${label.padEnd(60)} ${String(line.status).replace('_', ' ')}${line.error ? `: ${String(line.error)}` : ''}\n`);
      }
    });
}

function registerStoreCopy(program: Command): void {
  const store = program.command('store').description('operations on whole stores');
  store
    .command('copy')
    .description('copy every workflow (log, index row, snapshot) from one store into another, keeping ids; safe to run again')
    .requiredOption('--from <url>', 'the source store: a SQLite path or postgres://…')
    .requiredOption('--to <url>', 'the target store: a SQLite path or postgres://…')
    .action(async (flags: { from: string; to: string }, command: Command) => {
      const json = globalOptions(command).json === true;
      const from = await openStore(flags.from);
      try {
        const to = await openStore(flags.to);
        try {
          const started = Date.now();
          const result = await copyStore(from, to, {
            onProgress: (p) => {
              if (p.done % 100 !== 0 && p.done !== p.total) return;
              if (json) process.stdout.write(`${JSON.stringify({ progress: p })}\n`);
              else process.stderr.write(`converge store copy: ${p.done}/${p.total} workflows (${p.copied} copied, ${p.skipped} already there)\n`);
            },
          });
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          if (json) process.stdout.write(`${JSON.stringify({ from: from.location, to: to.location, ...result, seconds: Number(seconds) })}\n`);
          else {
            const completed = result.completed > 0 ? ` (${result.completed} of them completed an earlier, interrupted copy)` : '';
            process.stdout.write(
              `Copied ${result.copied + result.completed} of ${result.total} workflows${completed}, ${result.events} events, from ${from.location} to ${to.location} in ${seconds} s; ${result.skipped} were already there.\n`,
            );
          }
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
}

export function registerScaleCommands(program: Command): void {
  registerMigrate(program);
  registerStoreCopy(program);
}
