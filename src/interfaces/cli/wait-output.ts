/**
 * What `run` and `resume` print the moment a step starts waiting for an external result: the
 * prompt file(s) written for it and the exact submit command — on a terminal amid the progress,
 * under --json as one `waiting` record.
 */
import type { Engine } from '../../engine/create-engine.js';
import { nextAction } from '../../engine/next-action.js';
import type { NextAction, SubmitStepResultAction } from '../../engine/next-action.js';
import { nextActionText } from '../mcp/next-action-text.js';
import type { WorkflowState } from '../../core/state.js';
import type { GlobalOptions } from './cli-context.js';
import { nextActionForPerson, waitLines } from './next-format.js';
import type { PersonContext } from './next-format.js';
import { cliPrefix, shownPath, submitCommand, writePromptFiles } from './prompt-files.js';
import type { Progress } from './progress.js';
import { printJsonLine, printText } from './cli-output.js';

/** The prompt files of a waiting step, written, and the commands a person needs for it. */
export function personContext(options: GlobalOptions, action: SubmitStepResultAction): PersonContext {
  return { cli: cliPrefix(options), promptFiles: writePromptFiles(options, action), submit: submitCommand(options, action) };
}

/** The `waiting` JSON record of an external wait. */
export function waitingJson(action: SubmitStepResultAction, ctx: PersonContext): Record<string, unknown> {
  return {
    workflow_id: action.workflow_id,
    type: 'waiting',
    status: 'waiting_for_human',
    waiting_for: `external:step ${action.step_number}`,
    step: action.step_number,
    texts: action.expected_output.texts,
    prompt_files: ctx.promptFiles.map((f) => shownPath(f)),
    submit_command: ctx.submit,
  };
}

/** A RunControl.onWait for the CLI: prints each external wait once (a wait can be re-entered after an unrelated event). */
export function externalWaitPrinter(engine: Engine, options: GlobalOptions, progress: Progress, json: boolean) {
  const shown = new Set<string>();
  return async (state: WorkflowState, waitingFor: string): Promise<void> => {
    if (!waitingFor.startsWith('external:')) return;
    const key = `${state.runs.at(-1)?.actionId}`;
    if (shown.has(key)) return;
    const action = await nextAction(engine, state);
    if (action.kind !== 'submit_step_result') return;
    shown.add(key);
    const ctx = personContext(options, action);
    if (json) printJsonLine(waitingJson(action, ctx));
    else progress.note(['', ...waitLines(action, ctx), `  Details: ${ctx.cli} next ${action.workflow_id}`, '']);
  };
}

/**
 * `converge next`: for a person by default (prompt files written, the exact commands); with
 * `forAgent` the tool-call text MCP's get_next_action returns. --json prints the action, plus
 * the prompt files and the submit command when a step waits.
 */
export function printNextAction(options: GlobalOptions, action: NextAction, forAgent: boolean): void {
  const ctx = action.kind === 'submit_step_result' ? personContext(options, action) : undefined;
  if (options.json) {
    const files = ctx === undefined ? {} : { prompt_files: ctx.promptFiles.map((f) => shownPath(f)), submit_command: ctx.submit };
    printJsonLine({ ...action, ...files });
    return;
  }
  const text = forAgent ? nextActionText(action) : nextActionForPerson(action, ctx ?? { cli: cliPrefix(options), promptFiles: [], submit: '' });
  printText(text);
}
