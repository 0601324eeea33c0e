/**
 * `--json` is JSON Lines everywhere (issue 15, part 4): every command's stdout parses one object
 * a line, every object about a workflow names it `workflow_id` (never `workflow`, `workflowId` or
 * a bare `id`), errors arrive on stderr as {"error":{code,message,hint}}, and a reader that stops
 * early (`| head`) ends the command without a stack trace.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, converge, copyFixture, spawnConverge } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';

const WORKFLOW_ID = /^wf-[0-9a-f]{10}$/;
const EXTERNAL_CONFIG = `definition: seven-step
profile: typescript
checks:
  - { id: value, command: ["node", "check.mjs"], timeout_s: 30, required: true }
agents:
  default: { provider: external }
`;

type Line = Record<string, unknown>;

function jsonLines(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      let value: unknown;
      try {
        value = JSON.parse(l);
      } catch {
        throw new Error(`not a JSON line: ${l.slice(0, 200)}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not one object a line: ${l.slice(0, 200)}`);
      return value as Line;
    });
}

/** Old names of a workflow's id anywhere in `value`, as paths (`runs[0].workflowId`). */
function oldIdNames(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => oldIdNames(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = path === '' ? k : `${path}.${k}`;
    const old = (k === 'workflow' || k === 'workflowId') && typeof v === 'string' && WORKFLOW_ID.test(v) ? [here] : [];
    return [...old, ...oldIdNames(v, here)];
  });
}

/** Outputs whose objects name a workflow without being about it, and why. */
const NOT_ABOUT_A_WORKFLOW: Record<string, string> = {
  // An audit row's `target` is whatever an action touched (a workflow, a token), in the archived row format.
  'audit export': 'audit rows',
};

/** A top-level object that names a workflow (by any key) and has no `workflow_id`. */
function missingWorkflowId(line: Line): boolean {
  return !('workflow_id' in line) && Object.values(line).some((v) => typeof v === 'string' && WORKFLOW_ID.test(v));
}

/** Starts a long-running command, takes its first stdout line, and stops it with Ctrl-C. */
async function firstLine(args: string[], cwd: string): Promise<CliResult> {
  const child = spawnConverge(args, { cwd });
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output from converge ${args.join(' ')}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGINT');
  const done = await child;
  return { exitCode: done.exitCode ?? -1, stdout, stderr: String(done.stderr) };
}

describe('--json', () => {
  const outputs = new Map<string, CliResult>();
  let dir: string;
  let completed: string;
  let external: string;

  beforeAll(async () => {
    dir = copyFixture('crash');
    writeFileSync(join(dir, 'converge-external.yaml'), EXTERNAL_CONFIG);
    // A plan far larger than a pipe's buffer, so a reader that stops early really closes on a writer.
    const plan = readFileSync(join(dir, 'outputs', 'plan-v2.md'), 'utf8');
    writeFileSync(join(dir, 'big-plan.md'), `${plan}\n## Notes\n${Array.from({ length: 4000 }, (_, i) => `- Note ${i}: the value file keeps its exact text.`).join('\n')}\n`);
    const cli = (name: string, args: string[], options: { cwd?: string; config?: string } = {}) => async () => {
      const result = await converge(['--store', 'store.db', '--config', options.config ?? 'converge.yaml', '--json', ...args], { cwd: options.cwd ?? dir });
      outputs.set(name, result);
      return result;
    };
    const idOf = (result: CliResult) => String(jsonLines(result.stdout).at(-1)!.workflow_id);

    completed = idOf(await cli('run', ['run', 'Write the value file', '--workspace', 'project', '--auto-approve'])());
    for (const [name, args] of [
      ['status', ['status', completed]],
      ['list', ['list']],
      ['show', ['show', completed]],
      ['next', ['next', completed]],
      ['report', ['report', completed]],
      ['report --raw', ['report', completed, '--raw']],
      ['diff', ['diff', completed]],
      ['history', ['history', completed]],
      ['export', ['export', completed]],
      ['export --format events', ['export', completed, '--format', 'events']],
      ['resume', ['resume', completed]],
    ] as const) await cli(name, [...args])();

    const fork = idOf(await cli('fork', ['fork', completed, '--from-step', '4'])());
    await cli('pause', ['pause', fork])();
    await cli('unpause', ['unpause', fork])();
    await cli('cancel', ['cancel', fork, '--reason', 'not needed'])();

    const gates = { config: 'converge-gates.yaml' };
    const gated = idOf(await cli('start', ['start', 'Write the value file', '--workspace', 'project'], gates)());
    await cli('resume --no-wait', ['resume', gated, '--no-wait'], gates)();
    await cli('request-changes', ['request-changes', gated, '--change', 'Name the check script in the plan'], gates)();
    await cli('resume (again)', ['resume', gated, '--no-wait'], gates)();
    await cli('approve', ['approve', gated, '--comment', 'looks right'], gates)();
    await cli('resume (to the final gate)', ['resume', gated, '--no-wait'], gates)();
    await cli('reject', ['reject', gated, '--comment', 'not now'], gates)();

    const ext = { config: 'converge-external.yaml' };
    external = idOf(await cli('start (external)', ['start', 'Write the value file', '--workspace', 'project'], ext)());
    await cli('resume (external)', ['resume', external, '--no-wait'], ext)();
    await cli('next (external)', ['next', external], ext)();
    await cli('submit --dry-run', ['submit', external, '--step', '1', '--file', 'big-plan.md', '--dry-run'], ext)();
    await cli('submit', ['submit', external, '--step', '1', '--file', 'big-plan.md'], ext)();

    writeFileSync(join(dir, 'state.json'), JSON.stringify({ input: { validation_scores: { alignment_score: 9.2, standardization_score: 8.5, compatibility_score: 8.8 } } }));
    for (const [name, args] of [
      ['decide', ['decide', 'state.json']],
      ['schema', ['schema', '--kind', 'config']],
      ['parse', ['parse', 'outputs/plan-review-1.md', '--as', 'report']],
      ['checks list', ['checks', 'list']],
      ['checks run', ['checks', 'run', '--workspace', 'project']],
      ['kb index', ['kb', 'index', '--workspace', '.', '--doc', 'outputs/*.md']],
      ['kb search', ['kb', 'search', 'value file', '--workspace', '.', '--doc', 'outputs/*.md']],
      ['migrate', ['migrate']],
      ['store copy', ['store', 'copy', '--from', 'store.db', '--to', 'copy.db']],
      ['token create', ['token', 'create', '--role', 'viewer', '--name', 'ci']],
      ['token list', ['token', 'list']],
      ['audit verify', ['audit', 'verify']],
      ['audit export', ['audit', 'export']],
      ['doctor', ['doctor']],
    ] as const) await cli(name, [...args])();
    await cli('token revoke', ['token', 'revoke', String(jsonLines(outputs.get('token create')!.stdout)[0]!.id)])();

    await cli('start (for the worker)', ['--store', 'worker.db', 'start', 'Write the value file', '--workspace', 'project'], gates)();
    await cli('worker', ['--store', 'worker.db', 'worker', '--once'], gates)();
    // Its own git repository, so the project found is this folder whatever lies above it.
    const fresh = mkdtempSync(join(tmpdir(), 'converge-init-'));
    execFileSync('git', ['init', '-q'], { cwd: fresh });
    outputs.set('init', await converge(['--json', 'init'], { cwd: fresh }));
    await cli('demo', ['--store', 'demo.db', 'demo'])();
    outputs.set('serve', await firstLine(['--store', 'store.db', '--json', 'serve', '--port', '0'], dir));
    outputs.set('serve-mcp', await firstLine(['--store', 'store.db', '--json', 'serve-mcp', '--port', '0', '--no-auth'], dir));
  }, 300_000);

  it('runs every command it means to', () => {
    // `mcp` speaks the MCP protocol on stdout (JSON-RPC lines); tests/interfaces/mcp cover it.
    expect(outputs.size).toBeGreaterThanOrEqual(48);
  });

  it.each([
    'run', 'status', 'list', 'show', 'next', 'report', 'report --raw', 'diff', 'history', 'export', 'export --format events', 'resume',
    'fork', 'pause', 'unpause', 'cancel', 'start', 'resume --no-wait', 'request-changes', 'resume (again)', 'approve', 'resume (to the final gate)', 'reject',
    'start (external)', 'resume (external)', 'next (external)', 'submit --dry-run', 'submit',
    'decide', 'schema', 'parse', 'checks list', 'checks run', 'kb index', 'kb search', 'migrate', 'store copy',
    'token create', 'token list', 'token revoke', 'audit verify', 'audit export', 'doctor', 'worker', 'init', 'demo', 'serve', 'serve-mcp',
  ])('%s prints one JSON object a line, naming each workflow workflow_id', (name) => {
    const result = outputs.get(name)!;
    expect(result, `${name} did not run`).toBeDefined();
    expect(result.stderr, name).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const lines = jsonLines(result.stdout);
    expect(lines.length, `${name} printed nothing`).toBeGreaterThan(0);
    for (const line of lines) {
      expect(oldIdNames(line), `${name}: ${JSON.stringify(line).slice(0, 200)}`).toEqual([]);
      if (NOT_ABOUT_A_WORKFLOW[name] === undefined) expect(missingWorkflowId(line), `${name}: ${JSON.stringify(line).slice(0, 200)}`).toBe(false);
    }
  });

  it('names the workflow in the answers that are about one', () => {
    for (const name of ['status', 'show', 'next', 'report', 'diff', 'fork', 'cancel', 'start', 'approve', 'reject', 'submit', 'resume']) {
      expect(jsonLines(outputs.get(name)!.stdout).at(-1)!.workflow_id, name).toMatch(WORKFLOW_ID);
    }
    expect(jsonLines(outputs.get('history')!.stdout).every((l) => l.workflow_id === completed)).toBe(true);
    expect(jsonLines(outputs.get('list')!.stdout).map((l) => l.workflow_id)).toContain(completed);
  });

  it('shows the running check and its result while a step runs', () => {
    const progress = jsonLines(outputs.get('run')!.stdout).filter((l) => l.type === 'progress');
    expect(progress).toContainEqual(expect.objectContaining({ workflow_id: completed, kind: 'check_started', check: 'value', step: 5 }));
    expect(progress).toContainEqual(expect.objectContaining({ kind: 'check_finished', check: 'value', status: expect.any(String), duration_ms: expect.any(Number) }));
  });

  it('prints an error on stderr as one JSON object with code, message and hint', async () => {
    const wrong = await converge(['--store', 'store.db', '--json', 'answer', external, '--accept'], { cwd: dir });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stdout).toBe('');
    const [error] = jsonLines(wrong.stderr);
    expect(error).toEqual({ error: { code: 'NOT_WAITING', message: expect.stringContaining(external), hint: expect.any(String) } });

    const usage = await converge(['--json', 'run'], { cwd: dir });
    expect(usage.exitCode).toBe(2);
    expect(jsonLines(usage.stderr)).toEqual([{ error: { code: 'USAGE', message: "Missing required argument 'requirements'.", hint: 'Run `converge run --help` for its arguments and options.' } }]);
  });
});

describe('a reader that stops early', () => {
  let dir: string;
  let id: string;

  beforeAll(async () => {
    dir = copyFixture('crash');
    writeFileSync(join(dir, 'converge-external.yaml'), EXTERNAL_CONFIG);
    const plan = readFileSync(join(dir, 'outputs', 'plan-v2.md'), 'utf8');
    // Larger than a pipe's buffer: the writer is still writing when the reader has gone.
    writeFileSync(join(dir, 'big-plan.md'), `${plan}\n## Notes\n${Array.from({ length: 8000 }, (_, i) => `- Note ${i}: the value file keeps its exact text.`).join('\n')}\n`);
    const cli = (args: string[]) => converge(['--store', 'store.db', '--config', 'converge-external.yaml', ...args], { cwd: dir });
    id = (await cli(['start', 'Write the value file', '--workspace', 'project'])).stdout.trim();
    await cli(['resume', id, '--no-wait']);
    const submitted = await cli(['submit', id, '--step', '1', '--file', 'big-plan.md']);
    expect(submitted.exitCode, submitted.stderr).toBe(0);
    mkdirSync(join(dir, 'empty'));
  }, 120_000);

  /** Runs `converge ARGS | READER` in a shell; pipefail, so converge's own exit status counts. */
  function pipe(args: string, reader: string): { status: number; stdout: string; stderr: string } {
    try {
      const stdout = execFileSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(BIN)} --store store.db ${args} | ${reader}`], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { status: 0, stdout, stderr: '' };
    } catch (error) {
      const e = error as { status: number; stdout: string; stderr: string };
      return { status: e.status, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('ends `converge history ID --json | head -c 10` quietly', () => {
    const result = pipe(`history ${id} --json`, 'head -c 10');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`{"workflow`);
  });

  it('ends `converge export ID --format events | head -n 1` quietly', () => {
    const result = pipe(`export ${id} --format events`, 'head -n 1');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ type: 'workflow_started' });
  });
});
