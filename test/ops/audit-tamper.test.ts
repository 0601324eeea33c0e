/**
 * `converge audit verify` against someone who can write the SQLite file but cannot read the audit
 * key beside it (issue 13, part 5): re-sealing an edited row with plain SHA-256 or with a key of
 * their own, cutting off the tail, forging or removing the head checkpoint, and relabelling rows
 * as legacy. Every attack fails with exit code 1 and names the row.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRows, cutTail, editAndReseal, hmacWithKey, legacySqliteWithRows, PLAIN_SHA256, PLAIN_SHA256_RELABELLED, rowHashAt, sqliteWithRows } from './audit-fixtures.js';
import type { Resealer } from './audit-fixtures.js';
import { runCli } from './cli-harness.js';

const EDITED = { comment: 'row 3 (edited)', nested: { a: [1, 2], b: 1 } };
const saved = process.env.CONVERGE_AUDIT_KEY;
// These tests are about the key file beside the store; a key in the environment would win over it.
beforeAll(() => void delete process.env.CONVERGE_AUDIT_KEY);
afterAll(() => void (saved === undefined ? undefined : (process.env.CONVERGE_AUDIT_KEY = saved)));

async function verify(path: string, ...flags: string[]) {
  const text = await runCli(['--store', path, 'audit', 'verify', ...flags]);
  const json = await runCli(['--store', path, '--json', 'audit', 'verify', ...flags]);
  return { ...text, json: JSON.parse(json.stdout) as { ok: boolean; rows: number; broken: { seq: number; problem: string; message: string } | null; warnings: string[] } };
}

describe('converge audit verify › an edited row re-sealed', () => {
  it.each<[string, Resealer, string, string]>([
    ['with plain SHA-256, rows still labelled HMAC', PLAIN_SHA256, 'hash_mismatch', 'Audit row 3 was changed after it was written: its HMAC does not match'],
    ['with plain SHA-256, rows relabelled as legacy', PLAIN_SHA256_RELABELLED, 'downgrade', 'Audit row 3 is sealed with plain SHA-256 after HMAC-sealed rows'],
    ['with HMAC under a wrong key', hmacWithKey('an-attacker-key-of-at-least-32-characters'), 'hash_mismatch', 'Audit row 3 was changed after it was written'],
  ])('fails with exit code 1 and names row 3 (%s)', async (_name, resealer, problem, message) => {
    const path = await sqliteWithRows(6);
    editAndReseal(path, 3, EDITED, resealer);
    const result = await verify(path);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.json).toMatchObject({ ok: false, rows: 2, broken: { seq: 3, problem } });
  });

  it('passes when nothing was edited (the attack helpers change only what they are told to)', async () => {
    const path = await sqliteWithRows(6);
    const result = await verify(path);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Audit trail intact: 6 rows, head [0-9a-f]{64}/);
    expect(result.json).toMatchObject({ ok: true, rows: 6, broken: null, warnings: [] });
  });
});

describe('converge audit verify › the head checkpoint', () => {
  it('fails when the last 3 rows were deleted, naming how many are missing', async () => {
    const path = await sqliteWithRows(6);
    cutTail(path, 3);
    const result = await verify(path);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Audit rows 4–6 are missing (3 rows): the head checkpoint says row 6 was written, but the log ends at row 3.');
    expect(result.json).toMatchObject({ ok: false, rows: 3, broken: { seq: 4, problem: 'truncated' } });
  });

  it('fails when the checkpoint was rewritten to match a shorter log', async () => {
    const path = await sqliteWithRows(6);
    cutTail(path, 3);
    writeFileSync(`${path}.audit-head`, JSON.stringify({ seq: 3, hash: rowHashAt(path, 3), mac: 'f'.repeat(64) }));
    const result = await verify(path);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('does not carry a valid MAC');
    expect(result.json.broken).toMatchObject({ problem: 'checkpoint_invalid' });
  });

  it('fails when the checkpoint of an HMAC-sealed log is gone', async () => {
    const path = await sqliteWithRows(4);
    rmSync(`${path}.audit-head`);
    const result = await verify(path);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`The audit head checkpoint (${path}.audit-head) is missing`);
    expect(result.json.broken).toMatchObject({ seq: 5, problem: 'checkpoint_missing' });
  });

  it('records a cut found by the next write in row 4, and passes once that row is accepted', async () => {
    const path = await sqliteWithRows(6);
    cutTail(path, 3);
    await appendRows(path, 1);
    const failed = await verify(path);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('Audit row 4 records that the log was out of step with its head checkpoint when it was written: Audit rows 4–6 are missing (3 rows)');
    expect(failed.stderr).toContain('--accept-reset 4');
    const accepted = await verify(path, '--accept-reset', '4');
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain('warning: Audit row 4 records a checkpoint reset (accepted)');
    expect(accepted.json).toMatchObject({ ok: true, rows: 5 });
  });

  it('writes the checkpoint beside the store with mode 0600', async () => {
    const path = await sqliteWithRows(2);
    expect(statSync(`${path}.audit-head`).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(`${path}.audit-head`, 'utf8'))).toMatchObject({ seq: 2, hash: rowHashAt(path, 2) });
  });
});

describe('converge audit verify › a log begun before the keyed chain', () => {
  it('verifies legacy SHA-256 rows, with a warning while no checkpoint exists', async () => {
    const path = await legacySqliteWithRows(4);
    const result = await verify(path);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Audit trail intact: 4 rows');
    expect(result.stderr).toContain('warning: The audit log has only rows sealed with plain SHA-256');
  });

  it('continues the chain with HMAC rows and verifies both kinds without a warning', async () => {
    const path = await legacySqliteWithRows(4);
    await appendRows(path, 2);
    const result = await verify(path);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.json).toMatchObject({ ok: true, rows: 6, warnings: [] });
  });

  it('fails when an edit re-seals every row from a legacy one on as legacy: the checkpoint row changed', async () => {
    const path = await legacySqliteWithRows(4);
    await appendRows(path, 2);
    editAndReseal(path, 2, { n: 'edited' }, PLAIN_SHA256_RELABELLED);
    const result = await verify(path);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Audit row 6 does not match the head checkpoint');
    expect(result.json.broken).toMatchObject({ seq: 6, problem: 'checkpoint_mismatch' });
  });

  it('fails at the first HMAC row when an edited legacy row is re-sealed without relabelling', async () => {
    const path = await legacySqliteWithRows(4);
    await appendRows(path, 2);
    editAndReseal(path, 2, { n: 'edited' }, PLAIN_SHA256);
    const result = await verify(path);
    expect(result.exitCode).toBe(1);
    expect(result.json.broken).toMatchObject({ seq: 5, problem: 'hash_mismatch' });
  });
});
