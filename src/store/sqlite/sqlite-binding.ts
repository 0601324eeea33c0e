/**
 * Where better-sqlite3's compiled addon is, handed to it as `nativeBinding`. Without it the driver
 * loads the `bindings` package, which reads the call stack to find the package root and then
 * tries a dozen folders in turn: about 7 ms of a CLI start (issue 19, `converge status` within 2×
 * the CPU of `node -e 0`). Only the usual npm build's path is tried; any other layout (a Debug
 * build, a prebuilt placed elsewhere) falls back to the driver's own search.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let found: string | null | undefined;

/** The addon's path, or undefined to let better-sqlite3 find it itself. */
export function sqliteNativeBinding(): string | undefined {
  if (found === undefined) {
    try {
      // lib/index.js is the package's main; the addon is built into ../build/Release.
      const main = createRequire(import.meta.url).resolve('better-sqlite3');
      const addon = join(dirname(main), '..', 'build', 'Release', 'better_sqlite3.node');
      found = existsSync(addon) && !existsSync(join(dirname(main), '..', 'build', 'Debug', 'better_sqlite3.node')) ? addon : null;
    } catch {
      found = null;
    }
  }
  return found ?? undefined;
}
