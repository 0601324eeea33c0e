/**
 * `converge store check | backup FILE | restore FILE`: whether a store is sound, a consistent copy
 * of it while workflows run, and bringing one back. Registered beside `store copy`.
 */
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import { EXIT } from '../../error-map.js';
import { sqliteFileOf } from '../../../store/open-store.js';
import { checkStore } from '../../../store/store-check.js';
import type { StoreCheckResult } from '../../../store/store-check.js';
import { backupStore, notSqlite, restoreStore } from '../../../store/store-backup.js';
import type { RestoreResult } from '../../../store/store-backup.js';
import { globalOptions, openCliStore, resolveFrom, storeLocation } from '../cli-context.js';

function storeCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'store');
  if (existing === undefined) throw new Error('`store` is registered by scale-commands.ts first');
  return existing;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function checkText(result: StoreCheckResult): string {
  const lines = [`Store ${result.location}`];
  lines.push(`  database    ${result.database.length === 0 ? 'sound' : `${result.database.length} problem${result.database.length === 1 ? '' : 's'}: ${result.database.slice(0, 5).join('; ')}`}`);
  lines.push(`  workflows   ${result.workflows} checked, ${result.workflows - result.damaged.length} whole (${result.events} events)`);
  for (const found of result.damaged) lines.push(`  damaged     ${found.workflowId} at event ${found.seq}: ${found.reason}`);
  for (const id of result.cleared) lines.push(`  whole again ${id} (its damage mark was cleared)`);
  if (result.database.length > 0 || result.damaged.length > 0) {
    lines.push('', 'The store is damaged. The workflows listed as damaged are quarantined: commands on them fail with STORE_DAMAGED, the others keep working.');
    lines.push('hint: restore a backup with `converge store restore FILE` (it keeps the store as it is now beside it).');
  } else {
    lines.push('', 'The store is sound.');
  }
  return lines.join('\n');
}

function restoreText(result: RestoreResult): string {
  const what = `Restored ${result.from} into ${result.to}: ${result.workflows} workflow${result.workflows === 1 ? '' : 's'}, ${result.events} events, each log checked whole.`;
  switch (result.previous.kind) {
    case 'none':
      return `${what} There was no store there before.`;
    case 'empty':
      return `${what} The store there was empty.`;
    case 'kept':
      return `${what} The store that was there (${result.previous.workflows} workflows) is kept at ${result.previous.file}.`;
    case 'damaged':
      return `${what} The damaged store that was there was moved to ${result.previous.file}.`;
  }
}

export function registerStoreCommands(program: Command): void {
  const store = storeCommand(program);

  store
    .command('check')
    .description("SQLite's integrity check plus every workflow's log read whole (seqs, checksums, bodies); exit 5 when anything is damaged")
    .action(async (_flags: unknown, command: Command) => {
      const options = globalOptions(command);
      // A file that fails SQLite's quick check is refused here, on open, before anything is written.
      const opened = await openCliStore(options);
      const result = await checkStore(opened, {
        onProgress: (done) => {
          if (done % 1000 === 0 && !options.json) process.stderr.write(`converge store check: ${done} workflows read\n`);
        },
      });
      const damaged = result.database.length > 0 || result.damaged.length > 0;
      if (options.json) {
        for (const found of result.damaged) process.stdout.write(`${JSON.stringify({ workflow_id: found.workflowId, seq: found.seq, reason: found.reason })}\n`);
        process.stdout.write(`${JSON.stringify({ store: result.location, ok: !damaged, database: result.database, workflows: result.workflows, events: result.events, damaged: result.damaged.length, cleared: result.cleared })}\n`);
      } else {
        process.stdout.write(`${checkText(result)}\n`);
      }
      process.exitCode = damaged ? EXIT.damaged : 0;
    });

  store
    .command('backup')
    .description('a consistent copy of the store in FILE, taken while workflows run (SQLite; PostgreSQL: prints the pg_dump command)')
    .argument('<file>', 'where to write the backup')
    .option('--force', 'overwrite FILE if it exists')
    .action(async (file: string, flags: { force?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const location = storeLocation(options);
      const target = resolveFrom(process.cwd(), file);
      // PostgreSQL is backed up with pg_dump: say how without connecting.
      if (sqliteFileOf(location) === undefined) throw notSqlite(location, 'backup', file);
      const started = Date.now();
      const result = await backupStore(await openCliStore(options), target, { force: flags.force === true });
      const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
      if (options.json) process.stdout.write(`${JSON.stringify({ store: result.location, file: result.file, workflows: result.workflows, bytes: result.bytes, seconds })}\n`);
      else {
        process.stdout.write(
          `Backed up the store at ${result.location} to ${result.file}: ${result.workflows} workflow${result.workflows === 1 ? '' : 's'}, ${megabytes(result.bytes)}, in ${seconds} s.\n` +
            `Bring it back with: converge store restore ${file}\n`,
        );
      }
    });

  store
    .command('restore')
    .description('bring back a backup: checked whole first; a store with workflows is replaced only with --force, and kept beside it')
    .argument('<file>', 'a file `converge store backup` wrote')
    .option('--force', 'replace a store that has workflows (kept as STORE.before-restore-…) or a damaged one (moved aside)')
    .action(async (file: string, flags: { force?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const location = storeLocation(options);
      const backup = resolveFrom(process.cwd(), file);
      const sqliteFile = sqliteFileOf(location);
      if (sqliteFile !== undefined && sqliteFile === backup) {
        throw new ConvergeError('USAGE', `${file} is the store itself.`, { hint: 'Give the backup file, and the store to restore into with --store.' });
      }
      const result = await restoreStore(backup, location, sqliteFile, { force: flags.force === true });
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ from: result.from, store: result.to, workflows: result.workflows, events: result.events, previous: result.previous })}\n`);
      } else {
        process.stdout.write(`${restoreText(result)}\n`);
      }
    });
}
