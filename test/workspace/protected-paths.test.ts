import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/workflows/loader.js';
import { protectedAmong } from '../../src/workspace/protected-paths.js';

describe('protected paths', () => {
  const typescript = loadProfile('typescript', process.cwd()).protected_paths;

  it.each([
    ['package.json'],
    ['packages/api/package.json'],
    ['package-lock.json'],
    ['pnpm-lock.yaml'],
    ['tsconfig.json'],
    ['tsconfig.build.json'],
    ['vitest.config.ts'],
    ['jest.config.js'],
    ['eslint.config.mjs'],
    ['.eslintrc.cjs'],
    ['.github/workflows/ci.yml'],
    ['.ci/run'],
    ['converge.yaml'],
    ['.npmrc'],
  ])('the typescript profile protects %s', (path) => {
    expect(protectedAmong([path], typescript)).toEqual([path]);
  });

  it.each([['src/index.ts'], ['test/app.test.ts'], ['README.md'], ['docs/package.json.md'], ['src/converge.yaml.ts']])('the typescript profile leaves %s alone', (path) => {
    expect(protectedAmong([path], typescript)).toEqual([]);
  });

  it('matches Windows separators and a leading ./ the same way', () => {
    expect(protectedAmong(['.\\.github\\workflows\\ci.yml', './package.json'], ['.github/**', 'package.json'])).toHaveLength(2);
  });

  it('protects nothing without globs', () => {
    expect(protectedAmong(['package.json'], [])).toEqual([]);
  });
});
