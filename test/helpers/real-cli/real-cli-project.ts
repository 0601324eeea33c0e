/**
 * A throwaway Converge project for the real-CLI tests, and `converge` run inside a network
 * namespace that has only loopback.
 *
 * Why the whole `converge` process goes into the namespace (not just the CLI): the CLI is started
 * by Converge's own launcher, in Converge's sandbox, with the preset's arguments and environment;
 * wrapping only the CLI would mean changing the command line under test. Inside the namespace
 * real-cli-offline-launcher.mjs relays 127.0.0.1:FAKE_PORT to the fake provider's Unix socket, so
 * the fake stays in the test process while the CLIs can reach nothing else.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { openStore } from '../../../src/store/index.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import type { WorkflowState } from '../../../src/core/state.js';
import type { CliProvider } from './real-cli-provider.js';
import { UNSHARE_ARGS, cliPath } from './real-cli.js';
import type { RealCliName } from './real-cli.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'converge.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'real-cli');
const LAUNCHER = join(import.meta.dirname, 'real-cli-offline-launcher.mjs');

/** The port the relay listens on inside the namespace; every namespace is fresh, so it is always free. */
export const FAKE_PORT = 8787;

/** The `base_url` each preset expects: Codex appends /responses to its provider's URL, the others add their own path. */
export const BASE_URLS: Readonly<Record<RealCliName, string>> = {
  'claude-code': `http://127.0.0.1:${FAKE_PORT}`,
  codex: `http://127.0.0.1:${FAKE_PORT}/v1`,
  gemini: `http://127.0.0.1:${FAKE_PORT}`,
};

/** Variables of the test process that would point a CLI elsewhere or hand it a real key. */
const PROVIDER_VARIABLE = /^(ANTHROPIC_|OPENAI_|CODEX_|GEMINI_|GOOGLE_|CLAUDE_|CONVERGE_)/;

export interface OfflineProject {
  root: string;
  /** The folder the Programmer edits: a git repository holding check.mjs. */
  workspace: string;
}

/**
 * Copies the fixture, makes its project folder a git repository and writes converge.yaml with a
 * scripted Planner and Validator and `programmer` as given. `extra` is merged into converge.yaml.
 */
export function makeProject(programmer: Record<string, unknown>, extra: Record<string, unknown> = {}): OfflineProject {
  const root = tempFolder('converge-real-cli-');
  cpSync(FIXTURE, root, { recursive: true });
  const workspace = join(root, 'project');
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.email=t@converge.local', '-c', 'user.name=t', 'commit', '-qm', 'fixture']]) {
    const git = spawnSync('git', args, { cwd: workspace, encoding: 'utf8' });
    if (git.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${git.stderr}`);
  }
  const config = {
    profile: 'typescript',
    checks: [{ id: 'value', command: ['node', 'check.mjs'], timeout_s: 30, required: true }],
    agents: {
      planner: { provider: 'scripted', session: 'session.yaml' },
      validator: { provider: 'scripted', session: 'session.yaml' },
      programmer,
    },
    ...extra,
  };
  writeFileSync(join(root, 'converge.yaml'), stringify(config));
  return { root, workspace };
}

const made: string[] = [];

/** A temporary folder that removeTempFolders() deletes. */
export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every project and stand-in home the tests made. */
export function removeTempFolders(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
}

/** The Programmer entry for a preset, pointed at the real CLI in the cache and at the fake. */
export function programmerFor(name: RealCliName, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { provider: 'command', preset: name, command: [cliPath(name)], base_url: BASE_URLS[name], ...more };
}

export interface OfflineRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Wall time of the whole `converge` process, namespace set-up included. */
  elapsedMs: number;
  /** The workflow the run started, from its JSON lines. */
  workflowId: string | undefined;
  /** Command lines of processes still alive in the namespace after `converge` exited. */
  leftBehind: string[];
}

/**
 * `converge --json <args>` in the project, inside a fresh loopback-only namespace. `env` is added
 * to the test's environment minus every provider variable (keys, base URLs, CLI homes).
 */
export async function runOffline(project: OfflineProject, provider: CliProvider, args: string[], options: { env?: Record<string, string>; limitMs?: number } = {}): Promise<OfflineRun> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !PROVIDER_VARIABLE.test(name)) env[name] = value;
  Object.assign(env, { CI: '1' }, options.env);
  const started = Date.now();
  const child = spawn('unshare', [...UNSHARE_ARGS, process.execPath, LAUNCHER, provider.socketPath, String(FAKE_PORT), process.execPath, BIN, '--json', ...args], {
    cwd: project.root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a run that outlives its limit is ended with everything it started.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const limit = setTimeout(() => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.limitMs ?? 120_000);
  const exitCode = await new Promise<number>((done) => child.on('close', (code, signal) => done(code ?? (signal === null ? -1 : 128))));
  clearTimeout(limit);
  const elapsedMs = Date.now() - started;
  const workflowId = jsonLines(stdout).map((l) => l['workflow_id']).find((id) => typeof id === 'string') as string | undefined;
  const leftBehind = jsonLines(stderr).flatMap((l) => (Array.isArray(l['left_behind']) ? (l['left_behind'] as string[]) : []));
  return { exitCode, stdout, stderr, elapsedMs, workflowId, leftBehind };
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not a JSON line.
    }
  }
  return lines;
}

/** The workflow's state, read from the project's store after the run. */
export async function stateOf(project: OfflineProject, workflowId: string): Promise<WorkflowState> {
  const store = await openStore(join(project.root, '.converge', 'converge.db'));
  try {
    return await loadState(store, workflowId);
  } finally {
    await store.close();
  }
}
