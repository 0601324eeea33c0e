/**
 * Shared setup for the command agent tests: throwaway git workspaces, requests, fixture paths.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentRequest } from '../../../src/agents/agent.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/command-agents');
export const fixture = (name: string): string => join(FIXTURES, name);
export const NODE = process.execPath;

const cleanups: string[] = [];

export function tempDir(prefix = 'converge-cmd-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A git repository with one commit holding `files`. */
export function gitWorkspace(files: Record<string, string> = { 'README.md': '# demo\n', 'src/old.ts': 'export const old = 1;\n' }): string {
  const dir = tempDir('converge-ws-');
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** A plain folder, not in any git work tree. */
export function plainWorkspace(files: Record<string, string>): string {
  const dir = tempDir('converge-plain-');
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

export function git(cwd: string, ...args: string[]): string {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('GIT_')) delete env[name];
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

/** Copies fake executables into a fresh folder (with the executable bit set) for a controlled PATH. */
export function fakeBin(...files: string[]): string {
  const dir = tempDir('converge-bin-');
  for (const file of files) {
    const target = join(dir, file.split('/').pop()!);
    copyFileSync(fixture(file), target);
    chmodSync(target, 0o755);
  }
  return dir;
}

/** An environment for the agent: the fake bin folder first on PATH, node reachable, plus `extra`. */
export function envWith(bin: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = [bin, dirname(NODE), process.env['PATH']].filter((p): p is string => p !== undefined && p !== '').join(delimiter);
  return { PATH: path, HOME: process.env['HOME'] ?? tmpdir(), LANG: 'C.UTF-8', ...extra };
}

export function request(workspace: string, prompt: string, overrides: Partial<AgentRequest> = {}): AgentRequest {
  return {
    workflowId: 'wf_test',
    actionId: 'wf_test:7',
    stepId: 'implement',
    stepNumber: 5,
    role: 'programmer',
    template: 'implement.md',
    prompt,
    expect: 'files',
    workspace,
    timeoutMs: 20_000,
    signal: new AbortController().signal,
    invocationIndex: 0,
    attempt: 1,
    providerIndex: 0,
    ...overrides,
  };
}
