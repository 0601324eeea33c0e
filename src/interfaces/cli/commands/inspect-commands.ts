/**
 * status, list, show, history, export, fork: reading the durable record.
 */
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import { stepFlag, wholeNumber } from '../number-flags.js';
import { didYouMean } from '../../../core/messages.js';
import type { WorkflowState } from '../../../core/state.js';
import type { Store } from '../../../store/store.js';
import { shownStatus } from '../../../engine/external-wait.js';
import { globalOptions, openCliStore } from '../cli-store.js';
import { listTable, statusLine } from '../status-format.js';
import { eventJson, printDocument, printJsonLine, printResult as print, printText, stateJson, summaryJson } from '../cli-output.js';

// `status` and `list` start with the store and the log reader only (issue 19: start-up); the
// commands that format, decide or build an engine import those parts when they run.
const cliContext = () => import('../cli-context.js');
const cliAccessModule = () => import('../cli-access.js');
// The log reader, and through it the reducer, is loaded by the commands that fold a workflow, not by `list`.
const workflowLog = () => import('../../../engine/workflow-log.js');

async function loadState(store: Store, id: string): Promise<WorkflowState> {
  return (await workflowLog()).loadState(store, id);
}

export function registerInspectCommands(program: Command): void {
  program
    .command('status')
    .description('one line: status, phase, step and what the workflow waits for')
    .argument('<id>', 'workflow id')
    .action(async (id: string, _f: unknown, command: Command) => {
      const state = await loadState(await openCliStore(globalOptions(command)), id);
      const { waitingFor } = await workflowLog();
      const json = { workflow_id: id, status: shownStatus(state), phase: state.phase, step: state.runs.at(-1)?.stepNumber ?? null, waiting_for: waitingFor(state), gate: state.gate, escalation: state.escalation, paused: state.paused };
      print(command, json, statusLine(state));
    });

  program
    .command('list')
    .description('workflows in the store, newest first')
    .option('-s, --status <status...>', 'only these statuses (running, waiting_for_human, completed, rejected, failed, cancelled)')
    .option('-n, --limit <n>', 'how many', wholeNumber('--limit', { min: 1, example: 20 }), 50)
    .action(async (flags: { status?: string[]; limit: number }, command: Command) => {
      const store = await openCliStore(globalOptions(command));
      const rows = await store.listWorkflows({ ...(flags.status ? { status: flags.status } : {}), limit: flags.limit });
      if (globalOptions(command).json) rows.forEach((row) => printJsonLine(summaryJson(row)));
      else printText(listTable(rows));
    });

  program
    .command('show')
    .description('steps, rounds with scores against thresholds, checks, approvals, tokens and cost; with --step N, that step\'s trace')
    .argument('<id>', 'workflow id')
    .option('--step <n>', 'the trace of step N: prompts as rendered, raw output, parsed result, tokens, cost, duration', stepFlag)
    .action(async (id: string, flags: { step?: number }, command: Command) => {
      const store = await openCliStore(globalOptions(command));
      const state = await loadState(store, id);
      if (flags.step !== undefined) return (await import('./review-commands.js')).showStepTrace(command, store, state, flags.step);
      const [{ showText }, { waitingFor }] = await Promise.all([import('../show-format.js'), workflowLog()]);
      print(command, { ...stateJson(state), status: shownStatus(state), waiting_for: waitingFor(state) }, showText(state));
    });

  program
    .command('next')
    .description('what the workflow needs from you now: the prompt file(s) of a step waiting for its result and the submit command, or the approval/escalation it waits for')
    .argument('<id>', 'workflow id')
    .option('--for-agent', 'the tool-call form a coding agent reads (as MCP get_next_action), with the prompts inline')
    .action(async (id: string, flags: { forAgent?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const store = await openCliStore(options);
      const [{ buildEngine, loadConfig }, { nextAction }, { printNextAction }] = await Promise.all([cliContext(), import('../../../engine/next-action.js'), import('../wait-output.js')]);
      const engine = buildEngine(store, loadConfig(options));
      printNextAction(options, await nextAction(engine, await loadState(store, id)), flags.forAgent === true);
    });

  program
    .command('report')
    .description('the merged validation report of a round (scores, issues by severity, checks, coverage) as markdown or JSON')
    .argument('<id>', 'workflow id')
    .option('-r, --round <n>', 'the n-th validation of the workflow (default: the latest)', wholeNumber('--round', { min: 1 }))
    .option('--raw', 'the reviews exactly as the validator wrote them, not what Converge read from them')
    .action(async (id: string, flags: { round?: number; raw?: boolean }, command: Command) => {
      const state = await loadState(await openCliStore(globalOptions(command)), id);
      if (state.validations.length === 0) throw new ConvergeError('USAGE', `Workflow ${id} has no validation report yet.`);
      const n = flags.round ?? state.validations.length;
      const record = state.validations[n - 1];
      if (record === undefined || !Number.isInteger(n)) {
        throw new ConvergeError('USAGE', `Workflow ${id} has ${state.validations.length} validation report(s); there is no report ${flags.round}.`, { hint: `Use --round 1…${state.validations.length}.` });
      }
      const step = state.definition.steps.find((s) => s.id === record.stepId)!;
      if (flags.raw === true) {
        if (record.reviews === undefined) {
          throw new ConvergeError('USAGE', `Report ${n} of workflow ${id} was recorded before Converge kept reviews whole; only what was read from it is stored.`, {
            hint: `Run \`converge report ${id} --round ${n}\` for the parsed report.`,
          });
        }
        const text = record.reviews.map((r) => `<!-- review: ${r.template} -->\n${r.text.trimEnd()}\n`).join('\n');
        print(command, { workflow_id: id, round: n, step: step.number, reviews: record.reviews }, text.trimEnd());
        return;
      }
      const rubric = state.definition.rubrics.find((r) => r.id === step.rubric);
      const { formatReport } = await import('../../../engine/report-format.js');
      print(command, { workflow_id: id, round: n, step: step.number, ...record.report }, `# Report ${n} — step ${step.number} (${step.id}), round ${record.round} of ${record.loopId ?? 'its loop'}\n\n${formatReport(record.report, rubric)}`);
    });

  program
    .command('diff')
    .description('what changed in an artifact between two versions (plan text, or the code files)')
    .argument('<id>', 'workflow id')
    .option('-a, --artifact <kind>', 'plan or code', 'code')
    .option('--from <n>', 'the older version (default: the one before --to)', wholeNumber('--from', { min: 1 }))
    .option('--to <n>', 'the newer version (default: the latest)', wholeNumber('--to', { min: 1, example: 2 }))
    .action(async (id: string, flags: { artifact: string; from?: number; to?: number }, command: Command) => {
      // The diff library is imported by this command only, not by every command.
      const { artifactVersions, diffArtifactVersions } = await import('../../../engine/artifact-diffs.js');
      const state = await loadState(await openCliStore(globalOptions(command)), id);
      const versions = artifactVersions(state, flags.artifact);
      if (versions.length === 0) throw new ConvergeError('USAGE', `Workflow ${id} has no ${flags.artifact} yet.`, { hint: 'Artifacts: plan, code.' });
      const to = flags.to ?? versions.length;
      const from = flags.from ?? Math.max(0, to - 1);
      if (!(to >= 1 && to <= versions.length && from >= 0 && from < to)) {
        throw new ConvergeError('USAGE', `Workflow ${id} has ${flags.artifact} versions 1…${versions.length}; --from ${from} --to ${to} is not a range of them.`, { hint: 'Use --from 0 to diff against nothing.' });
      }
      const diff = diffArtifactVersions(state, flags.artifact, from, to);
      print(command, { workflow_id: id, artifact: flags.artifact, from, to, diff }, diff === '' ? `No changes between ${flags.artifact} v${from} and v${to}.` : diff);
    });

  program
    .command('history')
    .description('every event of the workflow log, in order')
    .argument('<id>', 'workflow id')
    .action(async (id: string, _f: unknown, command: Command) => {
      const store = await openCliStore(globalOptions(command));
      const events = await store.readEvents(id);
      if (globalOptions(command).json) {
        for (const e of events) printJsonLine(eventJson(id, e));
        return;
      }
      const [{ reduce }, { describeEvent }] = await Promise.all([import('../../../core/apply.js'), import('../event-lines.js')]);
      const lines: string[] = [];
      for (let i = 0; i < events.length; i++) {
        const state = reduce(id, events.slice(0, i + 1));
        const e = events[i]!;
        lines.push(`${String(e.seq).padStart(4)}  ${e.at.replace('T', ' ').slice(0, 19)}  ${e.type.padEnd(20)}  ${describeEvent(state, e)}`);
      }
      printText(lines.join('\n'));
    });

  program
    .command('export')
    .description("export a workflow: the seed's state schema (seed-state) or the raw event log (events)")
    .argument('<id>', 'workflow id')
    .option('-f, --format <format>', 'seed-state | events', 'seed-state')
    .action(async (id: string, flags: { format: string }, command: Command) => {
      const store = await openCliStore(globalOptions(command));
      if (flags.format === 'events') {
        for (const e of await store.readEvents(id)) printJsonLine(e);
        return;
      }
      if (flags.format !== 'seed-state') {
        throw new ConvergeError('USAGE', `Unknown export format "${flags.format}"${didYouMean(flags.format, ['seed-state', 'events'])}.`, { hint: 'Use --format seed-state or --format events.' });
      }
      const { toSeedState } = await import('../../../core/seed-state.js');
      printDocument(command, toSeedState(await loadState(store, id)));
    });

  program
    .command('fork')
    .description('a new workflow with the same history up to step N, which then runs again from there')
    .argument('<id>', 'workflow id')
    .requiredOption('--from-step <n>', 'the step to run again', wholeNumber('--from-step', { min: 1, example: 4 }))
    .action(async (id: string, flags: { fromStep: number }, command: Command) => {
      const store = await openCliStore(globalOptions(command));
      const { cliAccess, cliCaller } = await cliAccessModule();
      const state = await cliAccess(store, globalOptions(command)).fork(cliCaller(), id, flags.fromStep);
      print(command, { workflow_id: state.workflowId, forked_from: id }, `${state.workflowId}\nForked from ${id} at step ${flags.fromStep}. Run it with \`converge resume ${state.workflowId}\`.`);
    });
}
