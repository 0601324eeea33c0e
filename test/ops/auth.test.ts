/**
 * Tokens and roles: secrets shown once and stored only as hashes, expiry, revocation (with the
 * sessions made from a token), one-time sign-in links, and the role order.
 */
import { describe, expect, it } from 'vitest';
import { ROLES, createAuth, hashTokenSecret, roleAtLeast } from '../../src/ops/auth/index.js';
import { MemoryTokenStore } from '../../src/ops/memory/memory-ops-store.js';

function setup(start = Date.parse('2025-06-01T12:00:00Z')) {
  let now = start;
  const tokens = new MemoryTokenStore();
  const auth = createAuth({ tokens, now: () => new Date(now), sessionTtlMs: 3_600_000 });
  return { auth, tokens, advance: (ms: number) => (now += ms) };
}

describe('roles', () => {
  it.each([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['operator', 'viewer', true],
    ['operator', 'approver', false],
    ['approver', 'operator', true],
    ['approver', 'admin', false],
    ['admin', 'approver', true],
  ] as const)('%s meets %s: %s', (role, needed, expected) => {
    expect(roleAtLeast(role, needed)).toBe(expected);
  });

  it('orders viewer < operator < approver < admin', () => {
    expect(ROLES).toEqual(['viewer', 'operator', 'approver', 'admin']);
  });
});

describe('tokens', () => {
  it('gives a cv_ secret once and stores only its SHA-256', async () => {
    const { auth, tokens } = setup();
    const { secret, record } = await auth.issue({ role: 'operator', name: 'ci' });
    expect(secret).toMatch(/^cv_[A-Za-z0-9_-]{43}$/);
    const stored = await tokens.get(record.id);
    expect(stored?.hash).toBe(hashTokenSecret(secret));
    expect(JSON.stringify(await tokens.list())).not.toContain(secret);
    await expect(auth.authenticate(secret)).resolves.toMatchObject({ name: 'ci', role: 'operator', tokenId: record.id });
  });

  it('refuses an unknown, malformed or missing secret', async () => {
    const { auth } = setup();
    await expect(auth.authenticate(undefined)).resolves.toBeUndefined();
    await expect(auth.authenticate('not-a-token')).resolves.toBeUndefined();
    await expect(auth.authenticate(`cv_${'x'.repeat(43)}`)).resolves.toBeUndefined();
  });

  it('refuses an expired token', async () => {
    const { auth, advance } = setup();
    const { secret } = await auth.issue({ role: 'viewer', name: 'short', ttlMs: 60_000 });
    await expect(auth.authenticate(secret)).resolves.toBeDefined();
    advance(60_001);
    await expect(auth.authenticate(secret)).resolves.toBeUndefined();
  });

  it('refuses a revoked token and the sessions signed in with it', async () => {
    const { auth } = setup();
    const api = await auth.issue({ role: 'approver', name: 'alice' });
    const started = await auth.startSession(api.secret);
    expect(started?.principal).toMatchObject({ role: 'approver', kind: 'session' });
    await expect(auth.revoke(api.record.id)).resolves.toBe(true);
    await expect(auth.authenticate(api.secret)).resolves.toBeUndefined();
    await expect(auth.authenticate(started!.session.secret)).resolves.toBeUndefined();
    await expect(auth.revoke(api.record.id)).resolves.toBe(false);
  });

  it('rejects a name that is empty', async () => {
    const { auth } = setup();
    await expect(auth.issue({ role: 'viewer', name: '  ' })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('sign-in links', () => {
  it('work once and never as an API token', async () => {
    const { auth } = setup();
    const login = await auth.issue({ role: 'admin', name: 'me (serve)', kind: 'login', ttlMs: 3_600_000 });
    await expect(auth.authenticate(login.secret)).resolves.toBeUndefined();
    const first = await auth.startSession(login.secret);
    expect(first?.principal).toMatchObject({ role: 'admin', name: 'me (serve)' });
    await expect(auth.authenticate(first!.session.secret)).resolves.toMatchObject({ kind: 'session' });
    await expect(auth.startSession(login.secret)).resolves.toBeUndefined();
  });

  it('give sessions that end after the session lifetime', async () => {
    const { auth, advance } = setup();
    const api = await auth.issue({ role: 'viewer', name: 'v' });
    const started = await auth.startSession(api.secret);
    advance(3_600_001);
    await expect(auth.authenticate(started!.session.secret)).resolves.toBeUndefined();
  });

  it('never outlive the token they came from', async () => {
    const { auth, advance } = setup();
    const api = await auth.issue({ role: 'viewer', name: 'v', ttlMs: 600_000 });
    const started = await auth.startSession(api.secret);
    expect(Date.parse(started!.session.record.expiresAt!)).toBeLessThanOrEqual(Date.parse(api.record.expiresAt!));
    advance(600_001);
    await expect(auth.authenticate(started!.session.secret)).resolves.toBeUndefined();
  });
});

describe('authentication off', () => {
  it('treats every caller as the local admin', async () => {
    const auth = createAuth({ tokens: new MemoryTokenStore(), enabled: false });
    await expect(auth.authenticate(undefined)).resolves.toMatchObject({ name: 'local', role: 'admin', tokenId: null });
  });
});
