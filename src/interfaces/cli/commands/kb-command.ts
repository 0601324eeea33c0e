/**
 * kb search, kb index: shows exactly which documentation an agent call would get, and keeps
 * the incremental knowledge index up to date.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import { wholeNumber } from '../number-flags.js';
import { didYouMean } from '../../../core/messages.js';
import { DEFAULT_KNOWLEDGE_BUDGETS, KnowledgeIndex, selectKnowledge } from '../../../knowledge/index.js';
import type { KnowledgeRole, KnowledgeSelection, RefreshResult } from '../../../knowledge/index.js';
import { cliProject, loadConfig } from '../cli-context.js';
import { printJsonLine, printText } from '../cli-output.js';

/** Used when neither --doc nor converge.yaml's `documentation` names any location. */
export const DEFAULT_DOC_GLOBS: readonly string[] = ['README.md', 'docs/**/*.md'];

const ROLES = Object.keys(DEFAULT_KNOWLEDGE_BUDGETS) as KnowledgeRole[];

interface KbFlags {
  workspace?: string;
  doc?: string[];
}

interface SearchFlags extends KbFlags {
  role?: string;
  budget?: number;
  text?: boolean;
}

interface Globals {
  config?: string;
  json?: boolean;
}

function workspaceDir(flag: string | undefined): string {
  const root = resolve(flag ?? cliProject().root);
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    // Reported below with the same message as a file.
  }
  if (!isDirectory) {
    throw new ConvergeError('USAGE', `The workspace ${root} is not a directory.`, {
      hint: 'Pass --workspace a project folder (the documentation globs are relative to it).',
    });
  }
  return root;
}

function docGlobs(flags: KbFlags, globals: Globals): string[] {
  if (flags.doc !== undefined && flags.doc.length > 0) return flags.doc;
  const { config } = loadConfig(globals);
  return config.documentation.length > 0 ? config.documentation : [...DEFAULT_DOC_GLOBS];
}

function parseRole(value: string | undefined): KnowledgeRole {
  if (value === undefined) return 'programmer';
  if ((ROLES as string[]).includes(value)) return value as KnowledgeRole;
  throw new ConvergeError('USAGE', `Unknown role "${value}"${didYouMean(value, ROLES)}.`, { hint: `Use one of: ${ROLES.join(', ')}.` });
}

/** --budget: tokens, strictly a whole number ≥ 1 (each role has its own default). */
const parseBudget = wholeNumber('--budget', { min: 1, example: 3000 });

function refreshLine(root: string, result: RefreshResult): string {
  const skipped = result.skipped.length > 0 ? `; skipped ${result.skipped.length}` : '';
  return `Indexed ${result.files} files (${result.chunks} chunks) in ${root}: added ${result.added}, updated ${result.updated}, removed ${result.removed}, unchanged ${result.unchanged}${skipped}.`;
}

function selectionReport(selection: KnowledgeSelection, role: KnowledgeRole, showText: boolean): string {
  const lines: string[] = [];
  if (showText && selection.text !== '') lines.push(selection.text, '', '---');
  if (selection.chunks.length === 0) {
    lines.push('No documentation matched the query.');
  } else {
    lines.push(' #   score  tokens  path — title');
    selection.chunks.forEach((chunk, i) => {
      lines.push(`${String(i + 1).padStart(2)}  ${chunk.score.toFixed(2).padStart(6)}  ${String(chunk.tokens).padStart(6)}  ${chunk.path} — ${chunk.title}`);
    });
  }
  lines.push(`Total: ${selection.tokens} of ${selection.budget ?? '∞'} tokens for the ${role}, ${selection.chunks.length} chunk${selection.chunks.length === 1 ? '' : 's'}.`);
  return lines.join('\n');
}

export function registerKbCommand(program: Command): void {
  const kb = program.command('kb').description('the knowledge base: the documentation agents get, selected within a token budget');

  kb.command('search')
    .description('show the documentation an agent call would get for a query: chunks, scores, tokens and the total')
    .argument('<query...>', 'what the agent works on, e.g. the requirements (put it before --doc)')
    .option('-w, --workspace <dir>', 'the project folder the documentation globs are relative to (default: the project root)')
    .option('--doc <glob...>', `documentation locations (default: converge.yaml documentation, else ${DEFAULT_DOC_GLOBS.join(' ')})`)
    .option('--role <role>', `the agent role, which sets the default budget: ${ROLES.join(' | ')}`, 'programmer')
    .option('--budget <tokens>', 'the token budget (default: the role\'s)', parseBudget)
    .option('--no-text', 'list the selected chunks without their text')
    .action(async (words: string[], flags: SearchFlags, command: Command) => {
      const globals = command.optsWithGlobals() as Globals;
      const query = words.join(' ').trim();
      if (query === '') throw new ConvergeError('USAGE', 'The search query is empty.', { hint: 'For example: converge kb search "add OAuth refresh tokens"' });
      const role = parseRole(flags.role);
      const budget = flags.budget;
      const root = workspaceDir(flags.workspace);
      const globs = docGlobs(flags, globals);
      const index = new KnowledgeIndex({ root, globs });
      const refreshed = await index.refresh();
      const selection = selectKnowledge(index, query, { role, ...(budget === undefined ? {} : { tokenBudget: budget }) });
      for (const warning of refreshed.warnings) process.stderr.write(`converge: ${warning}\n`);
      if (globals.json) {
        const chunks = selection.chunks.map(({ path, title, score, tokens, startLine, endLine }) => ({ path, title, score, tokens, startLine, endLine }));
        const out = { query, role, budget: selection.budget, tokens: selection.tokens, chunks, text: selection.text, index: { root, globs, files: refreshed.files, chunks: refreshed.chunks } };
        printJsonLine(out);
        return;
      }
      if (refreshed.files === 0) process.stderr.write(`converge: no documents match ${globs.join(', ')} in ${root}.\n`);
      printText(selectionReport(selection, role, flags.text !== false));
    });

  kb.command('index')
    .description('bring the knowledge index up to date (re-reads only new and changed files) and print what changed')
    .option('-w, --workspace <dir>', 'the project folder the documentation globs are relative to (default: the project root)')
    .option('--doc <glob...>', `documentation locations (default: converge.yaml documentation, else ${DEFAULT_DOC_GLOBS.join(' ')})`)
    .action(async (flags: KbFlags, command: Command) => {
      const globals = command.optsWithGlobals() as Globals;
      const root = workspaceDir(flags.workspace);
      const globs = docGlobs(flags, globals);
      const index = new KnowledgeIndex({ root, globs });
      const result = await index.refresh();
      for (const warning of result.warnings) process.stderr.write(`converge: ${warning}\n`);
      if (globals.json) {
        printJsonLine({ root, globs, indexPath: index.indexPath, ...result });
        return;
      }
      const lines = [refreshLine(root, result)];
      for (const skip of result.skipped.slice(0, 20)) lines.push(`  skipped ${skip.path} (${skip.reason})`);
      if (result.skipped.length > 20) lines.push(`  … and ${result.skipped.length - 20} more`);
      printText(lines.join('\n'));
    });
}
