/**
 * Finding the project from a working directory, as git finds a repository.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findProject, projectStorePath } from '../../src/workflows/project-root.js';

function tree(paths: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'converge-root-'));
  for (const path of paths) {
    const full = join(root, path);
    if (path.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, '');
    }
  }
  return root;
}

describe('findProject', () => {
  it('finds converge.yaml in a folder above the working directory', () => {
    const root = tree(['repo/.git/', 'repo/converge.yaml', 'repo/src/lib/']);
    const found = findProject(join(root, 'repo', 'src', 'lib'));
    expect(found).toMatchObject({ root: join(root, 'repo'), marker: 'config', gitRoot: join(root, 'repo') });
    expect(projectStorePath(found)).toBe(join(root, 'repo', '.converge', 'converge.db'));
  });

  it('finds a store without converge.yaml', () => {
    const root = tree(['p/.converge/converge.db', 'p/src/']);
    expect(findProject(join(root, 'p', 'src'))).toMatchObject({ root: join(root, 'p'), marker: 'store' });
  });

  it('takes the nearest marker when projects nest', () => {
    const root = tree(['outer/converge.yaml', 'outer/inner/converge.yaml', 'outer/inner/src/']);
    expect(findProject(join(root, 'outer', 'inner', 'src')).root).toBe(join(root, 'outer', 'inner'));
  });

  it('stops at the git top folder and falls back to it', () => {
    const root = tree(['converge.yaml', 'repo/.git/', 'repo/src/']);
    const found = findProject(join(root, 'repo', 'src'));
    expect(found).toMatchObject({ root: join(root, 'repo'), marker: undefined, gitRoot: join(root, 'repo'), searchedUpTo: join(root, 'repo') });
  });

  it('treats a .git file (a worktree or submodule) as the top folder', () => {
    const root = tree(['converge.yaml', 'wt/.git', 'wt/src/']);
    expect(findProject(join(root, 'wt', 'src')).root).toBe(join(root, 'wt'));
  });

  it('does not take a bare .converge folder (check reports, ~/.converge keys) for a project', () => {
    const root = tree(['repo/.git/', 'repo/converge.yaml', 'repo/pkg/.converge/reports/', 'repo/pkg/src/']);
    expect(findProject(join(root, 'repo', 'pkg', 'src')).root).toBe(join(root, 'repo'));
  });

  it('falls back to the working directory outside any repository', () => {
    const root = tree(['a/b/']);
    const found = findProject(join(root, 'a', 'b'));
    expect(found).toMatchObject({ root: join(root, 'a', 'b'), marker: undefined, gitRoot: undefined, searchedUpTo: '/' });
  });
});
