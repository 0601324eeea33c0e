/**
 * The workflow's base (issue 17, part 1): what a shared git workspace was when the workflow
 * started — committed through a temporary index under refs/converge/bases/<id>, untracked files
 * included, ignored ones and .converge left out, the user's index untouched — and an isolated
 * workspace's branch point; nothing outside git.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIsolatedWorkspace, readBaseFiles, recordWorkspaceBase } from '../../src/workspace/index.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'converge-base-'));
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, '.gitignore'), 'dist/\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

describe('recordWorkspaceBase', () => {
  it('commits a shared workspace as it is: uncommitted and untracked files in, ignored and .converge out', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 2; // not committed\n');
    writeFileSync(join(dir, 'src', 'new.ts'), 'export const n = 0;\n');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'out.js'), 'built');
    mkdirSync(join(dir, '.converge'));
    writeFileSync(join(dir, '.converge', 'converge.db'), 'store');
    git(dir, 'add', 'src/new.ts');
    const indexBefore = readFileSync(join(dir, '.git', 'index'));

    const base = await recordWorkspaceBase({ path: dir, type: 'shared' }, 'wf-base1');
    expect(base.base).toMatch(/^[0-9a-f]{40}$/);
    expect(base.basePrefix).toBe('');
    expect(git(dir, 'rev-parse', 'refs/converge/bases/wf-base1').trim()).toBe(base.base);
    const files = git(dir, 'ls-tree', '-r', '--name-only', base.base!).split('\n').filter(Boolean);
    expect(files).toEqual(['.gitignore', 'src/a.ts', 'src/new.ts']);
    expect(git(dir, 'show', `${base.base}:src/a.ts`)).toContain('not committed');
    // The user's index, HEAD and working tree are as they were.
    expect(readFileSync(join(dir, '.git', 'index'))).toEqual(indexBefore);
    expect(git(dir, 'log', '--oneline').trim().split('\n')).toHaveLength(1);
    expect(git(dir, 'status', '--porcelain')).toContain('?? .converge/');
  });

  it('reads the base content of workspace paths, absent for a file the base did not have', async () => {
    const dir = repo();
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(join(dir, 'pkg', 'b.ts'), 'export const b = 1;\n');
    const workspace = { path: join(dir, 'pkg'), type: 'shared' as const };
    const base = await recordWorkspaceBase(workspace, 'wf-base2');
    expect(base.basePrefix).toBe('pkg/');
    writeFileSync(join(dir, 'pkg', 'b.ts'), 'changed');
    const files = await readBaseFiles({ ...workspace, ...base }, ['b.ts', 'c.ts']);
    expect(files).toEqual(new Map([['b.ts', 'export const b = 1;\n']]));
  });

  it("takes an isolated workspace's branch point", async () => {
    const dir = repo();
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    const info = await createIsolatedWorkspace(dir, 'wf-base3');
    expect(await recordWorkspaceBase(info, 'wf-base3')).toEqual({ base: head, basePrefix: '' });
  });

  it('records nothing outside git, and a review without a base reads nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-nogit-'));
    expect(await recordWorkspaceBase({ path: dir, type: 'shared' }, 'wf-base4')).toEqual({});
    expect(await readBaseFiles({ path: dir, type: 'shared' }, ['a.ts'])).toBeUndefined();
  });
});
