import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'knowledge');

/** The fixture doc set copied into a temporary workspace, so refreshes may edit and index it. */
export function fixtureWorkspace(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'converge-kb-'));
  cpSync(FIXTURE_DIR, root, { recursive: true });
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const FIXTURE_GLOBS = ['README.md', 'docs', 'src/**/*.ts'];
