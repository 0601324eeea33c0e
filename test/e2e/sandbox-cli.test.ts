/**
 * `converge checks run` as a real process holding a provider key in its environment, as
 * `converge serve` would: a check that walks its parent chain through /proc reaches that process
 * without a sandbox, and nothing outside its own under bwrap.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../../src/core/records.js';
import { BWRAP_WORKS } from '../sandbox/sandbox-test-kit.js';
import { converge, ROOT } from './helpers/cli.js';

const KEY = `sk-ant-test-${randomBytes(16).toString('hex')}`;
const PROC_WALK = join(ROOT, 'test', 'fixtures', 'sandbox', 'proc-walk.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(sandbox: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'converge-sandbox-cli-'));
  dirs.push(dir);
  const check = { id: 'walk', command: [process.execPath, PROC_WALK], max_output_bytes: 64 * 1024 * 1024 };
  writeFileSync(join(dir, 'converge.yaml'), `${JSON.stringify({ sandbox, checks: [check] }, null, 2)}\n`);
  return dir;
}

async function walk(sandbox: string, env: Record<string, string> = {}): Promise<{ result: ToolResult; stderr: string }> {
  const cwd = project(sandbox);
  const run = await converge(['checks', 'run', '--json'], { cwd, env: { CONVERGE_TEST_PROVIDER_KEY: KEY, ...env } });
  const parsed = JSON.parse(run.stdout) as { results: ToolResult[] };
  return { result: parsed.results[0]!, stderr: run.stderr };
}

describe('converge checks run with a key in its environment', () => {
  it.skipIf(!BWRAP_WORKS)('shows a check that walks /proc no key under bwrap (needs a working bubblewrap, else skipped)', async () => {
    const { result } = await walk('bwrap');
    expect(result).toMatchObject({ status: 'passed', sandbox: 'bwrap' });
    expect(result.output).toContain('== walk done');
    expect(result.output).not.toContain(KEY);
  }, 60_000);

  it('lets the same check read the key from its parent with `sandbox: none`', async () => {
    const { result, stderr } = await walk('none');
    expect(result).toMatchObject({ status: 'passed', sandbox: 'none' });
    expect(result.output).toContain(KEY);
    expect(stderr).not.toContain('warning');
  }, 60_000);

  it('runs unsandboxed with one warning when `auto` finds no bwrap on PATH', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'converge-sandbox-nobwrap-'));
    dirs.push(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const { result, stderr } = await walk('auto', { PATH: bin });
    expect(result.sandbox).toBe('none');
    expect(stderr.match(/converge: warning:/g)).toHaveLength(1);
    expect(stderr).toContain('apt-get install bubblewrap');
  }, 60_000);
});
