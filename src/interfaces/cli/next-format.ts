/**
 * `converge next` for a person: which step waits, where its prompt is, what to submit and how
 * many texts, and the exact command. `converge next --for-agent` (and MCP) keep the tool-call
 * form of src/interfaces/mcp/next-action-text.ts.
 */
import type { NextAction, SubmitStepResultAction } from '../../engine/next-action.js';
import { summaryText } from '../mcp/next-action-text.js';
import { shownPath } from './prompt-files.js';

/** Where the prompts were written and the commands to print, from src/interfaces/cli/prompt-files.ts. */
export interface PersonContext {
  /** `converge` with the global options this command was given. */
  cli: string;
  promptFiles: string[];
  submit: string;
}

const RESULT: Record<SubmitStepResultAction['expected_output']['format'], string> = {
  plan: 'the plan',
  files: 'the code answer',
  report: 'the review',
};

/** The lines `run` prints at once when a step starts waiting, and `next` repeats. */
export function waitLines(action: SubmitStepResultAction, ctx: PersonContext): string[] {
  const step = `${action.step_number} (${action.step_id}${action.step_name ? `, ${action.step_name}` : ''})`;
  const texts = action.expected_output.texts;
  const files = ctx.promptFiles.map((f) => shownPath(f));
  return [
    `Step ${step} waits for you: give the prompt${files.length > 1 ? 's' : ''} to your coding agent (or answer ${files.length > 1 ? 'them' : 'it'} yourself), then submit ${texts > 1 ? `the ${texts} results, one per prompt` : 'the result'}.`,
    ...files.map((f, i) => `  ${i === 0 ? (files.length > 1 ? 'Prompts:' : 'Prompt: ') : '         '} ${f}${files.length > 1 ? `  (${action.prompts[i]!.template})` : ''}`),
    `  Submit:  ${ctx.submit}`,
  ];
}

export function nextActionForPerson(action: NextAction, ctx: PersonContext): string {
  const id = action.workflow_id;
  switch (action.kind) {
    case 'none':
      return `Workflow ${id}: ${action.status}${action.paused ? ' (paused)' : ''}. ${action.message}`;
    case 'respond_to_approval':
      return [
        `Workflow ${id} waits for your approval "${action.gate.name ?? action.gate.id}" after step ${action.step.number} (${action.step.id}).`,
        summaryText(action.summary),
        action.how,
        '',
        `Approve:          ${ctx.cli} approve ${id} [--comment "…"]`,
        `Reject:           ${ctx.cli} reject ${id} [--comment "…"]`,
        `Request changes:  ${ctx.cli} request-changes ${id} --change "…" [--change "…"]`,
      ].join('\n');
    case 'answer_escalation':
      return [
        `Workflow ${id} was escalated to you (${action.reason.replace(/_/g, ' ')}) at step ${action.step.number} (${action.step.id}): ${action.message}`,
        ...(action.summary ? [summaryText(action.summary)] : []),
        action.how,
        '',
        `Answer: ${ctx.cli} answer ${id} ${action.answers.map(escalationFlag).join(' | ')}`,
      ].join('\n');
    case 'submit_step_result':
      return submitText(action, ctx);
  }
}

function submitText(action: SubmitStepResultAction, ctx: PersonContext): string {
  const texts = action.expected_output.texts;
  const what = RESULT[action.expected_output.format];
  const lines = [
    `Workflow ${action.workflow_id} waits for you — or your coding agent — to do step ${action.step_number} as the ${action.role} (attempt ${action.attempt}).`,
    '',
    ...waitLines(action, ctx).slice(1),
    '',
    `What to submit: ${texts === 1 ? `one text, ${what}` : `${texts} texts, ${what} of each prompt, in prompt order`}. ${formatDetails(action)}`,
    `Workspace: ${action.workspace.path} (${action.workspace.type}). ${action.workspace.note}`,
  ];
  if (action.change_requests.length > 0) lines.push(`Change requests from a person: ${action.change_requests.map((c) => `"${c}"`).join('; ')}.`);
  if (action.check_results !== undefined && action.check_results.length > 0) {
    lines.push(`Checks (already in the prompt): ${action.check_results.map((c) => `${c.id} ${c.status}${c.required ? '' : ' (optional)'}`).join(', ')}.`);
  }
  if (action.previous_error) lines.push(`The previous submission was refused: ${action.previous_error}`);
  lines.push('', `Check a result before submitting it: add --dry-run to the submit command.`);
  return lines.join('\n');
}

/** The expected output's description without its tool-call lead ("texts: [plan] — "). */
function formatDetails(action: SubmitStepResultAction): string {
  const text = action.expected_output.description;
  const cut = text.indexOf(' — ');
  const rest = cut >= 0 ? text.slice(cut + 3) : text;
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

export function escalationFlag(answer: string): string {
  switch (answer) {
    case 'grant_rounds':
      return '--grant N';
    case 'send_back':
      return '--send-back "…"';
    case 'raise_budget':
      return '--raise-budget [--budget-usd N]';
    default:
      return `--${answer}`;
  }
}
