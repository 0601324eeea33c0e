/**
 * Every command example of the README against the tool (issue 15), so the README cannot drift:
 * each `converge …` of a ```sh block and of the "Command line" synopsis must parse (commander
 * accepts the command and its options, CONVERGE_PARSE_ONLY=1), and the ones that are safe offline
 * run for real on a finished fixture workflow, or on a fresh one in the state they need.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/interfaces/cli/program.js';
import { PARSE_ONLY_ENV } from '../../src/interfaces/cli/parse-only.js';
import { BIN, copyFixture, ROOT } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';
import { shExamples, synopsisExamples } from './helpers/readme-examples.js';
import type { Example } from './helpers/readme-examples.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const EXAMPLES = [...shExamples(README), ...synopsisExamples(README)];

/** Commands that are only parse-checked, and why. */
const PARSE_ONLY: Record<string, string> = {
  run: 'drives a workflow to its end, waiting at its gates',
  resume: 'drives a workflow, waiting at its gates',
  answer: 'needs a workflow waiting at an escalation',
  edit: 'needs a workflow at a gate and an edited file (test/e2e/review-cli.test.ts runs it)',
  worker: 'long-running: drives workflows until stopped',
  serve: 'long-running: serves until stopped',
  'serve-mcp': 'long-running: serves until stopped',
  mcp: 'long-running: speaks MCP on stdio until its client leaves',
  'store restore': 'replaces the store the other examples run on',
  'notify test': 'sends to the notify targets of converge.yaml, which this fixture has none of',
};

/** The command an example runs, global options skipped: `checks run`, `status`. */
function commandOf(args: readonly string[]): string {
  let i = 0;
  while (args[i]?.startsWith('--')) i += args[i] === '--json' ? 1 : 2;
  const [name, sub] = [args[i] ?? '', args[i + 1] ?? ''];
  return ['checks', 'kb', 'token', 'audit', 'store', 'notify'].includes(name) ? `${name} ${sub}` : name;
}

function parseOnlyReason(example: Example): string | undefined {
  if (example.args.some((a) => a.startsWith('postgres://'))) return 'needs a PostgreSQL server';
  const command = commandOf(example.args);
  if (command === 'submit' && example.args.filter((a) => a === '--file').length > 1) return 'two reviews at once need a workflow waiting at step 5 or 7';
  return PARSE_ONLY[command] ?? PARSE_ONLY[command.split(' ')[0]!];
}

const title = (e: Example) => `converge ${e.args.join(' ')}${e.stdin !== undefined ? ' (stdin from echo)' : ''} [${e.source}]`;

/** What the placeholders of the README stand for here. */
interface Stand {
  id: string;
  token: string;
  urls: string[];
}

function substitute(args: readonly string[], stand: Stand): string[] {
  const as = args[args.indexOf('--as') + 1];
  const urls = [...stand.urls];
  return args.map((word, i) => {
    const before = args[i - 1];
    if (word === 'ID' || /^wf-1a2b3c4d5e$/.test(word)) return stand.id;
    if (word === 'TOKEN_ID' || /^tok_[0-9a-f]+$/.test(word)) return stand.token;
    if (word === 'FILE' && before === '--definition') return join(ROOT, 'src', 'workflows', 'definitions', 'seven-step.yaml');
    if (word === 'FILE' && before === '--agents') return 'agents.yaml';
    if (word === 'FILE') return as === 'report' ? 'outputs/plan-review-1.md' : as === 'code' ? 'outputs/code-v2.md' : 'outputs/plan-v2.md';
    if (word === 'F' || word === 'F2') return 'plan.md';
    if (word === 'N') return before === '--from-step' ? '4' : '1';
    if (word === 'M') return '2';
    if (word === 'URL') return urls.shift()!;
    const fixed: Record<string, string> = { '<requirements>': 'Write the value file', query: 'value file', T: 'looks right', P: 'typescript', ROLE: 'viewer', DIR: 'project' };
    if (word === 'NAME') return before === '--profile' ? 'typescript' : 'ci';
    return fixed[word] ?? word;
  });
}

/** Runs the program in this process with every action replaced by a printout of what it parsed. */
async function parse(args: string[]): Promise<{ command?: string; error?: string }> {
  const previous = process.env[PARSE_ONLY_ENV];
  process.env[PARSE_ONLY_ENV] = '1';
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    await buildProgram().parseAsync(['node', 'converge', ...args]);
    return { command: (JSON.parse(out) as { command: string }).command };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    process.stdout.write = write;
    if (previous === undefined) delete process.env[PARSE_ONLY_ENV];
    else process.env[PARSE_ONLY_ENV] = previous;
  }
}

async function cli(args: string[], cwd: string, stdin?: string): Promise<CliResult> {
  const result = await execa('node', [BIN, ...args], { cwd, env: { CI: '1' }, reject: false, timeout: 120_000, ...(stdin !== undefined ? { input: stdin } : { stdin: 'ignore' }) });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe('README examples', () => {
  it('finds the command examples of the ```sh blocks and the synopsis', () => {
    const sh = EXAMPLES.filter((e) => e.source === 'sh').map((e) => e.args.join(' '));
    expect(sh).toContain('demo');
    expect(EXAMPLES.some((e) => e.source === 'sh' && commandOf(e.args) === 'decide' && e.stdin?.includes('validation_scores'))).toBe(true);
    expect(EXAMPLES.filter((e) => e.source === 'synopsis').map((e) => commandOf(e.args))).toEqual(expect.arrayContaining(['run', 'status', 'checks run', 'token revoke', 'audit export']));
    expect(EXAMPLES.length).toBeGreaterThan(60);
  });

  describe.each([
    ['Output for programs: `--json`', 'its `--json` output'],
    ['Exit codes, per command', 'its exit codes'],
  ])('the table under "%s"', (heading, what) => {
    it(`gives every command ${what}`, () => {
      const section = README.split(`### ${heading}\n`)[1]?.split(/^#/m)[0] ?? '';
      const documented = new Set(section.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
      const leaves = (command: Command, path: string[]): string[] =>
        command.commands.length === 0 ? [path.join(' ')] : command.commands.flatMap((c) => leaves(c, [...path, c.name()]));
      expect(leaves(buildProgram(), []).filter((c) => !documented.has(c))).toEqual([]);
    });
  });

  describe('commander accepts each', () => {
    const stand: Stand = { id: 'wf-0123456789', token: 'tok_0123456789', urls: ['a.db', 'b.db'] };
    it.each(EXAMPLES.map((e) => [title(e), e] as const))('%s', async (_title, example) => {
      const parsed = await parse(substitute(example.args, stand));
      expect(parsed.error).toBeUndefined();
      expect(example.args.join(' ')).toContain(parsed.command!.split(' ').at(-1));
    });
  });

  describe('runs each that is safe offline', () => {
    let dir: string;
    let finished: string;
    let token: string;

    /** A workflow of this fixture: started, and with `config` driven until a person is needed. */
    const fresh = async (config?: string): Promise<string> => {
      const configArgs = config === undefined ? [] : ['--config', config];
      const id = (await cli([...configArgs, 'start', 'Write the value file', '--workspace', 'project'], dir)).stdout.trim();
      if (config !== undefined) expect((await cli([...configArgs, 'resume', id, '--no-wait'], dir)).exitCode).toBe(3);
      return id;
    };

    beforeAll(async () => {
      dir = copyFixture('crash');
      execFileSync('git', ['init', '-q'], { cwd: dir });
      copyFileSync(join(dir, 'outputs', 'plan-v2.md'), join(dir, 'plan.md'));
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ input: { validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } } }));
      writeFileSync(join(dir, 'converge-external.yaml'), 'definition: seven-step\nprofile: typescript\nchecks:\n  - { id: value, command: ["node", "check.mjs"], timeout_s: 30, required: true }\nagents:\n  default: { provider: external }\n');
      const run = await cli(['--json', 'run', 'Write the value file', '--workspace', 'project', '--auto-approve'], dir);
      expect(run.exitCode, run.stderr).toBe(0);
      finished = String((JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { workflow_id: string }).workflow_id);
      token = String((JSON.parse((await cli(['--json', 'token', 'create', '--role', 'viewer'], dir)).stdout) as { id: string }).id);
    }, 180_000);

    afterAll(() => {
      const parseOnly = EXAMPLES.filter((e) => parseOnlyReason(e) !== undefined).map((e) => `  converge ${e.args.join(' ')}  — ${parseOnlyReason(e)}`);
      process.stderr.write(`README examples only parse-checked:\n${[...new Set(parseOnly)].join('\n')}\n`);
    });

    // The same command shown twice (in a ```sh block and in the synopsis) runs once.
    const runnable = EXAMPLES.filter((e, i) => parseOnlyReason(e) === undefined && EXAMPLES.findIndex((o) => o.args.join(' ') === e.args.join(' ') && o.stdin === e.stdin) === i);
    it.each(runnable.map((e) => [title(e), e] as const))('%s', async (_title, example) => {
      const command = commandOf(example.args);
      let cwd = dir;
      let id = finished;
      let configArgs: string[] = [];
      if (command === 'init') {
        cwd = mkdtempSync(join(tmpdir(), 'converge-readme-init-'));
        execFileSync('git', ['init', '-q'], { cwd });
      } else if (command === 'pause' || command === 'cancel' || command === 'unpause') {
        id = await fresh();
        if (command === 'unpause') expect((await cli(['pause', id], dir)).exitCode).toBe(0);
      } else if (command === 'approve' || command === 'reject' || command === 'request-changes') {
        id = await fresh('converge-gates.yaml');
      } else if (command === 'submit') {
        configArgs = ['--config', 'converge-external.yaml'];
        id = await fresh('converge-external.yaml');
      }
      const args = [...configArgs, ...substitute(example.args, { id, token, urls: ['.converge/converge.db', `copy-${Date.now()}.db`] })];
      const result = await cli(args, cwd, example.stdin);
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      // doctor and checks run report a failing check with exit code 1, as documented.
      const allowed = command === 'doctor' || command === 'checks run' ? [0, 1] : [0];
      expect(allowed, `converge ${args.join(' ')}\n${result.stderr}`).toContain(result.exitCode);
    }, 120_000);
  });
});
