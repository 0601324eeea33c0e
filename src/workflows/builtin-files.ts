/**
 * Finds the data files that ship with Converge (definitions, profiles). tsc does not copy
 * YAML into dist/, so a compiled module looks in its own folder, then in the package's src/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_ROOT = findPackageRoot(here);

function findPackageRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return join(start, '..', '..');
}

export function builtinPath(...parts: string[]): string {
  const inSource = join(PACKAGE_ROOT, 'src', 'workflows', ...parts);
  const local = join(here, ...parts);
  return existsSync(local) ? local : inSource;
}
