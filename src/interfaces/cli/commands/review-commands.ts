/**
 * review, edit, and `show --step`: deciding at a gate from the terminal (issue 17, parts 1–3).
 * `review` prints the same review the dashboard and MCP show; `edit` records a human revision at
 * the pending gate through the shared access layer (audited like an approval); `show ID --step N`
 * prints a step's trace.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import type { WorkflowState } from '../../../core/state.js';
import { waitingFor, loadState } from '../../../engine/workflow-log.js';
import { shownStatus } from '../../../engine/external-wait.js';
import type { Store } from '../../../store/store.js';
import { buildStepTrace } from '../../shared/step-trace-view.js';
import { buildReview } from '../../shared/workflow-review.js';
import { cliAccess, cliCaller } from '../cli-access.js';
import { buildEngine, globalOptions, loadConfig, openCliStore } from '../cli-context.js';
import { printJsonLine } from '../cli-output.js';
import { stepFlag } from '../number-flags.js';
import { diffText, paintFor, plain, reviewText, traceText } from '../../shared/review-text.js';

/** `converge show ID --step N`: the step's trace, as text or (with --json) the trace object. */
export async function showStepTrace(command: Command, store: Store, state: WorkflowState, step: number): Promise<void> {
  const trace = await buildStepTrace(store, state, step);
  if (globalOptions(command).json) printJsonLine(trace);
  else process.stdout.write(`${traceText(trace, paintFor())}\n`);
}

function readInput(file: string, flag: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new ConvergeError('USAGE', `${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`, {
      hint: 'Give a readable file with the new text, or - for standard input.',
      details: { field: flag.replace(/^--/, '') },
    });
  }
}

export function registerReviewCommands(program: Command): void {
  program
    .command('review')
    .description('the review at the gate: the change against the base (code) or the previous plan, issues by severity with file:line, reviews, each check\'s failures and output tail, scores')
    .argument('<id>', 'workflow id')
    .action(async (id: string, _f: unknown, command: Command) => {
      const review = await buildReview(await loadState(await openCliStore(globalOptions(command)), id));
      if (globalOptions(command).json) printJsonLine(review);
      else process.stdout.write(`${reviewText(review, paintFor())}\n`);
    });

  program
    .command('edit')
    .description('record your own version at the pending gate, before approving: the plan (--plan FILE) or a workspace file (--file PATH --from FILE); the gate keeps waiting')
    .argument('<id>', 'workflow id')
    .option('--plan <file>', 'the edited plan, whole (- reads standard input)')
    .option('--file <path>', 'the workspace file to replace (relative to the workspace), with --from')
    .option('--from <file>', 'the new content of --file (- reads standard input)')
    .option('-m, --comment <text>', 'why, recorded with the revision')
    .option('--as <name>', 'who edits (default: your user name)')
    .action(async (id: string, flags: { plan?: string; file?: string; from?: string; comment?: string; as?: string }, command: Command) => {
      if ((flags.plan === undefined) === (flags.file === undefined)) {
        throw new ConvergeError('USAGE', flags.plan === undefined ? 'Say what to edit: --plan FILE or --file PATH --from FILE.' : '--plan and --file cannot be used together.', {
          hint: 'converge edit ID --plan plan.md, or converge edit ID --file src/index.ts --from my-index.ts',
        });
      }
      if (flags.file !== undefined && flags.from === undefined) {
        throw new ConvergeError('USAGE', `--file ${plain(flags.file)} needs --from FILE with its new content.`, { hint: `converge edit ${id} --file ${plain(flags.file)} --from new-version.ts`, details: { field: 'from' } });
      }
      const options = globalOptions(command);
      const store = await openCliStore(options);
      const engine = buildEngine(store, loadConfig(options));
      const input = flags.plan !== undefined
        ? { target: 'plan' as const, content: readInput(flags.plan, '--plan') }
        : { target: 'file' as const, path: flags.file!, content: readInput(flags.from!, '--from') };
      const { state, revision } = await cliAccess(store, options, engine).editAtGate(cliCaller(flags.as), id, { ...input, ...(flags.comment !== undefined ? { comment: flags.comment } : {}) });
      if (options.json) {
        printJsonLine({ workflow_id: id, status: shownStatus(state), waiting_for: waitingFor(state), revision });
        return;
      }
      const what = revision.path ?? revision.artifact;
      process.stdout.write(
        `Recorded a human revision of ${plain(what)} (${revision.artifact} v${revision.version}). The gate still waits: approve it with \`converge approve ${id}\`, or edit again.\n${diffText(revision.diff, paintFor())}\n`,
      );
    });
}
