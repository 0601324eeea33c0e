#!/usr/bin/env node
// Compiles the project with `tsc` (taken from PATH) into .build/, then runs the compiled
// tests with Node's built-in test runner. Writes a TAP report to .build/test-results.tap
// and a readable report to stdout. Exits non-zero when compilation or any test fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shell = process.platform === 'win32';

// Start from a clean output folder so stale compiled tests never run.
rmSync(join(root, '.build'), { recursive: true, force: true });

const compile = spawnSync('tsc', ['-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit', shell });
if (compile.error) {
  console.error(`run-tests: could not start tsc (${compile.error.message}); is TypeScript on PATH?`);
  process.exit(1);
}
if (compile.status !== 0) {
  console.error('run-tests: TypeScript compilation failed; tests were not run.');
  process.exit(1);
}

mkdirSync(join(root, '.build'), { recursive: true });
const run = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=tap',
    '--test-reporter-destination=.build/test-results.tap',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '.build/test/',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (run.error) {
  console.error(`run-tests: could not start node --test (${run.error.message})`);
  process.exit(1);
}
process.exit(run.status ?? 1);
