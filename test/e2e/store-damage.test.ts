/**
 * A damaged store through the command line (issue 18, part 1): a workflow whose log lost a row or
 * holds a garbage body is quarantined — every command on it fails with STORE_DAMAGED (exit 5)
 * naming the event, `list` shows it as damaged, `store check` finds it — while the other
 * workflows of the store keep running. A file with flipped bytes is refused before any write.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';

/** A second connection to the store's file, as a person with the sqlite3 shell would have. */
function behindTheBack(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

function errorOf(result: CliResult): { code: string; message: string; hint?: string } {
  return (JSON.parse(result.stderr.trim().split('\n').at(-1)!) as { error: { code: string; message: string; hint?: string } }).error;
}

const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a damaged workflow through the command line (#18)', () => {
  it('fails every command on it with STORE_DAMAGED naming the seq, lists it as damaged, and keeps the others running', async () => {
    const dir = copyFixture('crash');
    const cli = (args: string[]) => converge(['--store', 'store.db', ...args], { cwd: dir });
    const start = async () => (await cli(['start', 'Write the value file', '--workspace', 'project', '--auto-approve'])).stdout.trim();
    const damaged = await start();
    expect((await cli(['resume', damaged, '--no-wait'])).exitCode).toBe(0);
    const other = await start();
    const events = (await cli(['--json', 'history', damaged])).stdout.trim().split('\n').length;
    expect(events).toBeGreaterThan(10);
    const seq = Math.floor(events / 2);
    behindTheBack(join(dir, 'store.db'), 'DELETE FROM events WHERE workflow_id = ? AND seq = ?', damaged, seq);

    for (const command of [['show', damaged], ['history', damaged], ['status', damaged], ['resume', damaged, '--no-wait'], ['export', damaged, '--format', 'events']]) {
      const text = await cli(command);
      expect(text.exitCode, `${command.join(' ')}: ${text.stderr}`).toBe(5);
      expect(text.stderr).toContain(`Workflow ${damaged} is damaged at event ${seq}: event ${seq} is missing`);
      expect(text.stderr).not.toMatch(/bug|at .*\.js:\d+/);
      const json = await cli(['--json', ...command]);
      expect(json.exitCode).toBe(5);
      expect(errorOf(json)).toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining(`event ${seq}`), hint: expect.stringContaining('store check') });
    }

    const list = await cli(['--json', 'list']);
    expect(list.exitCode).toBe(0);
    const rows = list.stdout.trim().split('\n').map((line) => JSON.parse(line) as { workflow_id: string; damage?: { seq: number } });
    expect(rows.find((r) => r.workflow_id === damaged)?.damage).toMatchObject({ seq });
    expect(rows.find((r) => r.workflow_id === other)?.damage).toBeUndefined();
    expect((await cli(['list'])).stdout).toMatch(new RegExp(`${damaged}\\s+damaged\\b.*damaged at event ${seq}`));

    // The rest of the store keeps working: the other workflow runs to its end.
    const resumed = await cli(['resume', other, '--no-wait']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(JSON.parse((await cli(['--json', 'status', other])).stdout)).toMatchObject({ status: 'completed' });

    const check = await cli(['store', 'check']);
    expect(check.exitCode).toBe(5);
    expect(check.stdout).toContain(`damaged     ${damaged} at event ${seq}: event ${seq} is missing`);
    const checkJson = await cli(['--json', 'store', 'check']);
    expect(checkJson.exitCode).toBe(5);
    const lines = checkJson.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { workflow_id: damaged, seq, reason: `event ${seq} is missing` },
      expect.objectContaining({ ok: false, database: [], workflows: 2, damaged: 1 }),
    ]);

    // A garbage body in the other workflow: STORE_DAMAGED too, never "a bug".
    behindTheBack(join(dir, 'store.db'), 'UPDATE events SET body = randomblob(60) WHERE workflow_id = ? AND seq = 3', other);
    const garbled = await cli(['--json', 'show', other]);
    expect(garbled.exitCode).toBe(5);
    expect(errorOf(garbled)).toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining(`Workflow ${other} is damaged at event 3`) });
    expect((await cli(['store', 'check'])).stdout).toContain(`damaged     ${other} at event 3:`);
  }, 120_000);

  it('refuses a store file with flipped bytes on open and in store check, writing nothing to it', async () => {
    const dir = copyFixture('crash');
    const cli = (args: string[], store = 'store.db') => converge(['--store', store, ...args], { cwd: dir });
    for (let i = 0; i < 3; i++) expect((await cli(['start', `Write the value file ${i}`, '--workspace', 'project'])).exitCode).toBe(0);
    expect(existsSync(join(dir, 'store.db-wal'))).toBe(false);
    const file = join(dir, 'flipped.db');
    copyFileSync(join(dir, 'store.db'), file);
    // A failing disk: bytes XORed in every page after the first.
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let page = pageSize; page < bytes.length; page += pageSize) {
      for (const offset of [0, 1, 7, 900, 2500]) if (page + offset < bytes.length) bytes[page + offset]! ^= 0xa5;
    }
    writeFileSync(file, bytes);
    const before = hashOf(file);

    for (const command of [['store', 'check'], ['list'], ['start', 'Write into a damaged store', '--workspace', 'project']]) {
      const result = await cli(['--json', ...command], 'flipped.db');
      expect(result.exitCode, `${command.join(' ')}: ${result.stderr}`).toBe(5);
      expect(errorOf(result)).toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining('nothing was written') });
    }
    expect(hashOf(file)).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
  }, 60_000);
});
