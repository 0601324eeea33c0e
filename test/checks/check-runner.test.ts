import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/checks/index.js';
import { CheckSchema, type Check } from '../../src/core/profile-schema.js';
import { eventuallyNoneWith, SANDBOXES, uniqueSeconds } from '../sandbox/sandbox-test-kit.js';

const NODE = process.execPath;

function check(fields: Record<string, unknown>): Check {
  return CheckSchema.parse({ id: 'unit', ...fields });
}

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'converge-checks-'));
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('runCheck', () => {
  describe('exit_code format', () => {
    it('passes a command that exits 0', async () => {
      const result = await runCheck(check({ command: [NODE, '-e', 'console.log("all good")'] }), { workspace });
      expect(result).toMatchObject({ toolId: 'unit', status: 'passed', exitCode: 0, level: 2, required: true, issues: [] });
      expect(result.output).toContain('all good');
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('fails a command that exits non-zero and keeps stdout and stderr', async () => {
      const script = 'console.log("to stdout"); console.error("to stderr"); process.exit(3)';
      const result = await runCheck(check({ command: [NODE, '-e', script], level: 3, required: false }), { workspace });
      expect(result).toMatchObject({ status: 'failed', exitCode: 3, summary: 'failed with exit code 3', level: 3, required: false });
      expect(result.output).toContain('to stdout');
      expect(result.output).toContain('to stderr');
    });

    it('runs a string command through the shell when shell is true', async () => {
      const result = await runCheck(check({ command: 'echo one && echo two | tr a-z A-Z', shell: true }), { workspace });
      expect(result.status).toBe('passed');
      expect(result.output).toBe('one\nTWO\n');
    });

    it('refuses a string command without shell', async () => {
      const raw = { ...check({ command: ['true'] }), command: 'echo hi' };
      const result = await runCheck(raw, { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringContaining('shell: true') });
    });
  });

  describe('a program that does not exist', () => {
    it('records an error naming the command, with a hint', async () => {
      const result = await runCheck(check({ command: ['no-such-program-converge', '--version'] }), { workspace });
      expect(result.status).toBe('error');
      expect(result.summary).toMatch(/^command not found: no-such-program-converge\. /);
      expect(result.summary).toContain('PATH');
    });

    it('records an error when the shell cannot find it (exit 127)', async () => {
      const result = await runCheck(check({ command: 'no-such-program-converge --version', shell: true }), { workspace });
      expect(result).toMatchObject({ status: 'error', exitCode: 127, summary: expect.stringMatching(/^command not found/) });
    });
  });

  describe.each(SANDBOXES)('a check that hangs, in sandbox %s', (sandbox) => {
    it('is killed at the timeout together with its grandchild and recorded as an error', async () => {
      const marker = uniqueSeconds();
      const result = await runCheck(check({ command: ['sh', '-c', `sleep ${marker} & sleep ${marker}`], timeout_s: 1, sandbox }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringMatching(/^timed out after 1s/), sandbox });
      expect(await eventuallyNoneWith(marker)).toBe(true);
    });

    it('gets SIGKILL when it ignores SIGTERM', async () => {
      // `trap "" TERM` is inherited by the children, so only SIGKILL can end them.
      const marker = uniqueSeconds();
      const result = await runCheck(check({ command: ['sh', '-c', `trap "" TERM; sleep ${marker} & wait`], timeout_s: 1, sandbox }), { workspace });
      expect(result.status).toBe('error');
      expect(await eventuallyNoneWith(marker)).toBe(true);
    });

    it('gets SIGTERM first, so it can clean up before the group is killed', async () => {
      const marker = uniqueSeconds();
      // The cleanup takes a moment, as a test runner's does: a sandbox torn down at once would cut it off.
      const script = `trap "sleep 0.3; echo cleaned > cleaned-${marker}.txt; exit 1" TERM; sleep ${marker} & wait`;
      await runCheck(check({ command: ['sh', '-c', script], timeout_s: 1, sandbox }), { workspace });
      expect(readFileSync(join(workspace, `cleaned-${marker}.txt`), 'utf8')).toBe('cleaned\n');
      expect(await eventuallyNoneWith(marker)).toBe(true);
    });

    it('does not wait for a background process left behind by a finished command', async () => {
      const marker = uniqueSeconds();
      const result = await runCheck(check({ command: ['sh', '-c', `sleep ${marker} & exit 0`], timeout_s: 30, sandbox }), { workspace });
      expect(result.status).toBe('passed');
      expect(await eventuallyNoneWith(marker)).toBe(true);
    });
  });

  describe('cancellation', () => {
    it('kills a running check when the signal aborts', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const result = await runCheck(check({ command: ['sleep', '100'], timeout_s: 60 }), { workspace, signal: controller.signal });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringMatching(/^cancelled while running/) });
    });

    it('does not start a check when the signal is already aborted', async () => {
      const result = await runCheck(check({ command: ['true'] }), { workspace, signal: AbortSignal.abort() });
      expect(result).toMatchObject({ status: 'error', summary: 'cancelled before it started' });
    });
  });

  describe('output', () => {
    it('keeps the head and the tail within max_output_bytes and marks the cut', async () => {
      const script = 'process.stdout.write("HEAD" + "x".repeat(100000) + "TAIL")';
      const result = await runCheck(check({ command: [NODE, '-e', script], max_output_bytes: 1000 }), { workspace });
      const output = result.output ?? '';
      expect(output.startsWith('HEAD')).toBe(true);
      expect(output.endsWith('TAIL')).toBe(true);
      expect(output).toContain('[… 99008 bytes of output omitted …]');
      expect(Buffer.byteLength(output)).toBeLessThan(1100);
    });
  });

  describe('environment', () => {
    const keys = ['MY_API_KEY', 'CONVERGE_TEST_PLAIN'] as const;
    afterEach(() => {
      for (const key of keys) delete process.env[key];
    });

    it('withholds secrets and anything not allowed', async () => {
      process.env['MY_API_KEY'] = 'sk-secret-value';
      process.env['CONVERGE_TEST_PLAIN'] = 'plain';
      const result = await runCheck(check({ command: ['env'] }), { workspace });
      expect(result.status).toBe('passed');
      expect(result.output).not.toContain('MY_API_KEY');
      expect(result.output).not.toContain('sk-secret-value');
      expect(result.output).not.toContain('CONVERGE_TEST_PLAIN');
      expect(result.output).toMatch(/^PATH=/m);
    });

    it('passes a secret named in env_allow, and the values set in env', async () => {
      process.env['MY_API_KEY'] = 'sk-secret-value';
      const result = await runCheck(check({ command: ['env'], env_allow: ['MY_API_KEY'], env: { NODE_ENV: 'test' } }), { workspace });
      expect(result.output).toContain('MY_API_KEY=sk-secret-value');
      expect(result.output).toContain('NODE_ENV=test');
    });

    it('puts extraPath in front of PATH', async () => {
      const bin = join(workspace, 'tools-bin');
      await mkdir(bin, { recursive: true });
      await writeFile(join(bin, 'hello-converge'), '#!/bin/sh\necho hello from extraPath\n', { mode: 0o755 });
      const result = await runCheck(check({ command: ['hello-converge'] }), { workspace, extraPath: [bin] });
      expect(result.status).toBe('passed');
      expect(result.output).toBe('hello from extraPath\n');
    });
  });

  describe('working directory', () => {
    it('runs in cwd relative to the workspace', async () => {
      await mkdir(join(workspace, 'pkg'), { recursive: true });
      const result = await runCheck(check({ command: ['pwd'], cwd: 'pkg' }), { workspace });
      expect(result.output?.trim().endsWith('/pkg')).toBe(true);
    });

    it.each([['../'], ['/etc'], ['pkg/../../x']])('refuses cwd %s that leaves the workspace', async (cwd) => {
      const result = await runCheck(check({ command: ['pwd'], cwd }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringContaining('outside the workspace') });
      expect(result.output).toBeUndefined();
    });

    it('refuses a cwd that leaves the workspace through a symlink', async () => {
      await symlink(tmpdir(), join(workspace, 'escape'));
      const result = await runCheck(check({ command: ['pwd'], cwd: 'escape' }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringContaining('through a symlink') });
    });

    it('reports a cwd that does not exist', async () => {
      const result = await runCheck(check({ command: ['pwd'], cwd: 'missing' }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringContaining('does not exist') });
    });
  });
});
