/**
 * Bounded input (issue 18, part 5), through the built CLI: requirements and step results must be
 * UTF-8 text without NUL and within converge.yaml's `limits`; anything else exits 2 with one line
 * and a hint, and nothing is recorded. Stored text reaches the terminal without its control
 * characters, and `--json` escapes them.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';

/** One headline, one hint, exit 2, no stack trace. */
function expectRefused(result: CliResult, pattern: RegExp): void {
  expect(result.exitCode, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^converge: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines[1]).toMatch(/^ {2}hint: \S/);
}

/** Binary: random bytes, with one byte that can never appear in UTF-8 so the test cannot pass by chance. */
function binary(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes[size >> 1] = 0xff;
  return bytes;
}

/** Control characters a terminal acts on, in the C0, DEL and C1 ranges (tab and newline are text). */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('requirements that are not text, or too large', () => {
  let dir: string;
  let snapshot: () => Promise<string>;
  let before: string;

  beforeAll(async () => {
    dir = copyFixture('crash');
    const first = await converge(['--store', 'store.db', 'start', 'Write the value file', '--workspace', 'project'], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    writeFileSync(join(dir, 'binary.dat'), binary(8192));
    writeFileSync(join(dir, 'nul.md'), 'Add a CSV export\u0000 for the reports page');
    writeFileSync(join(dir, 'huge.md'), Buffer.alloc(32 * 1024 * 1024, 'a'));
    writeFileSync(join(dir, 'two-kb.md'), `# Requirements\n\n${'Add a CSV export. '.repeat(120)}`);
    writeFileSync(join(dir, 'small-limits.yaml'), 'agents:\n  default: { provider: scripted, session: session.yaml }\nlimits: { requirements_kb: 1 }\n');
    // The workflows, their events and the audit trail: all a refused start could have written.
    snapshot = async () => {
      const cli = (...args: string[]) => converge(['--store', 'store.db', ...args], { cwd: dir }).then((r) => r.stdout);
      const list = await cli('--json', 'list');
      const ids = list.trim().split('\n').map((l) => (JSON.parse(l) as { workflow_id: string }).workflow_id);
      const events = await Promise.all(ids.map((id) => cli('export', id, '--format', 'events')));
      return [list, ...events, await cli('audit', 'export')].join('\n');
    };
    before = await snapshot();
  }, 60_000);

  it.each([
    ['random bytes', ['start', '@binary.dat'], /requirements file .*binary\.dat is not text: byte \d+ is not valid UTF-8/],
    ['a NUL', ['start', '@nul.md'], /requirements file .*nul\.md is not text: it holds a NUL character/],
    ['32 MB', ['start', '@huge.md'], /requirements file .*huge\.md is 32 MiB, over the limit of 256 KiB/],
    ['random bytes, with run', ['run', '@binary.dat', '--no-wait'], /is not text: byte \d+ is not valid UTF-8/],
    ['2 KB over a 1 KB limit set in converge.yaml', ['--config', 'small-limits.yaml', 'start', '@two-kb.md'], /is 2\.2 KiB, over the limit of 1 KiB/],
  ])('refuses %s with exit 2 and a hint, and records nothing', async (_what, args, pattern) => {
    const result = await converge(['--store', 'store.db', ...args, '--workspace', 'project'], { cwd: dir });
    expectRefused(result, pattern);
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it('names the converge.yaml key that raises the limit', async () => {
    const result = await converge(['--store', 'store.db', 'start', '@huge.md', '--workspace', 'project'], { cwd: dir });
    expect(result.stderr).toContain('hint: Send less, or raise limits.requirements_kb in converge.yaml.');
  }, 60_000);

  it('creates no store when the requirements are refused', async () => {
    const result = await converge(['--store', 'fresh.db', 'start', '@nul.md', '--workspace', 'project'], { cwd: dir });
    expectRefused(result, /NUL/);
    expect((await converge(['--store', 'fresh.db', 'list'], { cwd: dir })).stderr).toMatch(/There is no store/);
  }, 60_000);
});

describe('a step result that is not text, or too large', () => {
  let dir: string;
  let id: string;
  const events = async () => (await converge(['--json', 'history', id], { cwd: dir })).stdout;

  beforeAll(async () => {
    dir = copyFixture('crash');
    writeFileSync(join(dir, 'converge.yaml'), 'definition: seven-step\nprofile: typescript\nagents:\n  default: { provider: external }\n');
    const run = await converge(['run', 'Write the value file', '--workspace', 'project', '--no-wait'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(3);
    id = run.stdout.match(/(wf-[0-9a-f]+)/)![1]!;
    const plan = '# Implementation Plan: value file\n\n## Steps\n\n1. Write the value file with the value the check expects.\n';
    writeFileSync(join(dir, 'binary.md'), Buffer.concat([Buffer.from(plan), binary(4096)]));
    writeFileSync(join(dir, 'nul.md'), `${plan}\u0000`);
    writeFileSync(join(dir, 'controls.md'), '\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008'.repeat(40));
    writeFileSync(join(dir, 'huge.md'), `${plan}${'More detail on the plan. '.repeat(120_000)}`);
  }, 60_000);

  it.each([
    ['binary bytes after a plan heading', 'binary.md', /result file binary\.md is not text: byte \d+ is not valid UTF-8/],
    ['a NUL', 'nul.md', /result file nul\.md is not text: it holds a NUL character/],
    ['text made of control characters', 'controls.md', /result file controls\.md is not text: 320 of its 320 characters are control characters/],
    ['3 MB, over the 2 MiB default', 'huge.md', /result file huge\.md is 2\.9 MiB, over the limit of 2 MiB/],
  ])('refuses %s with exit 2 and a hint, and records nothing', async (_what, file, pattern) => {
    const before = await events();
    for (const extra of [[], ['--dry-run']]) {
      const result = await converge(['submit', id, '--step', '1', '--file', file, ...extra], { cwd: dir });
      expectRefused(result, pattern);
    }
    expect(await events()).toBe(before);
  }, 60_000);

  it('still waits for the step-1 result', async () => {
    expect(JSON.parse((await converge(['--json', 'status', id], { cwd: dir })).stdout)).toMatchObject({ status: 'waiting_for_human', waiting_for: 'external:step 1' });
  });
});

describe('stored text with control characters', () => {
  const requirements = 'Make the \u001b[31merror\u001b[0m line red,\u0007 set the \u001b]0;pwned\u0007title, and \u009b2J clear\rEVIL';
  let dir: string;
  let id: string;

  beforeAll(async () => {
    dir = copyFixture('crash');
    const start = await converge(['--store', 'store.db', 'start', requirements, '--name', 'name \u001b[2Jwith escapes', '--workspace', 'project'], { cwd: dir });
    expect(start.exitCode, start.stderr).toBe(0);
    id = start.stdout.trim();
  }, 60_000);

  it.each([['list'], ['status'], ['show'], ['history']])('`%s` prints it without a control character', async (command) => {
    const args = command === 'list' ? ['list'] : [command, id];
    const result = await converge(['--store', 'store.db', ...args], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(TERMINAL_CONTROL);
    // list cuts the requirements to 50 characters; show folds white space, the carriage return included.
    if (command === 'list') expect(result.stdout).toContain('Make the error line red,');
    if (command === 'show') expect(result.stdout).toContain('Make the error line red, set the title, and 2J clear EVIL');
  }, 60_000);

  it('`list --json` escapes them and keeps the requirements as given', async () => {
    const result = await converge(['--store', 'store.db', '--json', 'list'], { cwd: dir });
    expect(result.stdout.trimEnd()).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(result.stdout).toContain('\\u001b[31merror');
    expect(result.stdout).toContain('\\u009b2J');
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ workflow_id: id, requirements });
  }, 60_000);
});
