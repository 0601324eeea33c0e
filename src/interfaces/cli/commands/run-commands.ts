/**
 * run, start, resume: start workflows and drive them with live progress.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import type { InputLimits } from '../../../core/text-input.js';
import { checkRequirements, requirementsFromBytes } from '../../shared/text-limits.js';
import { AgentsConfigSchema } from '../../../agents/agent-config.js';
import type { AgentsConfig } from '../../../agents/agent-config.js';
import type { StartRequest } from '../../shared/workflow-access.js';
import { cliAccess, cliCaller } from '../cli-access.js';
import type { Engine } from '../../../engine/create-engine.js';
import type { RunControl, RunOutcome } from '../../../engine/runner.js';
import { shownStatus } from '../../../engine/external-wait.js';
import { loadState } from '../../../engine/workflow-log.js';
import { parseWith, readDocument } from '../../../workflows/loader.js';
import { exitCodeForStatus } from '../../error-map.js';
import { buildEngine, cliProject, globalOptions, loadConfig, openCliStore } from '../cli-context.js';
import { preflightAgents } from '../agent-preflight.js';
import type { Progress } from '../progress.js';
import { roundsTable } from '../show-format.js';
import { externalWaitPrinter } from '../wait-output.js';
import { printJsonLine, printText } from '../cli-output.js';
import { addBudgetOptions, budgetFromFlags } from '../budget-flags.js';
import { escalationAnswers } from '../../../engine/human-answers.js';
import { escalationFlag } from '../next-format.js';
import { NOTIFY_FLUSH_MS, startCliNotifications } from '../cli-notifications.js';
import type { BudgetFlags } from '../budget-flags.js';

// Live progress (listr2) is imported by the commands that show it, not by every command.
const loadProgress = () => import('../progress.js');

export interface RunFlags {
  workspace?: string;
  definition?: string;
  profile?: string;
  agents?: string;
  autoApprove?: boolean;
  wait?: boolean;
  taskType?: string;
  name?: string;
  docs?: string[];
  isolated?: boolean;
}
type StartFlags = RunFlags & BudgetFlags;

/** What `run` and `start` ask for: the configured definition and profile (the engine's), plus the flags. */
function startRequest(engine: Engine, requirements: string, flags: StartFlags): StartRequest {
  const budget = budgetFromFlags(flags);
  return {
    ...(budget !== undefined ? { budget } : {}),
    requirements,
    workspace: flags.workspace ?? cliProject().root,
    workspaceType: flags.isolated ? 'isolated' : engine.config.workspace.type,
    ...(flags.taskType !== undefined ? { taskType: flags.taskType } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    documentationLocations: flags.docs ?? [],
    autoApprove: flags.autoApprove ?? false,
  };
}

/** Records the new workflow through the access layer, which writes its audit row. */
function startFromCli(command: Command, engine: Engine, requirements: string, flags: StartFlags) {
  return cliAccess(engine.store, globalOptions(command), engine).start(cliCaller(), startRequest(engine, requirements, flags));
}

/** The requirements argument, or the file it names with @FILE, checked as text within `limits.requirements_kb`. */
export function readRequirements(text: string, limits: Partial<InputLimits> | undefined): string {
  if (!text.startsWith('@')) return checkRequirements(text, limits);
  const path = resolve(text.slice(1));
  if (!existsSync(path)) {
    throw new ConvergeError('USAGE', `The requirements file ${path} does not exist.`, {
      hint: 'Check the path after @ (it is read relative to the current folder), or give the requirements in quotes.',
    });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new ConvergeError('USAGE', `Cannot read the requirements file ${path}: ${why}.`, { hint: 'Give a readable text file after @.' });
  }
  return requirementsFromBytes(bytes, limits, path);
}

export function loadAgentsFile(path: string | undefined): AgentsConfig | undefined {
  if (path === undefined) return undefined;
  const full = resolve(path);
  const doc = readDocument(full, 'CONFIG_INVALID') as Record<string, unknown> | null;
  const agents = doc !== null && typeof doc === 'object' && 'agents' in doc ? doc.agents : doc;
  return parseWith(AgentsConfigSchema, agents ?? {}, full, 'CONFIG_INVALID');
}

export async function prepare(command: Command, flags: RunFlags, progress: Progress): Promise<{ engine: Engine; baseDir: string }> {
  const options = globalOptions(command);
  const loaded = loadConfig(options);
  const config = {
    ...loaded.config,
    ...(flags.definition !== undefined ? { definition: resolve(flags.definition) } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
  };
  const agentsFile = loadAgentsFile(flags.agents);
  // run and start create the store; resume needs the one its workflow is in.
  const starts = command.name() !== 'resume';
  if (starts) preflightAgents(config, agentsFile, loaded.baseDir, resolve(flags.workspace ?? cliProject().root));
  const store = await openCliStore(options, { create: starts });
  const engine = buildEngine(store, { config, baseDir: loaded.baseDir }, {
    onEvents: progress.onEvents,
    onProgress: progress.onProgress,
    ...(agentsFile !== undefined ? { agents: agentsFile } : {}),
  });
  return { engine, baseDir: loaded.baseDir };
}

export async function drive(
  engine: Engine,
  workflowId: string,
  progress: Progress,
  wait: boolean,
  json: boolean,
  quiet = false,
  onWait?: RunControl['onWait'],
): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let outcome: RunOutcome;
  try {
    outcome = await progress.around(`Workflow ${workflowId}`, () => engine.runner.run(workflowId, { waitForHumans: wait, signal: controller.signal, ...(onWait ? { onWait } : {}) }));
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (controller.signal.aborted) {
    process.stderr.write(`Interrupted. Nothing is lost: continue with \`converge resume ${workflowId}\`.\n`);
    return 130;
  }
  if (quiet) return exitCodeForStatus(outcome.status, outcome.waitingFor);
  if (!json) printOutcome(outcome);
  else printJsonLine({ workflow_id: workflowId, outcome: shownStatus(outcome.state), waiting_for: outcome.waitingFor });
  return exitCodeForStatus(outcome.status, outcome.waitingFor);
}

function printOutcome(outcome: RunOutcome): void {
  const id = outcome.workflowId;
  const lines = ['', `Workflow ${id}: ${shownStatus(outcome.state)}${outcome.waitingFor ? ` — waiting for ${outcome.waitingFor}` : ''}`];
  const rounds = roundsTable(outcome.state);
  if (rounds) lines.push('', rounds);
  if (outcome.waitingFor?.startsWith('gate:')) {
    lines.push('', `Approve: converge approve ${id} [--comment "…"]   Reject: converge reject ${id}   Changes: converge request-changes ${id} --change "…"`);
  } else if (outcome.waitingFor?.startsWith('escalation:')) {
    const reason = outcome.state.escalation?.reason ?? 'stall';
    lines.push('', `Answer: converge answer ${id} ${escalationAnswers(reason).map(escalationFlag).join(' | ')}`);
  } else if (outcome.waitingFor?.startsWith('external:')) {
    // The prompt file and the exact submit command were printed when the wait began.
    lines.push('', `Waiting for you: the result of step ${outcome.waitingFor.split(' ')[1]}. \`converge next ${id}\` shows the prompt file and the submit command again.`);
  }
  lines.push(`Inspect: converge show ${id}`);
  printText(lines.join('\n'));
}

export function registerRunCommands(program: Command): void {
  const run = program
    .command('run')
    .description('start a workflow from requirements and drive it to the end (waits at gates unless --no-wait)')
    .argument('<requirements>', 'what to build, or @FILE to read it from a file')
    .option('-w, --workspace <dir>', 'the project directory agents work in (default: the project root)')
    .option('--isolated', 'work in a git worktree on branch converge/<id> instead of the directory itself')
    .option('-d, --definition <file>', 'a workflow definition file (default: converge.yaml, else seven-step)')
    .option('-p, --profile <name>', 'a profile: typescript, cursus, or a file')
    .option('-a, --agents <file>', 'a YAML file with agent settings (overrides converge.yaml agents)')
    .option('--task-type <type>', "the task type, e.g. the seed's step_type")
    .option('--name <name>', 'a name for the workflow')
    .option('--doc <glob...>', 'documentation locations for the agents')
    .option('--auto-approve', 'approve every gate automatically (recorded as such)')
    .option('--no-wait', 'exit with code 3 instead of waiting when a human is needed');
  addBudgetOptions(run, 'the budget')
    .action(async (requirements: string, flags: StartFlags & { doc?: string[] }, command: Command) => {
      if (flags.doc !== undefined) flags.docs = flags.doc;
      const { createProgress, progressMode } = await loadProgress();
      const json = globalOptions(command).json ?? false;
      // Read and checked before the store is opened: refused requirements leave nothing behind.
      const text = readRequirements(requirements, loadConfig(globalOptions(command)).config.limits);
      const progress = createProgress(progressMode(json));
      const { engine } = await prepare(command, flags, progress);
      const notifications = await startCliNotifications(engine.store, globalOptions(command), engine.config);
      try {
        const state = await startFromCli(command, engine, text, flags);
        process.exitCode = await drive(engine, state.workflowId, progress, flags.wait !== false, json, false, externalWaitPrinter(engine, globalOptions(command), progress, json));
      } finally {
        await notifications?.stop({ flushMs: NOTIFY_FLUSH_MS });
      }
    });

  const start = program
    .command('start')
    .description('record a new workflow and print its id; `converge resume ID` (or a worker) runs it')
    .argument('<requirements>', 'what to build, or @FILE')
    .option('-w, --workspace <dir>', 'the project directory agents work in (default: the project root)')
    .option('--isolated', 'work in a git worktree on branch converge/<id> instead of the directory itself')
    .option('-d, --definition <file>', 'a workflow definition file')
    .option('-p, --profile <name>', 'a profile: typescript, cursus, or a file')
    .option('--task-type <type>', 'the task type')
    .option('--name <name>', 'a name for the workflow')
    .option('--auto-approve', 'approve every gate automatically (recorded as such)');
  addBudgetOptions(start, 'the budget')
    .action(async (requirements: string, flags: StartFlags, command: Command) => {
      const { createProgress } = await loadProgress();
      const json = globalOptions(command).json ?? false;
      const text = readRequirements(requirements, loadConfig(globalOptions(command)).config.limits);
      const progress = createProgress('json');
      const { engine } = await prepare(command, flags, progress);
      const state = await startFromCli(command, engine, text, flags);
      if (json) printJsonLine({ workflow_id: state.workflowId, status: state.status });
      else printText(state.workflowId);
    });

  program
    .command('resume')
    .description('continue a workflow from its log (after a crash, an approval, or `start`)')
    .argument('<id>', 'workflow id')
    .option('-a, --agents <file>', 'a YAML file with agent settings')
    .option('--no-wait', 'exit with code 3 instead of waiting when a human is needed')
    .action(async (id: string, flags: RunFlags, command: Command) => {
      const { createProgress, progressMode } = await loadProgress();
      const json = globalOptions(command).json ?? false;
      const progress = createProgress(progressMode(json));
      const { engine } = await prepare(command, flags, progress);
      await loadState(engine.store, id);
      const notifications = await startCliNotifications(engine.store, globalOptions(command), engine.config);
      process.exitCode = await drive(engine, id, progress, flags.wait !== false, json, false, externalWaitPrinter(engine, globalOptions(command), progress, json)).finally(() => notifications?.stop({ flushMs: NOTIFY_FLUSH_MS }));
    });
}
