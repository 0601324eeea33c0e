import { describe, expect, it } from 'vitest';
import { redactPostgresUrl, resolvePostgresStoreConfig } from '../../../src/store/postgres/postgres-store-config.js';

const code = (c: string) => ({ name: 'ConvergeError', code: c });

describe('redactPostgresUrl', () => {
  it.each([
    ['postgres://converge:s3cret@db.internal:6543/work', 'postgres://converge@db.internal:6543/work'],
    ['postgresql://converge:s3cret@db.internal/work', 'postgres://converge@db.internal:5432/work'],
    ['postgres://db.internal/work?password=s3cret&sslmode=require', 'postgres://db.internal:5432/work'],
    ['postgres://converge@[::1]:5433/work', 'postgres://converge@[::1]:5433/work'],
    ['postgres://converge:s3cret@db.internal', 'postgres://converge@db.internal:5432/converge'],
  ])('shows %s as %s', (url, expected) => {
    expect(redactPostgresUrl(new URL(url))).toBe(expected);
  });
});

describe('resolvePostgresStoreConfig', () => {
  it('fills in the defaults and freezes the result', () => {
    const config = resolvePostgresStoreConfig({ url: 'postgres://u:p@h/d' });
    expect(config).toMatchObject({ schema: 'converge', poolSize: 10, lockTimeoutMs: 5_000, location: 'postgres://u@h:5432/d' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses a URL that does not parse with STORE_UNAVAILABLE, without repeating it', () => {
    const error: unknown = (() => {
      try {
        return resolvePostgresStoreConfig({ url: 'postgres://u:s3cret@[bad/d' });
      } catch (e: unknown) {
        return e;
      }
    })();
    expect(error).toMatchObject(code('STORE_UNAVAILABLE'));
    expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).not.toContain('s3cret');
    expect((error as Error).cause).toBeUndefined();
  });

  it.each(['1abc', 'has space', 'quo"te', 'x'.repeat(64), ''])('refuses the schema name %j with CONFIG_INVALID', (schema) => {
    expect(() => resolvePostgresStoreConfig({ url: 'postgres://h/d', schema })).toThrow(expect.objectContaining(code('CONFIG_INVALID')));
  });

  it.each([0, -1, 1.5])('refuses poolSize %d with CONFIG_INVALID', (poolSize) => {
    expect(() => resolvePostgresStoreConfig({ url: 'postgres://h/d', poolSize })).toThrow(expect.objectContaining(code('CONFIG_INVALID')));
  });
});
