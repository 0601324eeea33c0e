import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCheckEnv } from '../../src/checks/index.js';

const SOURCE = {
  PATH: '/usr/bin',
  HOME: '/home/ci',
  LANG: 'C.UTF-8',
  CI: 'true',
  NODE_OPTIONS: '--inspect',
  OPENAI_API_KEY: 'sk-1',
  GITHUB_TOKEN: 'ghp-1',
  DB_PASSWORD: 'hunter2',
  AWS_SECRET_ACCESS_KEY: 'aws-1',
  GOOGLE_APPLICATION_CREDENTIALS: '/keys.json',
  DATABASE_URL: 'postgres://x',
};

describe('buildCheckEnv', () => {
  it('starts empty and passes only the base variables', () => {
    expect(buildCheckEnv({ env_allow: [], env: {} }, { source: SOURCE })).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/ci',
      LANG: 'C.UTF-8',
      CI: 'true',
    });
  });

  it('passes names listed in env_allow, secrets included', () => {
    const env = buildCheckEnv({ env_allow: ['GITHUB_TOKEN', 'DATABASE_URL', 'ABSENT'], env: {} }, { source: SOURCE });
    expect(env['GITHUB_TOKEN']).toBe('ghp-1');
    expect(env['DATABASE_URL']).toBe('postgres://x');
    expect('ABSENT' in env).toBe(false);
    expect(env['OPENAI_API_KEY']).toBeUndefined();
  });

  it('sets the values written in the check and prepends extraPath to PATH', () => {
    const env = buildCheckEnv({ env_allow: [], env: { NODE_ENV: 'test' } }, { source: SOURCE, extraPath: ['/ws/node_modules/.bin', '/opt/node/bin'] });
    expect(env['NODE_ENV']).toBe('test');
    expect(env['PATH']).toBe(['/ws/node_modules/.bin', '/opt/node/bin', '/usr/bin'].join(delimiter));
  });

  it('builds PATH from extraPath alone when Converge has none', () => {
    expect(buildCheckEnv({ env_allow: [], env: {} }, { source: {}, extraPath: ['/bin'] })).toEqual({ PATH: '/bin' });
  });
});
