/**
 * The prompt files of an external step, for a person: `run` and `next` write the rendered prompts
 * of the waiting step next to the store (`.converge/prompts/<id>/step-1.md`; `step-5a.md` and
 * `step-5b.md` for a step with two prompts) and print the exact `converge submit` command.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { SubmitStepResultAction } from '../../engine/next-action.js';
import { sqliteFileOf } from '../../store/open-store.js';
import type { GlobalOptions } from './cli-context.js';
import { loadConfig, storeLocation } from './cli-context.js';

/** Beside a SQLite store's file; for a PostgreSQL or memory store, in the project's `.converge/`. */
export function promptsRoot(options: GlobalOptions): string {
  const file = sqliteFileOf(storeLocation(options));
  return file !== undefined ? join(dirname(file), 'prompts') : join(loadConfig(options).baseDir, '.converge', 'prompts');
}

/** `step-1` for one prompt, `step-5a`, `step-5b` for several: the name of prompt `index` and of its result. */
export function promptStem(action: Pick<SubmitStepResultAction, 'step_number' | 'prompts'>, index: number): string {
  return `step-${action.step_number}${action.prompts.length > 1 ? String.fromCharCode(97 + index) : ''}`;
}

/** Writes each rendered prompt (replacing an older copy) and returns the paths, in prompt order. */
export function writePromptFiles(options: GlobalOptions, action: SubmitStepResultAction): string[] {
  const dir = join(promptsRoot(options), action.workflow_id);
  mkdirSync(dir, { recursive: true });
  return action.prompts.map((prompt, i) => {
    const path = join(dir, `${promptStem(action, i)}.md`);
    writeFileSync(path, prompt.text.endsWith('\n') ? prompt.text : `${prompt.text}\n`);
    return path;
  });
}

/** A path as a person types it from here: relative below the current directory, else absolute. */
export function shownPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The names the submit command suggests for the result files: plan.md, code.md, review.md, review-5a.md … */
export function resultFiles(action: SubmitStepResultAction): string[] {
  const base = action.expected_output.format === 'plan' ? 'plan' : action.expected_output.format === 'files' ? 'code' : 'review';
  if (action.expected_output.texts === 1) return [`${base}.md`];
  return action.prompts.map((_, i) => `${base}-${promptStem(action, i).slice('step-'.length)}.md`);
}

/** `converge` with the --store and --config this command was given, so a printed command works from here. */
export function cliPrefix(options: GlobalOptions): string {
  const globals = [...(options.store !== undefined ? ['--store', options.store] : []), ...(options.config !== undefined ? ['--config', options.config] : [])];
  return ['converge', ...globals].map(quoted).join(' ');
}

/** The exact submit command for the waiting step: one --file per text the step takes. */
export function submitCommand(options: GlobalOptions, action: SubmitStepResultAction): string {
  const files = resultFiles(action).flatMap((f) => ['--file', f]);
  return [cliPrefix(options), ...['submit', action.workflow_id, '--step', String(action.step_number), ...files].map(quoted)].join(' ');
}

function quoted(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
