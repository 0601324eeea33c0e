import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckSchema } from '../../src/core/profile-schema.js';
import { checkApplies, runChecks } from '../../src/checks/index.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'converge-when-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const check = (when: unknown) => CheckSchema.parse({ id: 'c', command: ['node', '-e', 'process.exit(1)'], when });

describe('checkApplies', () => {
  it('applies a check without conditions', () => {
    expect(checkApplies(check(undefined), project({}))).toEqual({ applies: true });
  });

  it('applies `exists` when one of the paths or globs is there', () => {
    const dir = project({ 'tsconfig.json': '{}' });
    expect(checkApplies(check({ exists: ['tsconfig.json'] }), dir).applies).toBe(true);
    expect(checkApplies(check({ exists: ['*.json'] }), dir).applies).toBe(true);
    expect(checkApplies(check({ exists: ['jsconfig.json'] }), dir)).toEqual({ applies: false, reason: 'none of jsconfig.json exists' });
  });

  it('reads dependencies and devDependencies from package.json', () => {
    const dir = project({ 'package.json': JSON.stringify({ devDependencies: { vitest: '^4' } }) });
    expect(checkApplies(check({ dependency: ['vitest'] }), dir).applies).toBe(true);
    expect(checkApplies(check({ dependency: ['jest-junit'] }), dir).applies).toBe(false);
    expect(checkApplies(check({ no_dependency: ['vitest'] }), dir)).toEqual({ applies: false, reason: 'package.json lists vitest' });
  });
});

describe('runChecks › a check that does not apply', () => {
  it('is skipped and not required, so it never blocks convergence', async () => {
    const [result] = await runChecks([check({ exists: ['nothing-here'] })], { workspace: project({}) });
    expect(result).toMatchObject({ status: 'skipped', required: false, summary: 'skipped: none of nothing-here exists' });
  });
});
