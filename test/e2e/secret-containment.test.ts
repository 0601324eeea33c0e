/**
 * Secrets stay out of reach and out of the record (#13). `converge serve` holds a provider key in
 * its environment and drives a workflow whose Programmer (a real `command` agent) and whose check
 * (running the script that Programmer wrote) both print every environment they can reach through
 * /proc. Read over HTTP as a viewer — the workflow, its events, its seed state, its artifacts — and
 * through `report` and `export`, nothing holds the key.
 *
 * Under bwrap neither process can reach the key at all: their output carries no `[redacted]`.
 * With `sandbox: none` both can, and the record still holds no key: the store's redaction turned
 * each occurrence into `[redacted]`. That difference is what the two cases document.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { BWRAP_WORKS } from '../sandbox/sandbox-test-kit.js';
import { converge, ROOT, spawnConverge } from './helpers/cli.js';

const KEY = `sk-ant-api03-${randomBytes(24).toString('hex')}`;
const FIXTURE = join(ROOT, 'test', 'fixtures', 'secrets');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(sandbox: 'bwrap' | 'none'): string {
  const dir = mkdtempSync(join(tmpdir(), `converge-secrets-${sandbox}-`));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  const config = {
    sandbox,
    checks: [{ id: 'walk', command: ['node', 'walk.mjs'], timeout_s: 60, max_output_bytes: 64 * 1024 * 1024 }],
    agents: {
      default: { provider: 'scripted', session: 'session.yaml' },
      programmer: { provider: 'command', command: [process.execPath, join(FIXTURE, 'agent-walk.mjs'), join(ROOT, 'test', 'fixtures', 'sandbox', 'proc-walk.mjs')], prompt_via: 'stdin', timeout_s: 120 },
    },
  };
  writeFileSync(join(dir, 'converge.yaml'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

interface Observed {
  record: string;
  checkOutput: string;
  agentOutput: string;
}

async function runUnderServe(dir: string): Promise<Observed> {
  const cli = (args: string[]) => converge(['--store', 'store.db', ...args], { cwd: dir });
  const viewer = JSON.parse((await cli(['--json', 'token', 'create', '--role', 'viewer', '--name', 'watcher'])).stdout) as { token: string };
  const id = (await cli(['start', 'Report what the process can see', '--workspace', 'project', '--auto-approve'])).stdout.trim();
  expect(id).toMatch(/^wf-/);

  // The server, not the CLI, holds the key: it runs the worker that runs the agent and the check.
  const server = spawnConverge(['--store', 'store.db', '--json', 'serve', '--port', '0'], { cwd: dir, env: { ANTHROPIC_API_KEY: KEY } });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
      });
      void server.then((r) => reject(new Error(`serve exited: ${String(r.stderr)}`)));
    });
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${viewer.token}` } });
      expect(res.status, path).toBe(200);
      return res.text();
    };
    let status = '';
    for (let i = 0; i < 600 && status !== 'completed'; i++) {
      status = (JSON.parse(await get(`/api/workflows/${id}`)) as { status: string }).status;
      if (status === 'failed' || status === 'waiting_for_human') break;
      await sleep(100);
    }
    expect(status).toBe('completed');

    const events = await get(`/api/workflows/${id}/events?limit=1000`);
    const pages = [
      await get(`/api/workflows/${id}`),
      events,
      await get(`/api/workflows/${id}/seed-state`),
      await get(`/api/workflows/${id}/artifacts`),
      await get(`/api/workflows/${id}/diffs`),
      await get(`/api/workflows`),
      await get(`/api/approvals`),
    ];
    const cliViews = [(await cli(['report', id])).stdout, (await cli(['export', id, '--format', 'events'])).stdout, (await cli(['show', id])).stdout];
    const items = (JSON.parse(events) as { items: Array<{ type: string; results?: Array<{ output?: string }>; output?: { artifact: string; content: string } }> }).items;
    const checkOutput = items.find((e) => e.type === 'checks_recorded')?.results?.[0]?.output ?? '';
    const agentOutput = items.find((e) => e.type === 'step_output_recorded' && e.output?.artifact === 'code')?.output?.content ?? '';
    return { record: [...pages, ...cliViews].join('\n'), checkOutput, agentOutput };
  } finally {
    server.kill('SIGTERM');
    await server.catch(() => undefined);
  }
}

describe('a provider key in the environment of converge serve', () => {
  it.skipIf(!BWRAP_WORKS)('is out of reach of a hostile Programmer and of the check running its code under bwrap, and out of the record', async () => {
    const seen = await runUnderServe(project('bwrap'));
    expect(seen.record.includes(KEY), 'the key is in the record').toBe(false);
    expect(seen.agentOutput).toContain('== walk done');
    expect(seen.checkOutput).toContain('== walk done');
    // Not redacted but never reached: the sandbox, not the redaction, kept it out.
    expect(seen.agentOutput).not.toContain('[redacted]');
    expect(seen.checkOutput).not.toContain('[redacted]');
  }, 180_000);

  it('is reached without a sandbox, and the store redacts every occurrence before it is written', async () => {
    const seen = await runUnderServe(project('none'));
    expect(seen.record.includes(KEY), 'the key is in the record').toBe(false);
    expect(seen.agentOutput).toContain('[redacted]');
    expect(seen.checkOutput).toContain('[redacted]');
  }, 180_000);
});
