import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, runChecks, type CheckProgress } from '../../src/checks/index.js';
import { CheckSchema, type Check } from '../../src/core/profile-schema.js';
import { FIXTURES } from './fixture-path.js';

const NODE = process.execPath;

function check(fields: Record<string, unknown>): Check {
  return CheckSchema.parse({ id: 'unit', ...fields });
}

/** A check that copies a fixture to `report` and exits with `exit`: the report and the exit code vary independently. */
function reportCheck(fixtureName: string, format: string, report: string, exit: number, extra: Record<string, unknown> = {}): Check {
  return check({
    // The fixture comes as an argument, as a configured command names its files: the sandbox keeps
    // an absolute path the command names readable, even when the checkout lives under /tmp.
    command: ['sh', '-c', `cp "$1" "${report}"; exit ${exit}`, 'sh', join(FIXTURES, fixtureName)],
    format,
    report,
    ...extra,
  });
}

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'converge-reports-'));
  await mkdir(join(workspace, 'pkg'), { recursive: true });
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('runCheck with a report', () => {
  describe('junit', () => {
    it('fails with the report issues, stamped with the check id and level, paths relative to the workspace', async () => {
      const result = await runCheck(reportCheck('junit/vitest.xml', 'junit', 'junit.xml', 1, { cwd: 'pkg', level: 3 }), { workspace });
      expect(result).toMatchObject({ status: 'failed', exitCode: 1, level: 3, summary: '4 tests: 1 passed, 2 failed, 1 skipped (exit code 1)' });
      expect(result.issues[0]).toEqual({
        source: 'tool:unit',
        level: 3,
        severity: 'critical',
        message: 'math > multiplies: expected 6 to be 7 // Object.is equality',
        location: { file: 'pkg/src/math.test.ts', line: 6 },
      });
    });

    it('fails when the report shows failures although the command exited 0', async () => {
      const result = await runCheck(reportCheck('junit/jest-junit.xml', 'junit', 'out.xml', 0), { workspace });
      expect(result).toMatchObject({ status: 'failed', exitCode: 0 });
      expect(result.issues).toHaveLength(2);
    });

    it('fails when the report is clean but the command exited non-zero', async () => {
      const clean = join(workspace, 'clean.xml');
      await writeFile(clean, '<testsuites><testsuite name="s"><testcase name="a"/></testsuite></testsuites>');
      const result = await runCheck(
        check({ command: ['sh', '-c', `cp "${clean}" r.xml; exit 2`], format: 'junit', report: 'r.xml' }),
        { workspace },
      );
      expect(result).toMatchObject({ status: 'failed', summary: '1 test: 1 passed, 0 failed, 0 skipped, but the command exited with code 2' });
    });

    it('records a malformed report as an error, not a crash', async () => {
      const result = await runCheck(reportCheck('junit/malformed.xml', 'junit', 'bad.xml', 1), { workspace });
      expect(result.status).toBe('error');
      expect(result.summary).toMatch(/^could not parse junit report: invalid XML .* \(the command exited with code 1\)$/);
    });

    it('records a missing report after a failing command as a failure', async () => {
      const result = await runCheck(check({ command: ['sh', '-c', 'exit 1'], format: 'junit', report: 'never.xml' }), { workspace });
      expect(result).toMatchObject({ status: 'failed', summary: 'the check wrote no junit report at never.xml and exited with code 1' });
    });

    it('records a missing report after a successful command as an error', async () => {
      const result = await runCheck(check({ command: ['true'], format: 'junit', report: 'never.xml' }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: 'the check wrote no junit report at never.xml' });
    });

    it('never parses a report left over from an earlier run', async () => {
      await copyFile(join(FIXTURES, 'junit/vitest.xml'), join(workspace, 'stale.xml'));
      const result = await runCheck(check({ command: ['true'], format: 'junit', report: 'stale.xml' }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringContaining('wrote no junit report') });
    });

    it('refuses a report path outside the workspace', async () => {
      const result = await runCheck(check({ command: ['true'], format: 'junit', report: '../elsewhere.xml' }), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringContaining('outside the workspace') });
    });
  });

  describe('tap on stdout', () => {
    it('runs node --test for real and reports the failing test at its workspace path', async () => {
      await writeFile(
        join(workspace, 'math.test.mjs'),
        [
          "import { test } from 'node:test';",
          "import assert from 'node:assert/strict';",
          "test('adds', () => assert.equal(1 + 1, 2));",
          "test('subtracts', () => assert.equal(5 - 3, 3));",
          '',
        ].join('\n'),
      );
      const result = await runCheck(check({ command: [NODE, '--test', '--test-reporter=tap', 'math.test.mjs'], format: 'tap' }), {
        workspace,
      });
      expect(result).toMatchObject({ status: 'failed', exitCode: 1, summary: '2 tests: 1 passed, 1 failed, 0 skipped (exit code 1)' });
      expect(result.issues).toEqual([
        expect.objectContaining({ severity: 'critical', location: { file: 'math.test.mjs', line: 4 } }),
      ]);
      expect(result.issues[0]?.message).toMatch(/^subtracts: Expected values to be strictly equal/);
    });

    it('records stdout that is not TAP as an error', async () => {
      const result = await runCheck(check({ command: ['sh', '-c', 'echo "Segmentation fault"; exit 139'], format: 'tap' }), { workspace });
      expect(result.status).toBe('error');
      expect(result.summary).toMatch(/^could not parse tap report: no TAP version line, plan or test points found/);
    });
  });

  describe('sarif', () => {
    it('makes file:// locations inside the workspace relative', async () => {
      const sarif = (await readFile(join(FIXTURES, 'sarif/eslint.sarif'), 'utf8')).replaceAll('/home/ci/app', workspace);
      await writeFile(join(workspace, 'eslint-input.sarif'), sarif);
      const result = await runCheck(
        check({ command: ['sh', '-c', 'cat eslint-input.sarif; exit 1'], format: 'sarif' }),
        { workspace },
      );
      expect(result.status).toBe('failed');
      expect(result.issues.map((i) => [i.severity, i.location])).toEqual([
        ['major', { file: 'src/cart.js', line: 12 }],
        ['minor', { file: 'src/api/routes.js', line: 31 }],
        ['major', { file: 'src/legacy.js', line: 7 }],
      ]);
    });

    it('keeps locations outside the workspace absolute', async () => {
      const result = await runCheck(reportCheck('sarif/eslint.sarif', 'sarif', 'eslint.sarif', 1), { workspace });
      expect(result.issues[0]?.location).toEqual({ file: '/home/ci/app/src/cart.js', line: 12 });
    });
  });

  describe('coverage', () => {
    it.each([
      ['coverage/lcov.info', 'lcov', 80],
      ['coverage/coverage-summary.json', 'coverage_istanbul', 86.81],
      ['coverage/cobertura.xml', 'cobertura', 86.67],
    ])('reads %s as %s coverage', async (fixtureName, format, coverage) => {
      const result = await runCheck(reportCheck(fixtureName, format, 'coverage.out', 0), { workspace });
      expect(result).toMatchObject({ status: 'passed', coverage, issues: [] });
    });

    it('records a malformed coverage report as an error', async () => {
      const result = await runCheck(reportCheck('coverage/lcov.malformed.info', 'lcov', 'lcov.info', 0), { workspace });
      expect(result).toMatchObject({ status: 'error', summary: expect.stringMatching(/^could not parse lcov report: unexpected line 1/) });
    });
  });
});

describe('runChecks', () => {
  it('runs every check in order one at a time with concurrency 1, whatever the earlier ones did, and reports progress', async () => {
    const checks = [
      check({ id: 'missing', command: ['no-such-program-converge'] }),
      check({ id: 'broken-report', command: ['sh', '-c', 'echo "<testsuites"'], format: 'junit' }),
      check({ id: 'failing', command: ['false'] }),
      check({ id: 'passing', command: ['true'] }),
    ];
    const events: string[] = [];
    const onProgress = (event: CheckProgress): void => {
      events.push(`${event.type}:${event.check.id}${event.type === 'finished' ? `:${event.result.status}` : ''}`);
    };
    const results = await runChecks(checks, { workspace, concurrency: 1 }, onProgress);
    expect(results.map((r) => [r.toolId, r.status])).toEqual([
      ['missing', 'error'],
      ['broken-report', 'error'],
      ['failing', 'failed'],
      ['passing', 'passed'],
    ]);
    expect(events).toEqual([
      'started:missing',
      'finished:missing:error',
      'started:broken-report',
      'finished:broken-report:error',
      'started:failing',
      'finished:failing:failed',
      'started:passing',
      'finished:passing:passed',
    ]);
  });

  it('keeps going when a progress listener throws', async () => {
    const results = await runChecks([check({ command: ['true'] }), check({ id: 'second', command: ['true'] })], { workspace }, () => {
      throw new Error('listener bug');
    });
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed']);
  });
});
