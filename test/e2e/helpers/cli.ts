/**
 * Runs the built `converge` CLI (bin/converge.js → dist/) as a real child process.
 */
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const BIN = join(ROOT, 'bin', 'converge.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function converge(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd,
    env: { CI: '1', ...options.env },
    reject: false,
    stdin: 'ignore',
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function spawnConverge(args: string[], options: { cwd: string; env?: Record<string, string> }): ResultPromise {
  return execa('node', [BIN, ...args], { cwd: options.cwd, env: { CI: '1', ...options.env }, reject: false, stdin: 'ignore' });
}

/** A fresh copy of a fixture folder under the system temp dir. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `converge-${name}-`));
  cpSync(join(ROOT, 'test', 'fixtures', name), dir, { recursive: true });
  return dir;
}
