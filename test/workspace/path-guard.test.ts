import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyFileChanges, resolveInside } from '../../src/workspace/path-guard.js';
import { removeTempDirs, tempDir } from './git-fixtures.js';

let outside: string;
let root: string;

beforeEach(() => {
  // The workspace sits next to an "outside" folder, so an escape would land somewhere we can look.
  const parent = tempDir();
  outside = join(parent, 'outside');
  root = join(parent, 'workspace');
  mkdirSync(outside);
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(outside, 'secret.txt'), 'secret\n');
});

afterEach(removeTempDirs);

function write(path: string, readOnly: string[] = []) {
  return applyFileChanges(root, [{ path, action: 'create', content: 'pwned\n' }], readOnly);
}

describe('applyFileChanges', () => {
  describe('a path that leaves the workspace', () => {
    it.each([
      ['../x', 'x'],
      ['src/../../x', 'x'],
      ['./src/../../outside/new.txt', 'new.txt'],
    ])('refuses %s and writes nothing outside', (path, landing) => {
      const result = write(path);
      expect(result.written).toEqual([]);
      expect(result.refused.map((r) => r.path)).toEqual([path]);
      expect(result.refused[0]!.reason).toContain('".."');
      expect(existsSync(join(root, '..', landing))).toBe(false);
      expect(existsSync(join(outside, landing))).toBe(false);
    });

    it('refuses an absolute path and leaves its target unchanged', () => {
      const before = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : undefined;
      const result = write('/etc/passwd');
      expect(result.refused[0]!.reason).toContain('absolute paths are not allowed');
      expect(existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : undefined).toBe(before);
      expect(write(join(outside, 'secret.txt')).written).toEqual([]);
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    });

    it('refuses a Windows drive path', () => {
      expect(write('C:\\Windows\\system.ini').refused).toHaveLength(1);
    });

    it('refuses the workspace root itself and empty paths', () => {
      expect(write('.').refused).toHaveLength(1);
      expect(write('  ').refused).toHaveLength(1);
      expect(write('a\0b').refused).toHaveLength(1);
    });
  });

  describe('a symbolic link inside the workspace that points outside', () => {
    it('refuses a write through a symlinked folder', () => {
      symlinkSync(outside, join(root, 'out'));
      const result = write('out/evil.txt');
      expect(result.refused[0]!.reason).toContain('points outside the workspace');
      expect(existsSync(join(outside, 'evil.txt'))).toBe(false);
    });

    it('refuses a write through a symlinked folder deeper in the path', () => {
      symlinkSync(outside, join(root, 'src', 'vendor'));
      expect(write('src/vendor/a/b/c.txt').written).toEqual([]);
      expect(existsSync(join(outside, 'a'))).toBe(false);
    });

    it('refuses a write through a relative link to the parent folder', () => {
      symlinkSync('..', join(root, 'up'));
      expect(write('up/outside/secret.txt').written).toEqual([]);
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    });

    it('refuses to overwrite a symlinked file and leaves its target unchanged', () => {
      symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'));
      const result = write('link.txt');
      expect(result.refused).toHaveLength(1);
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    });

    it('refuses to delete through a symlinked folder', () => {
      symlinkSync(outside, join(root, 'out'));
      const result = applyFileChanges(root, [{ path: 'out/secret.txt', action: 'delete' }]);
      expect(result.refused).toHaveLength(1);
      expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
    });

    it('refuses a dangling symlinked file, which would create its target outside', () => {
      symlinkSync(join(outside, 'created.txt'), join(root, 'dangling.txt'));
      const result = write('dangling.txt');
      expect(result.refused[0]!.reason).toContain('points to nothing');
      expect(existsSync(join(outside, 'created.txt'))).toBe(false);
    });

    it('refuses a dangling symlinked folder, which would create folders outside', () => {
      symlinkSync(join(outside, 'missing'), join(root, 'ghost'));
      expect(write('ghost/x.txt').refused).toHaveLength(1);
      expect(existsSync(join(outside, 'missing'))).toBe(false);
    });
  });

  describe('a symbolic link that stays inside the workspace', () => {
    it('writes through a symlinked folder to its real place', () => {
      symlinkSync(join(root, 'src'), join(root, 'alias'));
      expect(write('alias/a.ts').written).toEqual(['alias/a.ts']);
      expect(readFileSync(join(root, 'src', 'a.ts'), 'utf8')).toBe('pwned\n');
    });

    it('still refuses to replace the link file itself', () => {
      writeFileSync(join(root, 'src', 'real.ts'), 'real\n');
      symlinkSync(join(root, 'src', 'real.ts'), join(root, 'same.ts'));
      expect(write('same.ts').refused[0]!.reason).toContain('symbolic link');
      expect(readFileSync(join(root, 'src', 'real.ts'), 'utf8')).toBe('real\n');
    });
  });

  describe('read-only paths', () => {
    const cursus = ['src/cursus/steps', '.git'];

    it.each([
      ['.git/config', cursus],
      ['./.git/hooks/pre-commit', cursus],
      ['.git', cursus],
      ['src/cursus/steps/builder.py', cursus],
      ['src/cursus/steps', cursus],
      ['node_modules/left-pad/index.js', ['.git', 'node_modules']],
      ['src/cursus/steps/x.py', ['src/cursus/steps/']],
      ['.GIT/config', cursus],
    ])('refuses %s', (path, readOnly) => {
      const result = write(path, readOnly);
      expect(result.written).toEqual([]);
      expect(result.refused[0]!.reason).toContain('is read-only in this workspace');
    });

    it('allows a sibling whose name only starts the same', () => {
      expect(write('src/cursus/steps_dev/x.py', cursus).written).toEqual(['src/cursus/steps_dev/x.py']);
    });

    it('refuses a write through a link that leads into a read-only folder', () => {
      mkdirSync(join(root, '.git'));
      writeFileSync(join(root, '.git', 'config'), '[core]\n');
      symlinkSync(join(root, '.git'), join(root, 'docs'));
      expect(write('docs/config', cursus).refused).toHaveLength(1);
      expect(readFileSync(join(root, '.git', 'config'), 'utf8')).toBe('[core]\n');
    });

    it('writes the allowed changes of a batch and refuses only the read-only ones', () => {
      const result = applyFileChanges(
        root,
        [
          { path: 'src/ok.ts', action: 'create', content: 'ok\n' },
          { path: '.git/HEAD', action: 'update', content: 'x' },
        ],
        cursus,
      );
      expect(result.written).toEqual(['src/ok.ts']);
      expect(result.refused.map((r) => r.path)).toEqual(['.git/HEAD']);
      expect(existsSync(join(root, '.git', 'HEAD'))).toBe(false);
    });
  });
});

describe('applyFileChanges on files that already exist', () => {
  const old = new Date('2020-01-01T00:00:00Z');
  const change = (path: string, content: string) => applyFileChanges(root, [{ path, action: 'update', content }]);

  it('leaves a file that already holds the content untouched, and still reports it written', () => {
    writeFileSync(join(root, 'src', 'same.ts'), 'same\n');
    utimesSync(join(root, 'src', 'same.ts'), old, old);
    expect(change('src/same.ts', 'same\n').written).toEqual(['src/same.ts']);
    expect(statSync(join(root, 'src', 'same.ts')).mtimeMs).toBe(old.getTime());
  });

  it('writes a file whose content differs, at the same size, longer and shorter', () => {
    writeFileSync(join(root, 'src', 'a.ts'), 'aaaa\n');
    utimesSync(join(root, 'src', 'a.ts'), old, old);
    expect(change('src/a.ts', 'bbbb\n').written).toEqual(['src/a.ts']);
    expect(readFileSync(join(root, 'src', 'a.ts'), 'utf8')).toBe('bbbb\n');
    expect(statSync(join(root, 'src', 'a.ts')).mtimeMs).not.toBe(old.getTime());
    expect(change('src/a.ts', 'longer now\n').written).toEqual(['src/a.ts']);
    expect(readFileSync(join(root, 'src', 'a.ts'), 'utf8')).toBe('longer now\n');
    expect(change('src/a.ts', 'é').written).toEqual(['src/a.ts']);
    expect(readFileSync(join(root, 'src', 'a.ts'), 'utf8')).toBe('é');
  });

  it('keeps refusing escapes in a workspace it has already written into', () => {
    expect(change('src/first.ts', 'x').written).toEqual(['src/first.ts']);
    // A link made after the first write is still seen: only the root's real path is remembered.
    symlinkSync(outside, join(root, 'src', 'out'));
    expect(change('src/out/secret.txt', 'pwned\n').refused).toHaveLength(1);
    expect(change('../outside/secret.txt', 'pwned\n').refused).toHaveLength(1);
    expect(change(join(outside, 'secret.txt'), 'pwned\n').refused).toHaveLength(1);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
  });
});

describe('resolveInside', () => {
  it('throws PATH_ESCAPE with a hint', () => {
    expect(() => resolveInside(root, '../x')).toThrow(expect.objectContaining({ code: 'PATH_ESCAPE', hint: expect.any(String) }));
  });

  it('returns the absolute path of a file inside', () => {
    expect(resolveInside(root, 'src/new/file.ts')).toBe(join(root, 'src', 'new', 'file.ts'));
  });
});
