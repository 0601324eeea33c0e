/**
 * The audit key: a 0600 file beside the store made on the first write, or CONVERGE_AUDIT_KEY. A
 * key file others can read is refused with a hint; a missing key is never silently replaced.
 */
import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudit } from '../../src/ops/audit/index.js';
import { openOpsStore } from '../../src/ops/open-ops-store.js';
import { SqliteOpsStore } from '../../src/ops/sqlite/sqlite-ops-store.js';
import { freshDbPath, sqliteWithRows } from './audit-fixtures.js';
import { runCli } from './cli-harness.js';

const ENV_KEY = 'an-audit-key-from-the-environment-0123456789';
const keyFileOf = (path: string) => join(dirname(path), 'audit.key');
const saved = process.env.CONVERGE_AUDIT_KEY;
beforeAll(() => void delete process.env.CONVERGE_AUDIT_KEY);
afterAll(() => void (saved === undefined ? undefined : (process.env.CONVERGE_AUDIT_KEY = saved)));

describe('audit key › key file', () => {
  it('is created on the first write beside the store: 32 random bytes as hex, mode 0600', async () => {
    const path = await sqliteWithRows(3);
    const file = keyFileOf(path);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const result = await runCli(['--store', path, 'audit', 'verify']);
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it('is not created by opening the store or by verify', async () => {
    const path = freshDbPath();
    const ops = await openOpsStore({ location: path });
    await expect(createAudit(ops.auditLog).verify()).resolves.toMatchObject({ ok: true, rows: 0 });
    await ops.close();
    expect(existsSync(keyFileOf(path))).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('is refused with a chmod 600 hint when other users may read it (mode 0644; Windows has no such bits)', async () => {
    const path = await sqliteWithRows(2);
    chmodSync(keyFileOf(path), 0o644);
    await expect(openOpsStore({ location: path })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `The audit key file ${keyFileOf(path)} can be read by other users (mode 0644): anyone who reads it can re-seal an edited audit log.`,
      hint: `Run \`chmod 600 ${keyFileOf(path)}\`, or keep the key in CONVERGE_AUDIT_KEY instead.`,
    });
    const ops = new SqliteOpsStore(path);
    await expect(createAudit(ops.auditLog).record({ actor: 'alice', action: 'workflow.start' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await ops.close();
    const cli = await runCli(['--store', path, 'audit', 'verify']);
    expect(cli.exitCode).toBe(2);
    expect(cli.stderr).toContain('can be read by other users (mode 0644)');
    chmodSync(keyFileOf(path), 0o600);
    expect((await runCli(['--store', path, 'audit', 'verify'])).exitCode).toBe(0);
  });

  it('is never replaced by a new key once HMAC rows exist: verify and the next write both say it is missing', async () => {
    const path = await sqliteWithRows(2);
    rmSync(keyFileOf(path));
    const cli = await runCli(['--store', path, 'audit', 'verify']);
    expect(cli.exitCode).toBe(2);
    expect(cli.stderr).toContain('Audit row 1 is sealed with HMAC, but the audit key is missing');
    const ops = new SqliteOpsStore(path);
    await expect(createAudit(ops.auditLog).record({ actor: 'alice', action: 'workflow.start' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      hint: expect.stringContaining(`Restore ${keyFileOf(path)} from the backup made with the store`),
    });
    await ops.close();
    expect(existsSync(keyFileOf(path))).toBe(false);
  });
});

describe('audit key › CONVERGE_AUDIT_KEY', () => {
  it('is used instead of a file, and the same text as a file key gives the same key', async () => {
    const path = await sqliteWithRows(3, { CONVERGE_AUDIT_KEY: ENV_KEY });
    expect(existsSync(keyFileOf(path))).toBe(false);
    const ops = new SqliteOpsStore(path, 5000, { env: { CONVERGE_AUDIT_KEY: ` ${ENV_KEY}\n` } });
    await expect(createAudit(ops.auditLog).verify()).resolves.toMatchObject({ ok: true, rows: 3 });
    await ops.close();
  });

  it('fails verify at row 1 with another key, and refuses to write under it', async () => {
    const path = await sqliteWithRows(3, { CONVERGE_AUDIT_KEY: ENV_KEY });
    const ops = new SqliteOpsStore(path, 5000, { env: { CONVERGE_AUDIT_KEY: 'some-other-key-that-is-long-enough-000' } });
    const audit = createAudit(ops.auditLog);
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, rows: 0, broken: { seq: 1, problem: 'hash_mismatch' } });
    await expect(audit.record({ actor: 'alice', action: 'workflow.start' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('does not verify the last audit row 3'),
    });
    await ops.close();
  });

  it('is refused when shorter than 32 characters', async () => {
    const ops = new SqliteOpsStore(freshDbPath(), 5000, { env: { CONVERGE_AUDIT_KEY: 'short' } });
    await expect(createAudit(ops.auditLog).record({ actor: 'alice', action: 'workflow.start' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'The audit key in CONVERGE_AUDIT_KEY is too short (5 characters; at least 32 are needed).',
    });
    await ops.close();
  });
});
