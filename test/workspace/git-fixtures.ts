/**
 * Temporary folders and git repositories for workspace tests. Every repository gets a local
 * identity and one commit, so tests never depend on the machine's git configuration.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

const made: string[] = [];

/** A fresh folder (real path, so macOS's /var → /private/var does not break comparisons). */
export function tempDir(prefix = 'converge-ws-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function sh(cwd: string, args: string[]): Promise<string> {
  const env = { ...process.env };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[name];
  const result = await execa('git', args, { cwd, env, extendEnv: false });
  return String(result.stdout);
}

/** `git init` with a local identity and one commit holding `files` (a README by default). */
export async function tempRepo(files: Record<string, string> = { 'README.md': '# demo\n' }): Promise<string> {
  const repo = tempDir('converge-repo-');
  await sh(repo, ['init', '--quiet', '--initial-branch=main']);
  await sh(repo, ['config', 'user.email', 'test@example.com']);
  await sh(repo, ['config', 'user.name', 'Test']);
  await sh(repo, ['config', 'commit.gpgsign', 'false']);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  await sh(repo, ['add', '--all']);
  await sh(repo, ['commit', '--quiet', '-m', 'initial']);
  return repo;
}
