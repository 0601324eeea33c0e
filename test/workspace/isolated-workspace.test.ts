import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createIsolatedWorkspace,
  discardIsolatedWorkspace,
  finishIsolatedWorkspace,
  mergeInstructions,
} from '../../src/workspace/isolated-workspace.js';
import { applyFileChanges } from '../../src/workspace/path-guard.js';
import { removeTempDirs, sh, tempDir, tempRepo } from './git-fixtures.js';

afterEach(removeTempDirs);

async function worktreeCount(repo: string): Promise<number> {
  return (await sh(repo, ['worktree', 'list', '--porcelain'])).split('\n').filter((l) => l.startsWith('worktree ')).length;
}

describe('createIsolatedWorkspace', () => {
  describe('a repository with a commit', () => {
    it('creates a worktree on a new branch converge/<id> from HEAD', async () => {
      const repo = await tempRepo();
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      expect(info).toEqual({ path: join(repo, '.converge', 'worktrees', 'wf_1'), type: 'isolated', branch: 'converge/wf_1', origin: repo });
      expect(readFileSync(join(info.path, 'README.md'), 'utf8')).toBe('# demo\n');
      expect((await sh(info.path, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('converge/wf_1');
      expect(await sh(info.path, ['rev-parse', 'HEAD'])).toBe(await sh(repo, ['rev-parse', 'HEAD']));
    });

    it('keeps the main checkout clean by excluding .converge/', async () => {
      const repo = await tempRepo();
      await createIsolatedWorkspace(repo, 'wf_1');
      expect(readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')).toContain('/.converge/');
      expect(await sh(repo, ['status', '--porcelain'])).toBe('');
    });

    it('adds no exclude line when .converge/ is already ignored', async () => {
      const repo = await tempRepo({ '.gitignore': '.converge/\n' });
      await createIsolatedWorkspace(repo, 'wf_1');
      expect(readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')).not.toContain('/.converge/');
    });

    it('returns the same worktree when called again (resume)', async () => {
      const repo = await tempRepo();
      const first = await createIsolatedWorkspace(repo, 'wf_1');
      writeFileSync(join(first.path, 'work.txt'), 'in progress\n');
      const again = await createIsolatedWorkspace(repo, 'wf_1');
      expect(again).toEqual(first);
      expect(readFileSync(join(again.path, 'work.txt'), 'utf8')).toBe('in progress\n');
      expect(await worktreeCount(repo)).toBe(2);
    });

    it('reuses the branch and its commits when the worktree was removed', async () => {
      const repo = await tempRepo();
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      writeFileSync(join(info.path, 'agent.txt'), 'committed by an agent\n');
      await sh(info.path, ['add', 'agent.txt']);
      await sh(info.path, ['commit', '--quiet', '-m', 'agent work']);
      await discardIsolatedWorkspace(info);
      const resumed = await createIsolatedWorkspace(repo, 'wf_1');
      expect(readFileSync(join(resumed.path, 'agent.txt'), 'utf8')).toBe('committed by an agent\n');
    });

    it('puts the workspace in the same subfolder of the worktree when given a subfolder', async () => {
      const repo = await tempRepo({ 'pkg/app/index.ts': 'export {};\n' });
      const info = await createIsolatedWorkspace(join(repo, 'pkg', 'app'), 'wf_sub');
      expect(info.origin).toBe(repo);
      expect(info.path).toBe(join(repo, '.converge', 'worktrees', 'wf_sub', 'pkg', 'app'));
      expect(existsSync(join(info.path, 'index.ts'))).toBe(true);
    });

    it('creates the worktree under baseDir when given', async () => {
      const repo = await tempRepo();
      const base = tempDir();
      const info = await createIsolatedWorkspace(repo, 'wf_1', { baseDir: base });
      expect(info.path).toBe(join(base, 'wf_1'));
      expect(existsSync(join(info.path, 'README.md'))).toBe(true);
    });
  });

  describe('with folders linked from the main checkout', () => {
    it('links an untracked node_modules into the worktree and never commits it', async () => {
      const repo = await tempRepo({ '.gitignore': 'node_modules/\n', 'README.md': '# demo\n' });
      mkdirSync(join(repo, 'node_modules', '.bin'), { recursive: true });
      writeFileSync(join(repo, 'node_modules', '.bin', 'tool'), '#!/bin/sh\n');
      const info = await createIsolatedWorkspace(repo, 'wf_1', { linkFromOrigin: ['node_modules'] });
      expect(lstatSync(join(info.path, 'node_modules')).isSymbolicLink()).toBe(true);
      expect(existsSync(join(info.path, 'node_modules', '.bin', 'tool'))).toBe(true);
      expect(await sh(info.path, ['status', '--porcelain'])).toBe('');

      const write = applyFileChanges(info.path, [{ path: 'node_modules/.bin/tool', action: 'update', content: 'evil' }]);
      expect(write.refused).toHaveLength(1);
      expect(readFileSync(join(repo, 'node_modules', '.bin', 'tool'), 'utf8')).toBe('#!/bin/sh\n');

      applyFileChanges(info.path, [{ path: 'src/x.ts', action: 'create', content: 'x\n' }]);
      const done = await finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'm' });
      expect(done.files).toEqual(['src/x.ts']);
      expect(existsSync(join(repo, 'node_modules', '.bin', 'tool'))).toBe(true);
      expect(await sh(repo, ['status', '--porcelain'])).toBe('');
    });

    it('skips a folder the main checkout does not have', async () => {
      const repo = await tempRepo();
      const info = await createIsolatedWorkspace(repo, 'wf_1', { linkFromOrigin: ['node_modules'] });
      expect(existsSync(join(info.path, 'node_modules'))).toBe(false);
    });

    it('refuses a folder outside the workspace', async () => {
      const repo = await tempRepo();
      await expect(createIsolatedWorkspace(repo, 'wf_1', { linkFromOrigin: ['../elsewhere'] })).rejects.toMatchObject({ code: 'WORKSPACE_INVALID' });
    });
  });

  describe('bad input', () => {
    it('refuses a folder that is not a git repository, suggesting the shared workspace', async () => {
      const dir = tempDir();
      await expect(createIsolatedWorkspace(dir, 'wf_1')).rejects.toMatchObject({
        code: 'WORKSPACE_INVALID',
        hint: expect.stringContaining('shared'),
      });
    });

    it('refuses a repository without a commit, suggesting to commit first', async () => {
      const dir = tempDir();
      await sh(dir, ['init', '--quiet']);
      await expect(createIsolatedWorkspace(dir, 'wf_1')).rejects.toMatchObject({
        code: 'WORKSPACE_INVALID',
        hint: expect.stringMatching(/Commit first.*shared/),
      });
    });

    it('refuses a missing folder', async () => {
      await expect(createIsolatedWorkspace(join(tempDir(), 'nope'), 'wf_1')).rejects.toMatchObject({ code: 'WORKSPACE_INVALID' });
    });

    it.each(['../escape', 'a/b', '-rf', 'x.lock', 'a..b', ''])('refuses the workflow id %j', async (id) => {
      const repo = await tempRepo();
      await expect(createIsolatedWorkspace(repo, id)).rejects.toMatchObject({ code: 'WORKSPACE_INVALID' });
      expect(existsSync(join(repo, 'escape'))).toBe(false);
    });

    it('refuses to take over a folder that is in the way', async () => {
      const repo = await tempRepo();
      mkdirSync(join(repo, '.converge', 'worktrees', 'wf_1'), { recursive: true });
      await expect(createIsolatedWorkspace(repo, 'wf_1')).rejects.toMatchObject({ code: 'WORKSPACE_INVALID' });
    });
  });
});

describe('finishIsolatedWorkspace', () => {
  describe('a workflow that changed files', () => {
    it('commits on the branch as Converge, writes the patch, removes the worktree and keeps the branch', async () => {
      const repo = await tempRepo();
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      applyFileChanges(info.path, [
        { path: 'src/feature.ts', action: 'create', content: 'export const x = 1;\n' },
        { path: 'README.md', action: 'update', content: '# demo\n\nmore\n' },
      ]);
      const done = await finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'Converge wf_1: add feature' });

      expect(done.branch).toBe('converge/wf_1');
      expect(done.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(done.head).toBe(done.commit);
      expect(done.files.sort()).toEqual(['README.md', 'src/feature.ts']);
      expect(done.patchFile).toBe(join(repo, '.converge', 'patches', 'wf_1.patch'));
      expect(readFileSync(done.patchFile, 'utf8')).toContain('+export const x = 1;');
      expect((await sh(repo, ['log', '-1', '--format=%an <%ae>|%s', 'converge/wf_1'])).trim()).toBe('Converge <converge@localhost>|Converge wf_1: add feature');
      expect(existsSync(info.path)).toBe(false);
      expect(await worktreeCount(repo)).toBe(1);
      expect(await sh(repo, ['status', '--porcelain'])).toBe('');
      expect(mergeInstructions(done, repo)).toBe('merge with: git merge converge/wf_1  (or git apply .converge/patches/wf_1.patch)');
    });

    it('diffs from the branch point even after the main branch moved on', async () => {
      const repo = await tempRepo();
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      writeFileSync(join(repo, 'later.txt'), 'user work\n');
      await sh(repo, ['add', 'later.txt']);
      await sh(repo, ['commit', '--quiet', '-m', 'user work']);
      applyFileChanges(info.path, [{ path: 'mine.txt', action: 'create', content: 'workflow work\n' }]);
      const done = await finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'm' });
      expect(done.files).toEqual(['mine.txt']);
      await sh(repo, ['apply', '--check', done.patchFile]);
    });

    it('includes commits an agent made itself', async () => {
      const repo = await tempRepo();
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      writeFileSync(join(info.path, 'a.txt'), 'a\n');
      await sh(info.path, ['add', 'a.txt']);
      await sh(info.path, ['commit', '--quiet', '-m', 'agent']);
      writeFileSync(join(info.path, 'b.txt'), 'b\n');
      const done = await finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'm' });
      expect(done.files.sort()).toEqual(['a.txt', 'b.txt']);
    });
  });

  describe('a workflow that changed nothing', () => {
    it('makes no commit and writes an empty patch', async () => {
      const repo = await tempRepo();
      const before = (await sh(repo, ['rev-parse', 'HEAD'])).trim();
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      const done = await finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'm' });
      expect(done.commit).toBeUndefined();
      expect(done.head).toBe(before);
      expect(readFileSync(done.patchFile, 'utf8')).toBe('');
    });
  });

  describe('called again after finishing (crash before the result was recorded)', () => {
    it('returns the same branch and patch without a new commit', async () => {
      const repo = await tempRepo();
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      applyFileChanges(info.path, [{ path: 'x.txt', action: 'create', content: 'x\n' }]);
      const first = await finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'm' });
      const second = await finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'm' });
      expect(second.commit).toBeUndefined();
      expect(second.head).toBe(first.head);
      expect(readFileSync(second.patchFile, 'utf8')).toContain('+x');
    });
  });

  it('reports a repository that was moved away', async () => {
    const info = { path: '/nonexistent/wt', type: 'isolated' as const, branch: 'converge/wf_1', origin: join(tempDir(), 'moved') };
    await expect(finishIsolatedWorkspace(info, { workflowId: 'wf_1', message: 'm' })).rejects.toMatchObject({ code: 'WORKSPACE_INVALID' });
  });

  it('refuses a shared workspace', async () => {
    await expect(finishIsolatedWorkspace({ path: '/tmp', type: 'shared' }, { workflowId: 'wf_1', message: 'm' })).rejects.toMatchObject({
      code: 'WORKSPACE_INVALID',
    });
  });
});

describe('discardIsolatedWorkspace', () => {
  it('removes the worktree without committing and keeps the branch', async () => {
    const repo = await tempRepo();
    const info = await createIsolatedWorkspace(repo, 'wf_1');
    writeFileSync(join(info.path, 'draft.txt'), 'draft\n');
    expect(await discardIsolatedWorkspace(info)).toEqual({ branch: 'converge/wf_1' });
    expect(existsSync(info.path)).toBe(false);
    expect(await sh(repo, ['branch', '--list', 'converge/wf_1'])).toContain('converge/wf_1');
    expect(await sh(repo, ['rev-parse', 'converge/wf_1'])).toBe(await sh(repo, ['rev-parse', 'main']));
    expect(await sh(repo, ['status', '--porcelain'])).toBe('');
  });

  it('does nothing when the worktree is already gone', async () => {
    const repo = await tempRepo();
    const info = await createIsolatedWorkspace(repo, 'wf_1');
    await discardIsolatedWorkspace(info);
    await expect(discardIsolatedWorkspace(info)).resolves.toEqual({ branch: 'converge/wf_1' });
  });
});

describe('isolated workspaces', () => {
  describe('two workflows on one repository at once', () => {
    it('keep their files apart, leave the main checkout alone, and produce patches that apply to a fresh clone', { timeout: 120_000 }, async () => {
      const repo = await tempRepo({ 'README.md': '# demo\n', 'src/shared.ts': 'export const shared = 0;\n' });
      const [a, b] = await Promise.all([createIsolatedWorkspace(repo, 'wf_a'), createIsolatedWorkspace(repo, 'wf_b')]);
      const writes = [
        applyFileChanges(a.path, [
          { path: 'src/a.ts', action: 'create', content: 'export const a = 1;\n' },
          { path: 'src/shared.ts', action: 'update', content: 'export const shared = 1;\n' },
        ]),
        applyFileChanges(b.path, [{ path: 'src/b.ts', action: 'create', content: 'export const b = 2;\n' }]),
      ];
      expect(writes.map((w) => w.refused)).toEqual([[], []]);
      expect(existsSync(join(a.path, 'src', 'b.ts'))).toBe(false);
      expect(existsSync(join(b.path, 'src', 'a.ts'))).toBe(false);
      expect(readFileSync(join(b.path, 'src', 'shared.ts'), 'utf8')).toBe('export const shared = 0;\n');

      const [doneA, doneB] = await Promise.all([
        finishIsolatedWorkspace(a, { workflowId: 'wf_a', message: 'a' }),
        finishIsolatedWorkspace(b, { workflowId: 'wf_b', message: 'b' }),
      ]);
      expect(doneA.files.sort()).toEqual(['src/a.ts', 'src/shared.ts']);
      expect(doneB.files).toEqual(['src/b.ts']);
      expect(await sh(repo, ['status', '--porcelain'])).toBe('');
      expect(readFileSync(join(repo, 'src', 'shared.ts'), 'utf8')).toBe('export const shared = 0;\n');
      expect(existsSync(join(repo, 'src', 'a.ts')) || existsSync(join(repo, 'src', 'b.ts'))).toBe(false);

      const clone = join(tempDir(), 'clone');
      await sh(repo, ['clone', '--quiet', repo, clone]);
      await sh(clone, ['apply', doneA.patchFile]);
      await sh(clone, ['apply', doneB.patchFile]);
      expect(readFileSync(join(clone, 'src', 'a.ts'), 'utf8')).toBe('export const a = 1;\n');
      expect(readFileSync(join(clone, 'src', 'b.ts'), 'utf8')).toBe('export const b = 2;\n');
      expect(readFileSync(join(clone, 'src', 'shared.ts'), 'utf8')).toBe('export const shared = 1;\n');
    });
  });

  describe('read-only paths in a worktree', () => {
    it('refuses writes to .git (a file in a worktree) and to the profile read-only folders', async () => {
      const repo = await tempRepo({ 'src/cursus/steps/base.py': 'BASE = 1\n' });
      const info = await createIsolatedWorkspace(repo, 'wf_1');
      const gitFile = readFileSync(join(info.path, '.git'), 'utf8');
      const result = applyFileChanges(
        info.path,
        [
          { path: '.git', action: 'update', content: 'gitdir: /tmp/elsewhere\n' },
          { path: 'src/cursus/steps/base.py', action: 'update', content: 'BASE = 2\n' },
          { path: 'src/cursus_dev/steps/new.py', action: 'create', content: 'NEW = 1\n' },
        ],
        ['src/cursus/steps', '.git'],
      );
      expect(result.refused.map((r) => r.path)).toEqual(['.git', 'src/cursus/steps/base.py']);
      expect(result.written).toEqual(['src/cursus_dev/steps/new.py']);
      expect(readFileSync(join(info.path, '.git'), 'utf8')).toBe(gitFile);
      expect(readFileSync(join(info.path, 'src', 'cursus', 'steps', 'base.py'), 'utf8')).toBe('BASE = 1\n');
    });
  });
});
