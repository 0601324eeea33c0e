/**
 * Choosing the sandbox: `auto` uses bwrap when it works and otherwise runs unsandboxed with one
 * warning; `bwrap` asked for explicitly fails with the install hint instead. A machine without
 * bwrap is simulated by a host with no bwrap path (or one that does not exist), or another platform.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failureClassOf } from '../../src/agents/agent.js';
import { CommandAgent } from '../../src/agents/command/index.js';
import { runChecks } from '../../src/checks/index.js';
import { isConvergeError } from '../../src/core/errors.js';
import { CheckSchema } from '../../src/core/profile-schema.js';
import { createSandboxHost, type SandboxHostOptions } from '../../src/sandbox/index.js';
import { request } from '../agents/command/command-test-helpers.js';
import { BWRAP_WORKS } from './sandbox-test-kit.js';

const workspace = mkdtempSync(join(tmpdir(), 'converge-sandbox-host-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function host(options: SandboxHostOptions) {
  const warnings: string[] = [];
  return { host: createSandboxHost({ ...options, warn: (message) => warnings.push(message) }), warnings };
}

const checks = ['one', 'two'].map((id) => CheckSchema.parse({ id, command: ['true'] }));

describe('sandbox: auto', () => {
  it.each([
    ['bwrap is not installed', { bwrap: null }, /not installed/],
    ['the bwrap path does not exist', { bwrap: '/nonexistent/bin/bwrap' }, /does not work here/],
    ['the platform is macOS', { platform: 'darwin' as const }, /no sandbox is available on darwin/],
  ])('runs unsandboxed when %s, warns once for the run, and records sandbox none', async (_name, options, reason) => {
    const { host: sandboxHost, warnings } = host(options);
    const results = await runChecks(checks, { workspace, sandbox: 'auto', sandboxHost });
    expect(results.map((r) => [r.status, r.sandbox])).toEqual([
      ['passed', 'none'],
      ['passed', 'none'],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toContain('apt-get install bubblewrap');
  });

  it('warns once per host for checks and command agents together', async () => {
    const { host: sandboxHost, warnings } = host({ bwrap: null });
    await runChecks(checks, { workspace, sandboxHost });
    const agent = new CommandAgent({ provider: 'command', command: ['true'], fallback: [] }, { role: 'programmer', sandboxHost, env: { PATH: process.env['PATH'] ?? '' } });
    const response = await agent.call(request(workspace, 'hi'));
    expect(response.sandbox).toBe('none');
    expect(warnings).toHaveLength(1);
  });

  it.skipIf(!BWRAP_WORKS)('uses bwrap where it works (needs a working bubblewrap, else skipped)', async () => {
    const { host: sandboxHost, warnings } = host({});
    const results = await runChecks(checks, { workspace, sandboxHost });
    expect(results.map((r) => r.sandbox)).toEqual(['bwrap', 'bwrap']);
    expect(warnings).toEqual([]);
  });
});

describe('sandbox: none', () => {
  it('runs unsandboxed without a warning: it was asked for', async () => {
    const { host: sandboxHost, warnings } = host({ bwrap: null });
    const results = await runChecks(checks, { workspace, sandbox: 'none', sandboxHost });
    expect(results.map((r) => r.sandbox)).toEqual(['none', 'none']);
    expect(warnings).toEqual([]);
  });
});

describe('sandbox: bwrap without a working bwrap', () => {
  it('gives the check status error with the way out', async () => {
    const { host: sandboxHost, warnings } = host({ bwrap: null });
    const [result] = await runChecks([CheckSchema.parse({ id: 'strict', command: ['true'], sandbox: 'bwrap' })], { workspace, sandbox: 'auto', sandboxHost });
    expect(result).toMatchObject({ status: 'error' });
    expect(result?.summary).toMatch(/bwrap.*not installed/);
    expect(result?.summary).toContain('apt-get install bubblewrap');
    expect(result?.summary).toContain('sandbox: none');
    expect(warnings).toEqual([]);
  });

  it('takes a project-wide `sandbox: bwrap` as strictly as a check’s own', async () => {
    const { host: sandboxHost } = host({ bwrap: null });
    const [result] = await runChecks([checks[0]!], { workspace, sandbox: 'bwrap', sandboxHost });
    expect(result?.status).toBe('error');
  });

  it('fails a command agent with a non-retryable classified failure and the same hint', async () => {
    const { host: sandboxHost } = host({ bwrap: null });
    const agent = new CommandAgent({ provider: 'command', command: ['true'], sandbox: 'bwrap', fallback: [] }, { role: 'programmer', sandboxHost, env: { PATH: process.env['PATH'] ?? '' } });
    const error = await agent.call(request(workspace, 'hi')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failureClassOf(error)).toBe('bad_request');
    expect(isConvergeError(error) && error.retryable).toBe(false);
    expect((error as Error).message).toContain('apt-get install bubblewrap');
  });
});
