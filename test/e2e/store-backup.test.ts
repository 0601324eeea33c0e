/**
 * Backups (issue 18, part 2): `converge store backup FILE` taken while a workflow runs, then
 * `converge store restore FILE` and `converge resume`: the workflow completes with the same events
 * as a run without the backup. A restore checks the backup first and keeps what it replaces.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../src/core/events.js';
import { openStore } from '../../src/store/index.js';
import { converge, copyFixture, spawnConverge } from './helpers/cli.js';

/** The log without what differs between runs: times, paths, agents' ids, check durations and output. */
function normalise(events: WorkflowEvent[]): string[] {
  return events.map((event) => {
    const copy = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
    for (const key of ['at', 'notBefore', 'timeoutAt']) delete copy[key];
    if (copy.type === 'workflow_started') copy.workspace = '<workspace>';
    if (copy.type === 'step_started' || (copy.type === 'step_scheduled' && copy.agent !== undefined)) copy.agent = '<agent>';
    const stripTiming = (results: Array<Record<string, unknown>>) => results.map(({ durationMs: _d, output: _o, ...rest }) => rest);
    if (copy.type === 'checks_recorded') copy.results = stripTiming(copy.results as Array<Record<string, unknown>>);
    if (copy.type === 'validation_recorded') {
      const report = copy.report as Record<string, unknown>;
      report.toolResults = stripTiming(report.toolResults as Array<Record<string, unknown>>);
    }
    return JSON.stringify(copy).replace(/wf-[0-9a-f]+/g, '<wf>');
  });
}

async function readLog(file: string, id: string): Promise<WorkflowEvent[]> {
  const store = await openStore(file);
  try {
    return await store.readEvents(id);
  } finally {
    await store.close();
  }
}

/**
 * The crash fixture, with the programmer's first answer taking 8 s: long enough to take a backup
 * while the workflow runs, on a busy machine too.
 */
async function startFixture(): Promise<{ dir: string; id: string; cli: (args: string[]) => ReturnType<typeof converge> }> {
  const dir = copyFixture('crash');
  const session = readFileSync(join(dir, 'session.yaml'), 'utf8');
  writeFileSync(join(dir, 'session-slow.yaml'), session.replace('{ file: outputs/code-v1.md, delay_ms: 60 }', '{ file: outputs/code-v1.md, delay_ms: 8000 }'));
  writeFileSync(join(dir, 'converge-slow.yaml'), readFileSync(join(dir, 'converge.yaml'), 'utf8').replace('session.yaml', 'session-slow.yaml'));
  const cli = (args: string[]) => converge(['--store', 'store.db', '--config', 'converge-slow.yaml', ...args], { cwd: dir });
  const started = await cli(['start', 'Write the value file', '--workspace', 'project', '--auto-approve']);
  expect(started.exitCode, started.stderr).toBe(0);
  return { dir, id: started.stdout.trim(), cli };
}

describe('store backup and restore (#18)', () => {
  it('backs up while a workflow runs; restored and resumed, it completes with the same events as without the backup', async () => {
    const plain = await startFixture();
    expect((await plain.cli(['resume', plain.id, '--no-wait'])).exitCode).toBe(0);
    const baseline = normalise(await readLog(join(plain.dir, 'store.db'), plain.id));
    expect(JSON.parse(baseline.at(-1)!)).toMatchObject({ type: 'workflow_completed' });

    const { dir, id, cli } = await startFixture();
    const running = spawnConverge(['--store', 'store.db', '--config', 'converge-slow.yaml', 'resume', id, '--no-wait'], { cwd: dir });
    // Part-way: the plan done, the programmer at work, the run still going.
    const programming = () => existsSync(join(dir, 'trace.log')) && readFileSync(join(dir, 'trace.log'), 'utf8').includes('programmer #0 start');
    for (let i = 0; i < 600 && !programming(); i++) await sleep(50);
    expect(programming()).toBe(true);
    const backup = await cli(['--json', 'store', 'backup', 'backup.db']);
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ file: join(dir, 'backup.db'), workflows: 1 });
    expect((await running).exitCode).toBe(0);
    const atBackup = await readLog(join(dir, 'backup.db'), id);
    const whole = await readLog(join(dir, 'store.db'), id);
    expect(atBackup.length).toBeGreaterThanOrEqual(6);
    expect(atBackup.length).toBeLessThan(whole.length);

    // The store has a workflow: restoring over it needs --force, and keeps it beside.
    const refused = await cli(['store', 'restore', 'backup.db']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/has 1 workflow, and restoring replaces them[\s\S]*--force/);
    const restored = await cli(['store', 'restore', 'backup.db', '--force']);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`1 workflow, ${atBackup.length} events, each log checked whole`);
    const kept = readdirSync(dir).find((f) => f.startsWith('store.db.before-restore-') && !f.endsWith('-wal') && !f.endsWith('-shm'));
    expect(kept).toBeDefined();
    expect(restored.stdout).toContain(kept!);
    expect((await readLog(join(dir, kept!), id)).length).toBe(whole.length);
    expect((await readLog(join(dir, 'store.db'), id)).length).toBe(atBackup.length);

    const resumed = await cli(['resume', id, '--no-wait']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const after = await readLog(join(dir, 'store.db'), id);
    expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => i + 1));
    expect(normalise(after)).toEqual(baseline);
  }, 180_000);

  it('refuses a damaged backup and changes nothing; restores into a store that is not there yet', async () => {
    const { dir, cli } = await startFixture();
    expect((await cli(['store', 'backup', 'backup.db'])).exitCode).toBe(0);
    const again = await cli(['store', 'backup', 'backup.db']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('--force');

    writeFileSync(join(dir, 'garbage.db'), 'not a backup at all, only text that is long enough to be read as a header');
    const bad = await cli(['--json', 'store', 'restore', 'garbage.db', '--force']);
    expect(bad.exitCode).toBe(5);
    expect(bad.stderr).toContain('nothing was restored');
    expect((await cli(['--json', 'list'])).stdout.trim().split('\n')).toHaveLength(1);

    const fresh = await converge(['--store', 'elsewhere/new.db', 'store', 'restore', 'backup.db'], { cwd: dir });
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('There was no store there before.');
    expect(existsSync(join(dir, 'elsewhere', 'new.db'))).toBe(true);
    expect((await converge(['--store', 'elsewhere/new.db', 'store', 'check'], { cwd: dir })).exitCode).toBe(0);
  }, 60_000);

  it('explains pg_dump for a PostgreSQL store without connecting to it', async () => {
    const dir = copyFixture('crash');
    const result = await converge(['--store', 'postgres://converge:secret@db.invalid:5432/converge', 'store', 'backup', 'converge.dump'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('pg_dump --format=custom --schema=converge');
    expect(result.stderr).toContain('pg_restore');
    expect(result.stderr).not.toContain('secret');
  });
});
