/**
 * `converge notify test` sends a sample to each target of converge.yaml (or one), directly, not
 * through the outbox, and says per target whether it arrived and, if not, why. `converge notify
 * list` shows the outbox: what was sent, what waits for a retry, what failed for good.
 */
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import { wholeNumber } from '../number-flags.js';
import { didYouMean } from '../../../core/messages.js';
import type { NotifyEvent, OutboxRow, OutboxStatus } from '../../../ops/index.js';
import { globalOptions, loadConfig, openCliStore, storeLocation } from '../cli-context.js';
import { printJsonLine } from '../cli-output.js';
import { table } from '../show-format.js';

const loadOps = () => import('../../../ops/index.js');

/** Remote answers end up in reasons; their control characters must not reach the terminal. */
const clean = (text: string) => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');

async function notifyTest(flags: { target?: string; event: string }, command: Command): Promise<void> {
  const { NOTIFY_EVENTS, namedTargets, sampleEntry, sendTo, targetProblems } = await loadOps();
  const options = globalOptions(command);
  const loaded = loadConfig(options);
  if (!(NOTIFY_EVENTS as readonly string[]).includes(flags.event)) {
    throw new ConvergeError('USAGE', `Unknown event "${flags.event}"${didYouMean(flags.event, NOTIFY_EVENTS)}.`, { hint: `Use one of: ${NOTIFY_EVENTS.join(', ')}.` });
  }
  let targets = namedTargets(loaded.config.notify);
  if (targets.length === 0) {
    throw new ConvergeError('USAGE', `${loaded.path ?? 'converge.yaml'} lists no notify targets.`, {
      hint: 'Add one under notify:, e.g. `- {type: webhook, url: "https://…", secret_env: CONVERGE_WEBHOOK_SECRET}` (README: Notifications).',
    });
  }
  if (flags.target !== undefined) {
    const names = targets.map((t) => t.name);
    targets = targets.filter((t) => t.name === flags.target);
    if (targets.length === 0) throw new ConvergeError('USAGE', `There is no notify target "${flags.target}"${didYouMean(flags.target, names)}.`, { hint: `The targets are: ${names.join(', ')}.` });
  }
  const body = sampleEntry(flags.event as NotifyEvent, new Date().toISOString(), loaded.config.public_url);
  let failed = 0;
  for (const { name, target } of targets) {
    const problem = targetProblems([target])[0];
    const result = problem !== undefined ? { ok: false as const, retry: false, reason: problem } : await sendTo(target, body, { cwd: loaded.baseDir });
    if (!result.ok) failed += 1;
    if (options.json) {
      printJsonLine({ target: name, type: target.type, event: flags.event, delivered: result.ok, ...(result.ok ? { detail: result.detail } : { reason: result.reason, retryable: result.retry }) });
    } else {
      process.stdout.write(`${result.ok ? '✓' : '✗'} ${clean(name)} (${target.type}): ${result.ok ? `delivered — ${result.detail}` : `failed — ${clean(result.reason)}`}\n`);
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

async function notifyList(flags: { limit: number; status?: string; workflow?: string }, command: Command): Promise<void> {
  const { openOpsStore, outboxRowView, outboxStatus } = await loadOps();
  const options = globalOptions(command);
  const statuses = ['pending', 'delivered', 'failed'];
  if (flags.status !== undefined && !statuses.includes(flags.status)) {
    throw new ConvergeError('USAGE', `--status must be one of ${statuses.join(', ')}, not "${flags.status}"${didYouMean(flags.status, statuses)}.`);
  }
  const store = await openCliStore(options);
  const ops = await openOpsStore(store, { url: storeLocation(options) });
  let rows: OutboxRow[];
  try {
    rows = await ops.outbox.list({ limit: flags.limit, ...(flags.status ? { status: flags.status as OutboxStatus } : {}), ...(flags.workflow ? { workflowId: flags.workflow } : {}) });
  } finally {
    await ops.close();
  }
  if (options.json) {
    for (const r of rows) printJsonLine(outboxRowView(r));
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('No notifications in the outbox yet. converge.yaml notify: lists where they go; `converge notify test` sends a sample.\n');
    return;
  }
  const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '-');
  const lines = rows.map((r) => {
    const status = outboxStatus(r);
    const note = status === 'pending' ? (r.lastError ? `retry at ${when(r.nextAttemptAt)}: ${r.lastError}` : 'due') : status === 'failed' ? (r.lastError ?? '') : `delivered ${when(r.deliveredAt)}`;
    return [when(r.createdAt), r.event, r.workflowId ?? '-', r.target, status, String(r.attempts), clean(note).slice(0, 100), r.id];
  });
  process.stdout.write(`${table([['created', 'event', 'workflow', 'target', 'status', 'tries', 'note', 'delivery id'], ...lines])}\n`);
}

export function registerNotifyCommand(program: Command): void {
  const notify = program.command('notify').description('notifications: send a sample to the targets of converge.yaml, list the outbox');
  notify
    .command('test')
    .description('send a sample event to each notify target (or one), directly, and say per target whether it arrived')
    .option('-t, --target <name>', 'only this target (its name:, else type#position, e.g. webhook#1)')
    .option('-e, --event <event>', 'the sample event: gate.waiting, escalation.raised, external.waiting, workflow.completed|failed|rejected, budget.warning|reached', 'gate.waiting')
    .action(notifyTest);
  notify
    .command('list')
    .description('the newest rows of the notification outbox: delivered, waiting for a retry, or failed for good')
    .option('-n, --limit <n>', 'how many rows', wholeNumber('--limit', { min: 1, example: 20 }), 20)
    .option('--status <status>', 'only pending, delivered or failed rows')
    .option('--workflow <id>', "only this workflow's notifications")
    .action(notifyList);
}
