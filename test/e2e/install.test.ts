/**
 * The package as a new user gets it (issue 15): `npm pack`, installed into an empty global prefix
 * without dev dependencies, then the README's quick start, read from the README itself, through a
 * whole external workflow in a fresh TypeScript project — once from its root, once from `src/`.
 *
 * Two shortcuts, both about npm rather than Converge:
 * - `npm pack --ignore-scripts` packs the dist/ that `npm test` has just built, instead of
 *   rebuilding it under tests that are running it.
 * - `npm install --ignore-scripts` proves the package needs no install or build step; the one
 *   dependency with a native part, better-sqlite3, gets the binary this checkout built for this
 *   Node, where a user's install downloads a prebuilt one (compiling it here takes ~90 s).
 */
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
const FIXTURE = join(ROOT, 'test', 'fixtures', 'quick-start');
const RESULTS = join(FIXTURE, 'results');

/** What a person submits for each external step: the two code reviews together, as step 5 needs. */
const SUBMISSIONS: Record<string, string[]> = {
  '1': ['plan.md'],
  '2': ['plan-review.md'],
  '4': ['code.md'],
  '5': ['code-review-a.md', 'code-review-b.md'],
};

/** The commands of the README's "Quick start on your project" block, comments dropped. */
function quickStart(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Quick start on your project$/m)[1];
  const block = section === undefined ? undefined : /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no ```sh block under "## Quick start on your project".');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '');
}

let prefix = '';
let env: Record<string, string> = {};

function sh(line: string, cwd: string): ResultPromise<{ reject: false; extendEnv: false; stdin: 'ignore' }> {
  return execa('sh', ['-c', line], { cwd, env, extendEnv: false, reject: false, stdin: 'ignore' });
}

async function cli(args: string[], cwd: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa('converge', args, { cwd, env, extendEnv: false, reject: false, stdin: 'ignore' });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A fresh TypeScript project with a git repository, as `cd my-project` expects one. */
async function freshProject(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'converge-quick-start-')), 'my-project');
  cpSync(join(FIXTURE, 'project'), dir, { recursive: true });
  expect((await execa('git', ['init', '-q'], { cwd: dir, reject: false })).exitCode).toBe(0);
  return dir;
}

/**
 * Runs the quick start in `cwd`: every command must succeed, and `converge run` keeps waiting
 * in the background, as in a terminal, while the test answers from "another terminal".
 */
async function runQuickStart(project: string, cwd: string): Promise<{ run: ResultPromise; id: string }> {
  let run: ResultPromise | undefined;
  for (const line of quickStart()) {
    if (line.startsWith('npm install -g ')) continue; // done once, from the tarball, in beforeAll
    if (/^cd my-project$/.test(line)) continue; // `cwd` is the project or its subfolder
    if (line.startsWith('converge run ')) {
      run = sh(line, cwd);
      continue;
    }
    const result = await sh(line, cwd);
    expect(result.exitCode, `${line}\n${result.stdout}\n${result.stderr}`).toBe(0);
  }
  if (run === undefined) throw new Error('The quick start has no `converge run` line.');
  const id = await firstWorkflow(cwd, run);
  expect(existsSync(join(project, 'converge.yaml'))).toBe(true);
  return { run, id };
}

async function firstWorkflow(cwd: string, run: ResultPromise): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const listed = await cli(['--json', 'list'], cwd);
    const line = listed.stdout.split('\n').find((l) => l.trim() !== '');
    if (listed.exitCode === 0 && line !== undefined) {
      const row = JSON.parse(line) as { workflow_id?: string; id?: string };
      return (row.workflow_id ?? row.id)!;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  run.kill();
  const ended = await run;
  throw new Error(`No workflow appeared.\n${String(ended.stdout)}\n${String(ended.stderr)}`);
}

/** Answers every wait from files and approves every gate until the workflow ends; returns what was done. */
async function answerUntilDone(cwd: string, id: string, run: ResultPromise): Promise<{ status: string; actions: string[] }> {
  const actions: string[] = [];
  let runEnded = false;
  void run.then(() => (runEnded = true));
  // About 25 s alone; the margin is for a full suite sharing the machine.
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    const status = await cli(['--json', 'status', id], cwd);
    expect(status.exitCode === 0 || status.exitCode === 3, status.stderr).toBe(true);
    const state = JSON.parse(status.stdout.split('\n')[0]!) as { status: string; waiting_for: string | null };
    if (['completed', 'rejected', 'failed', 'cancelled'].includes(state.status)) return { status: state.status, actions };
    const waiting = state.waiting_for ?? '';
    const external = /external:\s*step\s*(\d+)/.exec(waiting);
    if (waiting.startsWith('gate:')) {
      const approved = await cli(['approve', id, '--comment', 'looks right'], cwd);
      expect(approved.exitCode, approved.stderr).toBe(0);
      actions.push(`approve ${waiting.slice('gate:'.length)}`);
    } else if (external !== null) {
      const files = SUBMISSIONS[external[1]!];
      if (files === undefined) throw new Error(`Step ${external[1]} was not expected; done so far: ${actions.join(', ')}.`);
      const submitted = await cli(['submit', id, '--step', external[1]!, ...files.flatMap((f) => ['--file', join(RESULTS, f)])], cwd);
      expect(submitted.exitCode, `${submitted.stdout}\n${submitted.stderr}`).toBe(0);
      actions.push(`submit ${external[1]}`);
    } else if (runEnded) {
      const ended = await run;
      throw new Error(`converge run ended (${ended.exitCode}) while the workflow is ${state.status}.\n${String(ended.stdout)}\n${String(ended.stderr)}`);
    } else {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`The workflow did not finish in time; done: ${actions.join(', ')}.`);
}

describe(`the packed package (${PACKAGE.name})`, () => {
  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'converge-install-'));
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
    const [info] = JSON.parse(String(packed.stdout)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info!.files.map((f) => f.path);
    // What is read at run time ships; the tests and sources of the build do not.
    for (const needed of ['dist/interfaces/cli/main.js', 'bin/converge.js', 'src/workflows/profiles/typescript.yaml', 'src/workflows/definitions/seven-step.yaml', 'src/templates/builtin/_handbook.md', 'src/interfaces/http/assets/index.html', 'examples/demo/session.yaml']) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('test/') || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('examples/')))).toBe(false);

    prefix = join(work, 'prefix');
    const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as Record<string, string>;
    const installed = await execa('npm', ['install', '-g', '--prefix', prefix, '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(work, info!.filename)], {
      cwd: work,
      env: npmEnv,
      extendEnv: false,
      reject: false,
    });
    expect(installed.exitCode, String(installed.stderr)).toBe(0);
    const home = join(prefix, 'lib', 'node_modules', PACKAGE.name);
    const modules = readdirSync(join(home, 'node_modules'));
    expect(modules).toContain('typescript'); // a runtime dependency: the typecheck check runs its tsc
    expect(modules).not.toContain('vitest');
    const sqlite = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    mkdirSync(join(home, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
    copyFileSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node'), join(home, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));

    // A user's shell: the installed `converge` and node on PATH, nothing of this checkout.
    env = {
      PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter),
      HOME: mkdtempSync(join(tmpdir(), 'converge-home-')),
      LANG: 'C.UTF-8',
      CI: '1',
    };
  }, 240_000);

  it('installs `converge` on PATH and starts without a build step', async () => {
    const version = await cli(['--version'], tmpdir());
    expect(version.exitCode, version.stderr).toBe(0);
    expect(existsSync(join(prefix, 'bin', Object.keys(PACKAGE.bin)[0]!))).toBe(true);
    expect(quickStart()[0]).toBe(`npm install -g ${PACKAGE.name}`);
  });

  it('runs the README quick start from the project root through a whole external workflow', async () => {
    const project = await freshProject();
    const { run, id } = await runQuickStart(project, project);
    const { status, actions } = await answerUntilDone(project, id, run);
    expect(status).toBe('completed');
    expect(actions).toEqual(['submit 1', 'submit 2', 'approve plan_approval', 'submit 4', 'submit 5', 'approve final_approval']);
    expect((await run).exitCode).toBe(0);
    expect(readFileSync(join(project, 'src', 'index.ts'), 'utf8')).toContain('export function exportJson');
  }, 240_000);

  it('runs the README quick start from a subdirectory, keeping config and store at the root', async () => {
    const project = await freshProject();
    const src = join(project, 'src');
    const { run, id } = await runQuickStart(project, src);
    const { status } = await answerUntilDone(src, id, run);
    expect(status).toBe('completed');
    expect((await run).exitCode).toBe(0);
    expect(existsSync(join(project, '.converge', 'converge.db'))).toBe(true);
    expect(readdirSync(src).sort()).toEqual(['index.ts']);
    const fromRoot = await cli(['--json', 'status', id], project);
    expect(JSON.parse(fromRoot.stdout.split('\n')[0]!)).toMatchObject({ status: 'completed' });
  }, 240_000);
});
