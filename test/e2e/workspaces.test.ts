/**
 * Workspaces: agents' writes are confined to the workspace, and isolated workflows each work in
 * their own git worktree and end with their own branch and patch.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';
import { converge, copyFixture } from './helpers/cli.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('path guard in a real run', () => {
  it('refuses writes through .., an absolute path and a symlink, records them as critical issues, and writes nothing outside', async () => {
    const root = mkdtempSync(join(tmpdir(), 'converge-escape-'));
    const workspace = join(root, 'ws');
    const outside = join(root, 'outside-dir');
    cpSync(join(FIXTURES, 'crash', 'project'), workspace, { recursive: true });
    mkdirSync(outside);
    symlinkSync(outside, join(workspace, 'link'));
    rmSync('/tmp/converge-escape-absolute.txt', { force: true });

    const store = await openStore(':memory:');
    const config = ProjectConfigSchema.parse({
      checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
      agents: { default: { provider: 'scripted', session: join(FIXTURES, 'escape', 'session.yaml') } },
    });
    const engine = createEngine({ store, config, baseDir: root });
    const started = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: workspace, type: 'shared' }, autoApprove: true });
    await engine.runner.run(started.workflowId);
    const state = await loadState(store, started.workflowId);

    expect(state.status).toBe('completed');
    const first = state.outputs.find((o) => o.output.artifact === 'code')!;
    expect(first.output.refusedPaths).toEqual(['../outside.txt', '/tmp/converge-escape-absolute.txt', 'link/planted.txt']);
    expect(first.output.files.map((f) => f.path)).toEqual(['src/value.txt']);
    const round1 = state.validations.find((v) => v.stepId === 'validate_code')!;
    const escapes = round1.report.issues.filter((i) => i.severity === 'critical' && /outside the workspace/.test(i.message));
    expect(escapes).toHaveLength(3);
    expect(existsSync(join(root, 'outside.txt'))).toBe(false);
    expect(existsSync('/tmp/converge-escape-absolute.txt')).toBe(false);
    expect(existsSync(join(outside, 'planted.txt'))).toBe(false);
  });
});

describe('isolated workspaces', () => {
  it('runs two workflows concurrently on one repository, each on its own branch with its own patch, leaving the checkout untouched', async () => {
    const dir = copyFixture('crash');
    const repo = join(dir, 'project');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'config', 'user.email', 'dev@example.com');
    git(repo, 'config', 'user.name', 'Dev');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'initial');

    const ids: string[] = [];
    for (const name of ['first', 'second']) {
      const r = await converge(['--store', 'store.db', 'start', `Write the value file (${name})`, '--workspace', 'project', '--isolated', '--auto-approve'], { cwd: dir });
      expect(r.exitCode, r.stderr).toBe(0);
      ids.push(r.stdout.trim());
    }
    const worker = await converge(['--store', 'store.db', 'worker', '--once', '--concurrency', '2'], { cwd: dir });
    expect(worker.exitCode, worker.stderr).toBe(0);

    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, 'src', 'value.txt'))).toBe(false);
    for (const id of ids) {
      const show = await converge(['--store', 'store.db', 'show', id], { cwd: dir });
      expect(show.stdout).toContain('status      completed');
      expect(show.stdout).toContain(`git merge converge/${id}`);
      expect(git(repo, 'show', `converge/${id}:src/value.txt`)).toBe('good');
      const patch = join(repo, '.converge', 'patches', `${id}.patch`);
      expect(readFileSync(patch, 'utf8')).toContain('src/value.txt');
      const clone = mkdtempSync(join(tmpdir(), 'converge-clone-'));
      git(clone, 'clone', '-q', repo, '.');
      git(clone, 'apply', '--check', patch);
    }
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
  });
});
