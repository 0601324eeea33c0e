/**
 * Several writers on one SQLite file. In-process, two connections show the fence deterministically;
 * child processes show it under real parallelism, through the file's own locks.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../../src/core/events.js';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { note, summary } from '../store-conformance.case.js';
import { transpileForChildProcess } from './sqlite-store-transpile.js';

const root = mkdtempSync(join(tmpdir(), 'converge-sqlite-concurrency-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const code = (c: string) => ({ name: 'ConvergeError', code: c });

/** Each winning event records the lastSeq its writer had read; a fenced log has it one below its own seq. */
function expectFencedLog(events: WorkflowEvent[], total: number): void {
  expect(events.map((event) => event.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  for (const event of events.slice(1)) {
    expect(event.type === 'phase_transitioned' ? Number(event.to) : NaN).toBe(event.seq - 1);
  }
}

describe('SqliteStore with several writers on one file', () => {
  it('lets exactly one of each pair of connections with the same expectedSeq win', async () => {
    const path = join(root, 'pairs.db');
    const a = await openSqliteStore(path);
    const b = await openSqliteStore(path);
    await a.createWorkflow(summary('wf_1'), note(1));

    for (let round = 0; round < 50; round++) {
      const [seenByA, seenByB] = [await a.getWorkflow('wf_1'), await b.getWorkflow('wf_1')];
      expect(seenByA?.lastSeq).toBe(seenByB?.lastSeq);
      const expected = seenByA?.lastSeq ?? 0;
      const event = { ...note(round), from: 'race', to: String(expected) };
      const writers = round % 2 === 0 ? [a, b] : [b, a];
      const results = await Promise.allSettled(writers.map((store) => store.append('wf_1', expected, [event], summary('wf_1'))));

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const losers = results.filter((result) => result.status === 'rejected');
      expect(losers.map((loser) => loser.reason as unknown)).toMatchObject([code('SEQUENCE_CONFLICT')]);
    }

    expectFencedLog(await b.readEvents('wf_1'), 51);
    await a.close();
    await b.close();
  });

  it('keeps one gapless log when four processes append to one workflow at once', async () => {
    const storeModule = transpileForChildProcess(join(root, 'build'));
    const script = join(root, 'build', 'writer.mjs');
    writeFileSync(script, WRITER_SCRIPT);
    const path = join(root, 'processes.db');
    const store = await openSqliteStore(path);
    await store.createWorkflow(summary('wf_1'), note(1));

    const writers = 4;
    const appendsEach = 100;
    const startAt = String(Date.now() + 1_000);
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        run(process.execPath, [script, storeModule, path, 'wf_1', `writer-${i}`, String(appendsEach), startAt], {
          timeout: 60_000,
        }),
      ),
    );

    const reports = outputs.map(({ stdout }) => JSON.parse(stdout) as { wins: number; conflicts: number });
    expect(reports.map((report) => report.wins)).toEqual(Array(writers).fill(appendsEach));
    // Lost races (SEQUENCE_CONFLICT, then retry) are likely but depend on timing, so they are not asserted.
    expectFencedLog(await store.readEvents('wf_1'), 1 + writers * appendsEach);
    expect((await store.getWorkflow('wf_1'))?.lastSeq).toBe(1 + writers * appendsEach);
    await store.close();
  });
});

/** Reads the last seq, appends one event naming it, and retries on SEQUENCE_CONFLICT until it has its wins. */
const WRITER_SCRIPT = `
const [storeModule, path, workflowId, writer, wanted, startAt] = process.argv.slice(2);
const { openSqliteStore } = await import(storeModule);
const store = await openSqliteStore(path);
while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 5));
let wins = 0, conflicts = 0, busy = 0;
while (wins < Number(wanted)) {
  const current = await store.getWorkflow(workflowId);
  // Widen the gap between read and write, so that writers really do collide.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
  const event = { type: 'phase_transitioned', at: new Date().toISOString(), from: writer, to: String(current.lastSeq), trigger: 'race' };
  try {
    await store.append(workflowId, current.lastSeq, [event], current);
    wins += 1;
  } catch (error) {
    if (error.code === 'SEQUENCE_CONFLICT') conflicts += 1;
    else if (error.code === 'STORE_BUSY') busy += 1;
    else throw error;
  }
}
await store.close();
process.stdout.write(JSON.stringify({ writer, wins, conflicts, busy }));
`;
