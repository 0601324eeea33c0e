import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxEnv } from '../../src/sandbox/index.js';

const SOURCE = { PATH: '/bin', HOME: '/home/u', LANG: 'C', CI: 'true', AWS_SECRET_ACCESS_KEY: 's', MY_TOKEN: 't', EDITOR: 'vi' };

describe('buildSandboxEnv', () => {
  it('passes the base variables and nothing else', () => {
    expect(buildSandboxEnv({ source: SOURCE })).toEqual({ PATH: '/bin', HOME: '/home/u', LANG: 'C' });
  });

  it('passes the extra base names a caller adds (checks add CI)', () => {
    expect(buildSandboxEnv({ source: SOURCE, base: ['CI'] })).toMatchObject({ CI: 'true' });
  });

  it('withholds a credential-like name even when a caller adds it to the base', () => {
    expect(buildSandboxEnv({ source: SOURCE, base: ['MY_TOKEN'] })).not.toHaveProperty('MY_TOKEN');
  });

  it('adds env_allow names and lets explicit values win, so a preset keeps its private HOME', () => {
    expect(buildSandboxEnv({ source: SOURCE, allow: ['MY_TOKEN', 'HOME'], values: { HOME: '/run/home' } })).toEqual({
      PATH: '/bin',
      HOME: '/run/home',
      LANG: 'C',
      MY_TOKEN: 't',
    });
  });

  it('prepends extraPath to PATH, or builds PATH from it alone', () => {
    expect(buildSandboxEnv({ source: SOURCE, extraPath: ['/ws/node_modules/.bin'] })['PATH']).toBe(['/ws/node_modules/.bin', '/bin'].join(delimiter));
    expect(buildSandboxEnv({ source: {}, extraPath: ['/bin'] })).toEqual({ PATH: '/bin' });
  });
});
