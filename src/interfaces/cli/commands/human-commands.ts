/**
 * approve, reject, request-changes, answer, submit, cancel, pause: what people do to a
 * running workflow, usually from another terminal while `run` waits.
 */
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import { wholeNumber } from '../number-flags.js';
import type { EscalationAnswer } from '../../../core/events.js';
import type { GateResponse } from '../../../engine/workflow-commands.js';
import { cliAccess, cliCaller } from '../cli-access.js';
import { buildEngine, globalOptions, loadConfig, openCliStore } from '../cli-context.js';
import { statusLine } from '../show-format.js';
import type { WorkflowState } from '../../../core/state.js';
import { loadState, waitingFor } from '../../../engine/workflow-log.js';
import { shownStatus } from '../../../engine/external-wait.js';
import { printJsonLine, printText } from '../cli-output.js';
import { printDryRun, printRecorded, readForSubmit } from '../submit-output.js';
import { readResultFiles } from './parse-command.js';
import { addBudgetOptions, budgetFromFlags } from '../budget-flags.js';
import type { BudgetFlags } from '../budget-flags.js';

function report(command: Command, state: WorkflowState, what: string): void {
  if (globalOptions(command).json) printJsonLine({ workflow_id: state.workflowId, status: shownStatus(state), waiting_for: waitingFor(state), done: what });
  else printText(`${what}\n${statusLine(state)}`);
}

async function gate(command: Command, id: string, response: GateResponse, as?: string): Promise<void> {
  const store = await openCliStore(globalOptions(command));
  const state = await cliAccess(store, globalOptions(command)).respondToGate(cliCaller(as), id, response);
  const verb = response.decision === 'approve' ? 'Approved' : response.decision === 'reject' ? 'Rejected' : 'Changes requested';
  report(command, state, `${verb}. ${state.status === 'running' ? 'A waiting `converge run` continues on its own; otherwise run `converge resume ' + id + '`.' : ''}`);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerHumanCommands(program: Command): void {
  program
    .command('approve')
    .description('approve the gate a workflow is waiting at')
    .argument('<id>', 'workflow id')
    .option('-m, --comment <text>', 'a comment recorded with the approval')
    .option('--as <name>', 'who approves (default: your user name)')
    .action(async (id: string, flags: { comment?: string; as?: string }, command: Command) => {
      await gate(command, id, { decision: 'approve', ...(flags.comment ? { comment: flags.comment } : {}) }, flags.as);
    });

  program
    .command('reject')
    .description('reject the gate a workflow is waiting at; the workflow ends as rejected')
    .argument('<id>', 'workflow id')
    .option('-m, --comment <text>', 'why')
    .option('--as <name>', 'who rejects')
    .action(async (id: string, flags: { comment?: string; as?: string }, command: Command) => {
      await gate(command, id, { decision: 'reject', ...(flags.comment ? { comment: flags.comment } : {}) }, flags.as);
    });

  program
    .command('request-changes')
    .description('send the workflow back to revise (plan gate → step 3, code gates → step 6) with change requests')
    .argument('<id>', 'workflow id')
    .option('-c, --change <text>', 'a change to make (repeatable)', collect, [])
    .option('-m, --comment <text>', 'a comment')
    .option('--as <name>', 'who asks')
    .action(async (id: string, flags: { change: string[]; comment?: string; as?: string }, command: Command) => {
      await gate(command, id, { decision: 'request_changes', changeRequests: flags.change, ...(flags.comment ? { comment: flags.comment } : {}) }, flags.as);
    });

  const answer = program
    .command('answer')
    .description('answer an escalation (a cap reached, a stall, repeated failures, or the budget reached)')
    .argument('<id>', 'workflow id')
    .option('--grant <n>', 'grant N more rounds', wholeNumber('--grant', { min: 1, example: 2 }))
    .option('--accept', 'accept the artifact as it is and move on (at a budget: go on over it)')
    .option('--send-back <text...>', 'revise again with these change requests')
    .option('--retry', 'retry the failed step')
    .option('--raise-budget', 'raise the budget to the --budget-* limits given (none: double the reached ones) and go on')
    .option('--cancel', 'cancel the workflow')
    .option('-m, --comment <text>', 'a comment')
    .option('--as <name>', 'who answers');
  addBudgetOptions(answer, 'with --raise-budget')
    .action(async (id: string, flags: { grant?: number; accept?: boolean; sendBack?: string[]; retry?: boolean; raiseBudget?: boolean; cancel?: boolean; comment?: string; as?: string } & BudgetFlags, command: Command) => {
      const answers: EscalationAnswer[] = [];
      const budget = budgetFromFlags(flags);
      if (budget !== undefined && !flags.raiseBudget) {
        throw new ConvergeError('USAGE', '--budget-usd, --budget-tokens and --budget-duration go with --raise-budget.', { hint: `For example \`converge answer ${id} --raise-budget --budget-usd 10\`.` });
      }
      if (flags.raiseBudget) answers.push({ kind: 'raise_budget', budget: budget ?? {} });
      if (flags.grant !== undefined) answers.push({ kind: 'grant_rounds', rounds: flags.grant });
      if (flags.accept) answers.push({ kind: 'accept' });
      if (flags.sendBack) answers.push({ kind: 'send_back', changeRequests: flags.sendBack });
      if (flags.retry) answers.push({ kind: 'retry' });
      if (flags.cancel) answers.push({ kind: 'cancel' });
      if (answers.length !== 1) {
        throw new ConvergeError('USAGE', 'Give exactly one answer.', { hint: 'Use one of --grant N, --accept, --send-back "…", --retry, --raise-budget [--budget-usd N], --cancel.' });
      }
      const store = await openCliStore(globalOptions(command));
      const state = await cliAccess(store, globalOptions(command)).answerEscalation(cliCaller(flags.as), id, answers[0]!, flags.comment);
      report(command, state, `Answered: ${answers[0]!.kind}.`);
    });

  program
    .command('submit')
    .description('submit the result of a step run by an external agent (plan, report or code as markdown)')
    .argument('<id>', 'workflow id')
    .option('-s, --step <n>', 'the step the result is for (refused if the workflow waits for another)', wholeNumber('--step', { min: 1 }))
    .option('-f, --file <file...>', 'the result file(s): one per prompt of the step, in prompt order (step 5: --file REVIEW-5A --file REVIEW-5B)')
    .option('--dry-run', 'print what would be recorded (scores, issues, notes, files) and record nothing')
    .action(async (id: string, flags: { step?: number; file?: string[]; dryRun?: boolean }, command: Command) => {
      if (flags.file === undefined || flags.file.length === 0) {
        throw new ConvergeError('USAGE', 'Give the result with --file FILE.', {
          hint: `Write the agent's answer to a file, then \`converge submit ${id} --step N --file FILE\`; \`converge next ${id}\` shows the step and its prompt.`,
        });
      }
      const options = globalOptions(command);
      const texts = readResultFiles(flags.file, loadConfig(options).config.limits);
      const store = await openCliStore(options);
      const engine = buildEngine(store, loadConfig(options));
      const before = await loadState(store, id);
      const read = () => readForSubmit(before, flags.step, texts, engine.executor.readOnlyPaths ?? []);
      if (flags.dryRun) {
        printDryRun(id, read(), options.json === true);
        return;
      }
      // The access layer refuses (and audits) a result with a review missing or no readable content.
      const state = await cliAccess(store, options, engine).submitResult(cliCaller(), id, flags.step, texts);
      printRecorded(read(), state, options.json === true);
    });

  program
    .command('cancel')
    .description('cancel a workflow (a running step is stopped)')
    .argument('<id>', 'workflow id')
    .option('-m, --reason <text>', 'why')
    .action(async (id: string, flags: { reason?: string }, command: Command) => {
      const store = await openCliStore(globalOptions(command));
      const state = await cliAccess(store, globalOptions(command)).cancel(cliCaller(), id, flags.reason);
      report(command, state, 'Cancelled.');
    });

  for (const [name, paused] of [['pause', true], ['unpause', false]] as const) {
    program
      .command(name)
      .description(paused ? 'pause a workflow after its current step' : 'let a paused workflow continue (then `converge resume ID`)')
      .argument('<id>', 'workflow id')
      .action(async (id: string, _flags: unknown, command: Command) => {
        const store = await openCliStore(globalOptions(command));
        const state = await cliAccess(store, globalOptions(command)).setPaused(cliCaller(), id, paused);
        report(command, state, paused ? 'Paused.' : 'Unpaused.');
      });
  }
}
