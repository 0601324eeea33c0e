/**
 * The sandbox seen from inside: what a check (through the real check runner) and a command agent
 * can reach under bwrap. Where trying is harmless, the same code also runs with `sandbox: none`
 * and reaches what bwrap hides: that is the difference the sandbox makes, and the proof that each
 * assertion can fail. Redacting what reaches the record is the store's job, not tested here.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandAgent } from '../../src/agents/command/index.js';
import { runCheck } from '../../src/checks/index.js';
import { CheckSchema, type Check } from '../../src/core/profile-schema.js';
import { bwrapArgs } from '../../src/sandbox/index.js';
import { request } from '../agents/command/command-test-helpers.js';
import { BWRAP_WORKS, eventuallyNoneWith, processesWith, uniqueSeconds } from './sandbox-test-kit.js';

const NODE = process.execPath;
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'sandbox');
const PROC_WALK = join(FIXTURES, 'proc-walk.mjs');
const KEY = `sk-ant-test-${randomBytes(16).toString('hex')}`;
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function check(fields: Record<string, unknown>): Check {
  return CheckSchema.parse({ id: 'probe', ...fields });
}

/** An isolated workspace as Converge makes one: a git worktree of a checkout, with node_modules linked from the checkout. */
function isolatedWorkspace(): { checkout: string; worktree: string } {
  const checkout = tempDir('converge-sandbox-checkout-');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=T', ...args], { cwd: checkout, stdio: 'ignore' });
  git('init', '-q');
  writeFileSync(join(checkout, 'README.md'), '# demo\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'initial');
  mkdirSync(join(checkout, 'node_modules'));
  writeFileSync(join(checkout, 'node_modules', 'dep.txt'), 'dependency\n');
  const worktree = join(checkout, '.converge', 'worktrees', 'wf');
  git('worktree', 'add', '-q', '-b', 'converge/wf', worktree);
  symlinkSync(join(checkout, 'node_modules'), join(worktree, 'node_modules'));
  return { checkout, worktree };
}

let workspace: string;
/** Stands in for `converge serve`: a process with a provider key in its environment. */
let server: ChildProcess;

beforeAll(() => {
  workspace = tempDir('converge-sandbox-ws-');
  // /proc/<pid>/environ shows the environment a process was started with, so the stand-in gets
  // the key at its start; the test process holds it too, as the server's environment would.
  server = spawn(NODE, ['-e', 'setInterval(() => {}, 1000)'], { env: { ...process.env, CONVERGE_TEST_PROVIDER_KEY: KEY }, stdio: 'ignore' });
  process.env['CONVERGE_TEST_PROVIDER_KEY'] = KEY;
});

afterAll(() => {
  server.kill('SIGKILL');
  delete process.env['CONVERGE_TEST_PROVIDER_KEY'];
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!BWRAP_WORKS)('the bwrap sandbox (needs a working bubblewrap, else skipped)', () => {
  describe('a check that walks /proc for keys', () => {
    const walk = (sandbox: 'bwrap' | 'none') =>
      runCheck(check({ command: [NODE, PROC_WALK], sandbox, max_output_bytes: 64 * 1024 * 1024 }), { workspace });

    it('finds no key of any process outside the sandbox, its ancestors included', async () => {
      const result = await walk('bwrap');
      expect(result).toMatchObject({ status: 'passed', sandbox: 'bwrap' });
      expect(result.output).toContain('== walk done');
      expect(result.output).not.toContain('bytes of output omitted');
      expect(result.output).not.toContain(KEY);
    });

    it('finds the key with `sandbox: none`: the server’s /proc is in reach', async () => {
      const result = await walk('none');
      expect(result).toMatchObject({ status: 'passed', sandbox: 'none' });
      expect(result.output).not.toContain('bytes of output omitted');
      expect(result.output).toContain(KEY);
    });
  });

  describe('a command agent that walks /proc for keys', () => {
    // The agent's own source has no key (as for a generic command without api_key_env), so nothing
    // is redacted from its text: what it printed is what it found.
    const walk = (sandbox: 'bwrap' | 'none') =>
      new CommandAgent({ provider: 'command', command: [NODE, PROC_WALK], sandbox, fallback: [] }, { role: 'programmer', env: { PATH: process.env['PATH'] ?? '' } }).call(
        request(tempDir('converge-sandbox-agent-'), 'Find the keys.'),
      );

    it('prints no key under bwrap, and says where it ran', async () => {
      const response = await walk('bwrap');
      expect(response.sandbox).toBe('bwrap');
      expect(response.text).toContain('== walk done');
      expect(response.text).not.toContain(KEY);
    });

    it('prints the key with `sandbox: none`', async () => {
      const response = await walk('none');
      expect(response.sandbox).toBe('none');
      expect(response.text).toContain(KEY);
    });
  });

  describe('the network', () => {
    let listener: Server;
    let port: number;
    beforeAll(async () => {
      listener = createServer((socket) => socket.end());
      await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
      port = (listener.address() as { port: number }).port;
    });
    afterAll(() => listener.close());

    const connect = (fields: Record<string, unknown>) => runCheck(check({ command: [NODE, join(FIXTURES, 'connect.mjs'), String(port)], ...fields }), { workspace });

    it('is out of reach for a check without `network: true`: a loopback server refuses', async () => {
      const result = await connect({ sandbox: 'bwrap' });
      expect(result).toMatchObject({ status: 'failed', sandbox: 'bwrap' });
      expect(result.output).toMatch(/ECONNREFUSED|ENETUNREACH|EHOSTUNREACH/);
    });

    it('is in reach for a check with `network: true`', async () => {
      const result = await connect({ sandbox: 'bwrap', network: true });
      expect(result).toMatchObject({ status: 'passed', output: 'connected\n' });
    });

    it('is in reach with `sandbox: none`, whatever `network` says', async () => {
      const result = await connect({ sandbox: 'none' });
      expect(result).toMatchObject({ status: 'passed', output: 'connected\n' });
    });
  });

  describe('the file system', () => {
    const sh = (script: string, extra: Record<string, unknown> = {}) => runCheck(check({ command: ['sh', '-c', script], sandbox: 'bwrap', ...extra }), { workspace });

    it('lets the check write its workspace', async () => {
      const result = await sh('echo made inside > made-inside.txt');
      expect(result.status).toBe('passed');
      expect(readFileSync(join(workspace, 'made-inside.txt'), 'utf8')).toBe('made inside\n');
    });

    it('keeps / read-only', async () => {
      const name = `/etc/converge-sandbox-${randomBytes(6).toString('hex')}`;
      const result = await sh(`echo x > ${name}`);
      expect(result.status).toBe('failed');
      expect(result.output).toMatch(/Read-only file system/);
      expect(existsSync(name)).toBe(false);
    });

    it('gives the check a private /tmp: the host’s files are not there, and its own do not leak out', async () => {
      const hostFile = join('/tmp', `converge-host-${randomBytes(6).toString('hex')}.txt`);
      const ownFile = join('/tmp', `converge-own-${randomBytes(6).toString('hex')}.txt`);
      writeFileSync(hostFile, 'host');
      try {
        const result = await sh(`test ! -e ${hostFile} && echo own > ${ownFile} && cat ${ownFile}`);
        expect(result).toMatchObject({ status: 'passed', output: 'own\n' });
        expect(existsSync(ownFile)).toBe(false);
      } finally {
        rmSync(hostFile, { force: true });
      }
    });

    it('keeps PATH folders and a worktree’s links into its checkout readable although they live under /tmp', async () => {
      const bin = tempDir('converge-sandbox-bin-');
      writeFileSync(join(bin, 'hello-sandbox'), '#!/bin/sh\necho hello from outside\n', { mode: 0o755 });
      const { worktree } = isolatedWorkspace();
      const result = await runCheck(
        check({ command: 'hello-sandbox && cat node_modules/dep.txt && git log --format=%s', shell: true, sandbox: 'bwrap' }),
        { workspace: worktree, extraPath: [bin] },
      );
      expect(result).toMatchObject({ status: 'passed', output: 'hello from outside\ndependency\ninitial\n' });
    });

    it('keeps a script the configuration names by absolute path under /tmp readable with its folder, and a packages folder behind a node_modules/.bin on PATH, while other folders of /tmp stay hidden', async () => {
      const tools = tempDir('converge-sandbox-tools-');
      writeFileSync(join(tools, 'helper.mjs'), 'export const word = "sibling";\n');
      writeFileSync(join(tools, 'tool.mjs'), 'import { word } from "./helper.mjs"; console.log(`tool with its ${word}`);\n');
      const project = tempDir('converge-sandbox-pkgs-');
      mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
      mkdirSync(join(project, 'node_modules', 'pkg'));
      writeFileSync(join(project, 'node_modules', 'pkg', 'cli.js'), '#!/bin/sh\necho from a package\n', { mode: 0o755 });
      symlinkSync('../pkg/cli.js', join(project, 'node_modules', '.bin', 'pkg-cli'));
      const other = tempDir('converge-sandbox-other-');
      writeFileSync(join(other, 'secret.txt'), 'not for the check\n');
      const script = await runCheck(check({ command: [NODE, join(tools, 'tool.mjs')], sandbox: 'bwrap' }), { workspace });
      expect(script).toMatchObject({ status: 'passed', output: 'tool with its sibling\n' });
      const bin = await runCheck(check({ command: 'pkg-cli', shell: true, sandbox: 'bwrap' }), { workspace, extraPath: [join(project, 'node_modules', '.bin')] });
      expect(bin).toMatchObject({ status: 'passed', output: 'from a package\n' });
      // Named inside a shell line, not as an argument of the configured command: nothing makes it visible.
      const hidden = await runCheck(check({ command: `cat ${join(other, 'secret.txt')}`, shell: true, sandbox: 'bwrap' }), { workspace });
      expect(hidden.status).toBe('failed');
      expect(hidden.output).toMatch(/No such file/);
    });

    it('hides Converge’s own folder in the workspace: its store and audit key', async () => {
      const shared = tempDir('converge-sandbox-store-');
      mkdirSync(join(shared, '.converge'));
      writeFileSync(join(shared, '.converge', 'audit.key'), 'the-audit-key');
      const result = await runCheck(check({ command: ['sh', '-c', 'cat .converge/audit.key; echo x > .converge/audit.key'], sandbox: 'bwrap' }), { workspace: shared });
      expect(result.output).not.toContain('the-audit-key');
      expect(readFileSync(join(shared, '.converge', 'audit.key'), 'utf8')).toBe('the-audit-key');
    });

    it('does not follow a link or a `.git` file an agent planted to another folder of /tmp', async () => {
      const elsewhere = tempDir('converge-sandbox-elsewhere-');
      writeFileSync(join(elsewhere, 'secret.txt'), 'not yours');
      const { worktree } = isolatedWorkspace();
      symlinkSync(elsewhere, join(worktree, 'planted'));
      const shared = tempDir('converge-sandbox-planted-');
      writeFileSync(join(shared, '.git'), `gitdir: ${elsewhere}\n`);
      for (const workspace of [worktree, shared]) {
        const result = await runCheck(check({ command: ['sh', '-c', `cat ${join(elsewhere, 'secret.txt')}`], sandbox: 'bwrap' }), { workspace });
        expect(result.status).toBe('failed');
        expect(result.output).not.toContain('not yours');
      }
    });
  });

  describe('a check that hangs', () => {
    it('leaves nothing running after its timeout, not even a process that left the group with setsid', async () => {
      const marker = uniqueSeconds();
      const result = await runCheck(check({ command: ['sh', '-c', `setsid sleep ${marker} & sleep ${marker}`], timeout_s: 1, sandbox: 'bwrap' }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringMatching(/^timed out/) });
      expect(await eventuallyNoneWith(marker)).toBe(true);
    });

    it('leaves a process that left the group running with `sandbox: none`', async () => {
      const marker = uniqueSeconds();
      await runCheck(check({ command: ['sh', '-c', `setsid sleep ${marker} & sleep ${marker}`], timeout_s: 1, sandbox: 'none' }), { workspace });
      const survivors = processesWith(marker);
      for (const pid of survivors) process.kill(pid, 'SIGKILL');
      expect(survivors.length).toBeGreaterThan(0);
    });
  });
});

describe('a check’s workspace outside /tmp', () => {
  it('runs with its real path bound, so cwd inside it works', async () => {
    const outer = tempDir('converge-sandbox-outer-');
    mkdirSync(join(outer, 'pkg'));
    const result = await runCheck(check({ command: ['pwd'], cwd: 'pkg' }), { workspace: outer });
    expect(result.status).toBe('passed');
    expect(result.output?.trim()).toBe(join(outer, 'pkg'));
  });
});

describe('bwrapArgs', () => {
  const args = (network: boolean) =>
    bwrapArgs({
      file: 'node',
      args: ['check.mjs'],
      cwd: '/ws',
      network,
      unshareUser: false,
      readable: [{ source: '/tmp/bin', target: '/tmp/bin' }],
      writable: [{ source: '/tmp/ws', target: '/tmp/ws' }],
      hidden: ['/tmp/ws/.converge'],
    });

  it('isolates PID, IPC and UTS with a fresh /proc, a private /tmp and a read-only root', () => {
    expect(args(true).join(' ')).toMatch(
      /--unshare-pid --unshare-ipc --unshare-uts --die-with-parent --ro-bind \/ \/ --proc \/proc --dev \/dev --tmpfs \/tmp --ro-bind \/tmp\/bin \/tmp\/bin --bind \/tmp\/ws \/tmp\/ws --tmpfs \/tmp\/ws\/.converge --chdir \/ws -- node check.mjs$/,
    );
  });

  it('cuts the network unless asked for it', () => {
    expect(args(false)).toContain('--unshare-net');
    expect(args(true)).not.toContain('--unshare-net');
  });

  it('never puts the environment on the command line, where the sandbox’s /proc/1/cmdline would show it', () => {
    expect(args(false)).not.toContain('--setenv');
    expect(args(false)).not.toContain('--new-session');
  });
});
