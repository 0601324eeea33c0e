/**
 * `run` and `start` refuse a workflow whose agents cannot run before anything is written, and
 * `converge doctor` shows why (issue 15, part 5).
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge } from './helpers/cli.js';

const MISSING = 'CONVERGE_TEST_ABSENT_KEY';

function project(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'converge-preflight-'));
  writeFileSync(join(dir, 'converge.yaml'), config);
  return dir;
}

const PATH = process.env.PATH ?? '/usr/bin:/bin';

describe('the preflight of run and start', () => {
  it('refuses a missing API key before the workflow exists: exit 2, the entry and variable named, no store', async () => {
    const dir = project(`agents:\n  planner: { provider: anthropic, model: claude-sonnet-4-5, api_key_env: ${MISSING} }\n`);
    const run = await converge(['run', 'Add a flag', '--no-wait'], { cwd: dir, env: { PATH } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`agents.planner (anthropic claude-sonnet-4-5, for planner) needs the environment variable ${MISSING}, which is not set`);
    expect(run.stderr).toMatch(/converge doctor/);
    expect(readdirSync(dir)).toEqual(['converge.yaml']);
  });

  it('refuses a command agent whose CLI is not on PATH, under --json too', async () => {
    const dir = project('agents:\n  programmer: { provider: command, command: [converge-test-no-such-cli] }\n');
    const start = await converge(['--json', 'start', 'Add a flag'], { cwd: dir, env: { PATH } });
    expect(start.exitCode).toBe(2);
    expect(start.stderr).toContain('converge-test-no-such-cli');
    expect(existsSync(join(dir, '.converge'))).toBe(false);
  });

  it('starts with a warning when only a fallback lacks its key', async () => {
    const dir = project(`agents:\n  default:\n    provider: external\n    fallback: [{ provider: openai, model: gpt-4.1, api_key_env: ${MISSING} }]\n`);
    const start = await converge(['start', 'Add a flag'], { cwd: dir, env: { PATH } });
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stderr).toMatch(new RegExp(`warning: agents\\.default\\.fallback\\[0\\].*${MISSING}`));
    expect(start.stdout.trim()).toMatch(/^wf-/);
  });
});

describe('converge doctor', () => {
  it('prints one line per item, fails on a missing key without printing any key value, and exits 1', async () => {
    const dir = project(`agents:\n  planner: { provider: anthropic, model: m, api_key_env: ${MISSING} }\n  validator: { provider: openai, model: m, api_key_env: CONVERGE_TEST_PRESENT_KEY }\n  programmer: { provider: command, command: [node, agent.mjs] }\n`);
    const env = { PATH, CONVERGE_TEST_PRESENT_KEY: 'sk-test-secret-value' };
    const text = await converge(['doctor'], { cwd: dir, env });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`✗ agent +agents\\.planner \\(anthropic m\\): ${MISSING} is not set`));
    expect(text.stdout).toMatch(/✓ agent +agents\.validator \(openai m\): CONVERGE_TEST_PRESENT_KEY is set/);
    expect(text.stdout).toMatch(/✓ agent +agents\.programmer \(command\): \S+\/node \(v\d+/);
    expect(text.stdout).toMatch(/✓ config/);
    expect(text.stdout).not.toContain('sk-test-secret-value');

    const json = await converge(['--json', 'doctor'], { cwd: dir, env });
    expect(json.exitCode).toBe(1);
    const items = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { check: string; status: string });
    expect(items.map((i) => i.check)).toEqual(['config', 'agent', 'agent', 'agent', 'store', 'sandbox', 'git']);
    expect(items.filter((i) => i.status === 'fail').map((i) => i.check)).toEqual(['agent']);
    expect(json.stdout).not.toContain('sk-test-secret-value');
    expect(readdirSync(dir)).toEqual(['converge.yaml']);
  });
});
