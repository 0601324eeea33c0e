/**
 * Bad input gets one clear line saying what is wrong and how to fix it, a meaningful exit code,
 * never a stack trace — and nothing already recorded is lost.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';

function expectCleanError(result: CliResult, exitCode: number, pattern: RegExp): void {
  expect(result.exitCode, result.stderr).toBe(exitCode);
  expect(result.stderr).toMatch(/^converge: /);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('bad input', () => {
  let dir: string;
  let id: string;
  let eventsBefore: string;

  beforeAll(async () => {
    dir = copyFixture('crash');
    id = (await converge(['--store', 'store.db', 'start', 'Write the value file', '--workspace', 'project'], { cwd: dir })).stdout.trim();
    eventsBefore = (await converge(['--store', 'store.db', 'export', id, '--format', 'events'], { cwd: dir })).stdout;
  });

  async function nothingLost(): Promise<void> {
    const now = await converge(['--store', 'store.db', 'export', id, '--format', 'events'], { cwd: dir });
    expect(now.stdout).toBe(eventsBefore);
  }

  it('names an unknown workflow id', async () => {
    expectCleanError(await converge(['--store', 'store.db', 'status', 'wf-doesnotexist'], { cwd: dir }), 2, /wf-doesnotexist/);
    await nothingLost();
  });

  it('refuses to approve a workflow that is not waiting for an approval', async () => {
    expectCleanError(await converge(['--store', 'store.db', 'approve', id], { cwd: dir }), 2, /not waiting for an approval/);
    await nothingLost();
  });

  it('lists every problem of a definition by its path', async () => {
    writeFileSync(
      join(dir, 'bad-definition.yaml'),
      'id: broken\nphases: [{ id: p1 }]\nstart: plan\nsteps:\n  - { id: plan, number: 1, phase: p1, role: planner, kind: produce, artifact: plan, templates: [a.md], next: valdate }\n  - { id: check, number: two, phase: p9, role: planner, kind: produce, artifact: plan, templates: [a.md], next: complete }\n',
    );
    const result = await converge(['--store', 'store.db', 'run', 'x', '--definition', 'bad-definition.yaml', '--workspace', 'project', '--no-wait'], { cwd: dir });
    expectCleanError(result, 2, /steps\[1\]\.number/);
    const fixed = 'id: broken\nphases: [{ id: p1 }]\nstart: plan\nsteps:\n  - { id: plan, number: 1, phase: p1, role: planner, kind: produce, artifact: plan, templates: [a.md], next: valdate }\n  - { id: check, number: 2, phase: p9, role: planner, kind: produce, artifact: plan, templates: [a.md], next: complete }\n';
    writeFileSync(join(dir, 'bad-definition.yaml'), fixed);
    const second = await converge(['--store', 'store.db', 'run', 'x', '--definition', 'bad-definition.yaml', '--workspace', 'project', '--no-wait'], { cwd: dir });
    expectCleanError(second, 2, /steps\[0\]\.next: unknown step "valdate"/);
    expect(second.stderr).toMatch(/steps\[1\]\.phase: unknown phase "p9"/);
    await nothingLost();
  });

  it('names the bad field of a scripted session file', async () => {
    writeFileSync(join(dir, 'bad-session.yaml'), 'planner:\n  - { text: "a plan", file: "also.md" }\nreviewer: []\n');
    writeFileSync(join(dir, 'bad-agents.yaml'), 'default: { provider: scripted, session: bad-session.yaml }\n');
    const result = await converge(['--store', 'store.db', 'run', 'x', '--agents', 'bad-agents.yaml', '--workspace', 'project', '--no-wait'], { cwd: dir });
    expectCleanError(result, 2, /bad-session\.yaml has 2 problems/);
    expect(result.stderr).toMatch(/planner\[0\]: give exactly one of text, file, json or fail/);
    await nothingLost();
  });

  it('reports a workspace that is not a directory', async () => {
    writeFileSync(join(dir, 'a-file.txt'), 'not a directory');
    const result = await converge(['--store', 'store.db', 'run', 'x', '--workspace', 'a-file.txt', '--no-wait'], { cwd: dir });
    expectCleanError(result, 2, /is not a directory/);
    await nothingLost();
  });

  it('reports an unreadable store', async () => {
    writeFileSync(join(dir, 'not-a-db.db'), 'this is not a database file, just text that is long enough to be read as a header');
    // Not a database, or one whose header is damaged: SQLite cannot tell, so it is STORE_DAMAGED (exit 5).
    expectCleanError(await converge(['--store', 'not-a-db.db', 'list'], { cwd: dir }), 5, /not-a-db\.db/);
    // A reading command does not create a store; migrate does, and cannot under a file.
    expectCleanError(await converge(['--store', 'a-file.txt/inner.db', 'list'], { cwd: dir }), 2, /There is no store at .*a-file\.txt/);
    expectCleanError(await converge(['--store', 'a-file.txt/inner.db', 'migrate'], { cwd: dir }), 1, /a-file\.txt/);
    await nothingLost();
  });

  it('reports a store written by a newer Converge', async () => {
    const newer = copyFixture('crash');
    await converge(['--store', 'store.db', 'migrate'], { cwd: newer });
    const db = new Database(join(newer, 'store.db'));
    db.prepare("UPDATE settings SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expectCleanError(await converge(['--store', 'store.db', 'list'], { cwd: newer }), 1, /newer Converge/);
  });

  it('reports a store locked by another process', async () => {
    const locked = copyFixture('crash');
    await converge(['--store', 'store.db', 'start', 'x', '--workspace', 'project'], { cwd: locked });
    const db = new Database(join(locked, 'store.db'));
    db.exec('BEGIN EXCLUSIVE');
    try {
      const result = await converge(['--store', 'store.db', 'start', 'y', '--workspace', 'project'], { cwd: locked, env: { CONVERGE_BUSY_TIMEOUT_MS: '300' } });
      expectCleanError(result, 1, /busy|locked/i);
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    const list = await converge(['--store', 'store.db', 'list'], { cwd: locked });
    expect(list.stdout.split('\n').filter((l) => l.startsWith('wf-'))).toHaveLength(1);
  });

  it('rejects an unknown command with a suggestion and exit code 2', async () => {
    const result = await converge(['aprove', id], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/approve/);
  });
});

