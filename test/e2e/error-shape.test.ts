/**
 * Errors in one shape (issue 18, part 6), through the built CLI: a headline, one line per problem,
 * one hint. Every numeric flag is parsed strictly and named when wrong (never "NaN"); a base_url
 * with credentials is refused by validation; the cases the issue lists all carry a hint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { converge, copyFixture } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';

function expectOneShape(result: CliResult, headline: RegExp): void {
  expect(result.exitCode, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^converge: /);
  expect(lines[0]).toMatch(headline);
  expect(lines[lines.length - 1]).toMatch(/^ {2}hint: \S/);
  expect(lines.filter((l) => l.startsWith('  hint: '))).toHaveLength(1);
  expect(result.stderr).not.toMatch(/NaN|\.\.(\s|$)|\n\s+at .+:\d+:\d+/);
}

describe('numeric flags', () => {
  let dir: string;
  let id: string;

  beforeAll(async () => {
    dir = copyFixture('crash');
    id = (await converge(['--store', 'store.db', 'start', 'Write the value file', '--workspace', 'project'], { cwd: dir })).stdout.trim();
    writeFileSync(join(dir, 'plan.md'), '# Implementation Plan: x\n');
  }, 60_000);

  it.each([
    ['submit --step abc', () => ['submit', id, '--step', 'abc', '--file', 'plan.md'], '--step', 'a whole number ≥ 1', 'abc'],
    ['submit --step 0', () => ['submit', id, '--step', '0', '--file', 'plan.md'], '--step', 'a whole number ≥ 1', '0'],
    ['answer --grant -1', () => ['answer', id, '--grant', '-1'], '--grant', 'a whole number ≥ 1', '-1'],
    ['answer --grant 1.5', () => ['answer', id, '--grant', '1.5'], '--grant', 'a whole number ≥ 1', '1.5'],
    ['fork --from-step 2x', () => ['fork', id, '--from-step', '2x'], '--from-step', 'a whole number ≥ 1', '2x'],
    ['list --limit ten', () => ['list', '--limit', 'ten'], '--limit', 'a whole number ≥ 1', 'ten'],
    ['report --round 1e2', () => ['report', id, '--round', '1e2'], '--round', 'a whole number ≥ 1', '1e2'],
    ['diff --to -3', () => ['diff', id, '--to', '-3'], '--to', 'a whole number ≥ 1', '-3'],
    ['worker --concurrency many', () => ['worker', '--concurrency', 'many'], '--concurrency', 'a whole number ≥ 1', 'many'],
    ['serve --port 70000', () => ['serve', '--port', '70000'], '--port', 'a whole number from 0 to 65535', '70000'],
    ['serve-mcp --port http', () => ['serve-mcp', '--port', 'http'], '--port', 'a whole number from 0 to 65535', 'http'],
    ['start --budget-usd five', () => ['start', 'x', '--budget-usd', 'five'], '--budget-usd', 'a number > 0', 'five'],
    ['start --budget-tokens 1.5', () => ['start', 'x', '--budget-tokens', '1.5'], '--budget-tokens', 'a whole number ≥ 1', '1.5'],
    ['kb search --budget lots', () => ['kb', 'search', 'query', '--budget', 'lots'], '--budget', 'a whole number ≥ 1', 'lots'],
    ['token create --expires-in 1w', () => ['token', 'create', '--role', 'viewer', '--expires-in', '1w'], '--expires-in', 'a duration such as 30d, 12h, 90m or 3600s', '1w'],
    ['audit verify --accept-reset x', () => ['audit', 'verify', '--accept-reset', 'x'], '--accept-reset', 'a whole number ≥ 1', 'x'],
  ])('%s exits 2 naming the flag and what it takes', async (_name, args, flag, takes, value) => {
    const result = await converge(['--store', 'store.db', ...args()], { cwd: dir });
    expectOneShape(result, new RegExp(`^converge: ${flag} takes ${takes}, not "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\.$`));
    expect(result.stderr).toContain(`hint: For example ${flag} `);
  }, 60_000);

  it('records nothing for a refused flag', async () => {
    const history = (await converge(['--store', 'store.db', '--json', 'history', id], { cwd: dir })).stdout.trim().split('\n');
    expect(history).toHaveLength(1);
  });

  it('fork of a workflow that ran no step says so in its hint', async () => {
    const result = await converge(['--store', 'store.db', 'fork', id, '--from-step', '4'], { cwd: dir });
    expectOneShape(result, /never ran step 4, so it cannot be forked from there\.$/);
    expect(result.stderr).toContain('hint: It has not run a step yet');
  });

  it('cancel of a cancelled workflow has a hint', async () => {
    expect((await converge(['--store', 'store.db', 'cancel', id], { cwd: dir })).exitCode).toBe(0);
    const again = await converge(['--store', 'store.db', 'cancel', id], { cwd: dir });
    expectOneShape(again, /is already cancelled; there is nothing to cancel\.$/);
  });
});

describe('the issue’s cases carry a hint', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyFixture('crash');
  });

  it('run @missing-file', async () => {
    const result = await converge(['--store', 'store.db', 'run', '@missing-file.md', '--workspace', 'project', '--no-wait'], { cwd: dir });
    expectOneShape(result, /The requirements file .*missing-file\.md does not exist\.$/);
  });

  it('an empty submit', async () => {
    const result = await converge(['--store', 'store.db', 'submit', 'wf-0000000000'], { cwd: dir });
    expectOneShape(result, /^converge: Give the result with --file FILE\.$/);
  });

  it('a converge.yaml that is not valid YAML: one headline and a hint', async () => {
    writeFileSync(join(dir, 'broken.yaml'), 'agents:\n  default: { provider: external\n');
    const result = await converge(['--config', 'broken.yaml', 'checks', 'list'], { cwd: dir });
    expectOneShape(result, /broken\.yaml is not valid YAML at line \d+: /);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it('a converge.yaml value with a NUL written as an escape', async () => {
    writeFileSync(join(dir, 'nul.yaml'), 'agents:\n  default: { provider: command, command: ["my-agent\\0"] }\n');
    const result = await converge(['--config', 'nul.yaml', 'checks', 'list'], { cwd: dir });
    expectOneShape(result, /nul\.yaml: agents\.default\.command\[0\] is not text: it holds a NUL character/);
  });

  it('a converge.yaml that is not UTF-8', async () => {
    writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('definition: seven-step\n# caf\xe9\n', 'latin1'));
    const result = await converge(['--config', 'latin1.yaml', 'checks', 'list'], { cwd: dir });
    expectOneShape(result, /latin1\.yaml is not text: byte \d+ is not valid UTF-8/);
  });
});

describe('a base_url with credentials in it', () => {
  it('is refused by validation, naming the agent and pointing to api_key_env, without echoing the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-base-url-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(
      join(dir, 'converge.yaml'),
      'agents:\n  planner: { provider: openai-compatible, model: m, base_url: "https://me:sk-live-1234@llm.example.com/v1" }\n',
    );
    const result = await converge(['checks', 'list'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `converge: ${join(dir, 'converge.yaml')} has 1 problem:`,
      '  agents.planner.base_url: has a user name or password in it; put the key in an environment variable and name that variable in api_key_env',
      '  hint: Fix the listed fields; `converge schema --kind config` prints every field converge.yaml may have.',
    ]);
    expect(result.stderr).not.toContain('sk-live-1234');
  });
});
