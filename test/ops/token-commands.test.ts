/**
 * converge token create | list | revoke, and serve's refusals, against a SQLite store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAudit } from '../../src/ops/audit/index.js';
import { createAuth } from '../../src/ops/auth/index.js';
import { SqliteOpsStore } from '../../src/ops/sqlite/sqlite-ops-store.js';
import { parseDuration } from '../../src/interfaces/cli/commands/serve-commands.js';
import { runCli } from './cli-harness.js';

function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'converge-tokens-')), 'converge.db');
}

describe('converge token', () => {
  it('creates a token, prints its secret once and records the creation in the audit trail', async () => {
    const path = storePath();
    const created = await runCli(['--store', path, 'token', 'create', '--role', 'approver', '--name', 'alice']);
    expect(created.exitCode, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^cv_/);
    expect(created.stderr).toContain('shown only now');
    const ops = new SqliteOpsStore(path);
    await expect(createAuth({ tokens: ops.tokens }).authenticate(secret)).resolves.toMatchObject({ name: 'alice', role: 'approver' });
    const rows = await createAudit(ops.auditLog).read();
    expect(rows).toMatchObject([{ action: 'token.create', details: { name: 'alice', role: 'approver', via: 'cli' } }]);
    await ops.close();
  });

  it('lists tokens without their secrets and revokes one by id', async () => {
    const path = storePath();
    const created = JSON.parse((await runCli(['--store', path, '--json', 'token', 'create', '--role', 'viewer', '--name', 'dash', '--expires-in', '30d'])).stdout);
    expect(created.expires_at).not.toBeNull();
    const list = await runCli(['--store', path, 'token', 'list']);
    expect(list.stdout).toContain(created.id);
    expect(list.stdout).toContain('active');
    expect(list.stdout).not.toContain(created.token);
    const revoked = await runCli(['--store', path, 'token', 'revoke', created.id]);
    expect(revoked.exitCode, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${created.id}`);
    expect((await runCli(['--store', path, 'token', 'list'])).stdout).toContain('revoked');
    const verify = await runCli(['--store', path, 'audit', 'verify']);
    expect(verify.stdout).toContain('2 rows');
  });

  it('refuses an unknown role with exit code 2', async () => {
    const result = await runCli(['--store', storePath(), 'token', 'create', '--role', 'root']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown role "root"');
  });

  it('refuses to revoke an unknown id', async () => {
    const path = storePath();
    await runCli(['--store', path, 'token', 'create', '--role', 'viewer']);
    const result = await runCli(['--store', path, 'token', 'revoke', 'tok_nope']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('There is no token tok_nope');
  });
});

describe('converge serve › refusals', () => {
  it('refuses --no-auth on a non-loopback host', async () => {
    const result = await runCli(['--store', storePath(), 'serve', '--host', '0.0.0.0', '--no-auth']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--no-auth is refused on 0.0.0.0');
  });

  it('refuses a port that is not a number', async () => {
    const result = await runCli(['--store', storePath(), 'serve', '--port', 'http']);
    expect(result.exitCode).toBe(2);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['45s', 45_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses other shapes', () => {
    expect(() => parseDuration('1w')).toThrow(/30d, 12h/);
  });
});

describe('auditFromCli', () => {
  it('appends a row marked via cli to the trail beside the store', async () => {
    const { auditFromCli } = await import('../../src/interfaces/cli/commands/serve-commands.js');
    const { openSqliteStore } = await import('../../src/store/index.js');
    const path = storePath();
    const store = await openSqliteStore(path);
    await auditFromCli(store, { store: path }, { actor: 'alice', action: 'approval.approve', target: 'wf-1', details: { comment: 'ok' } });
    await store.close();
    const ops = new SqliteOpsStore(path);
    expect(await createAudit(ops.auditLog).read()).toMatchObject([{ actor: 'alice', action: 'approval.approve', target: 'wf-1', details: { comment: 'ok', via: 'cli' } }]);
    await ops.close();
  });
});
