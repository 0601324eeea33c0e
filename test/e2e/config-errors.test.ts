/**
 * Config and usage errors read the same way (issue 15, part 4): one headline, one line per
 * problem, one hint; an unknown name comes with the nearest known one ("did you mean").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { converge } from './helpers/cli.js';

const CONFIG = `profil: typescript
agents:
  default: { provider: antropic, model: claude-sonnet-4-5 }
`;

describe('a converge.yaml with problems', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'converge-config-errors-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(join(dir, 'converge.yaml'), CONFIG);
  });

  it('prints one headline, one line per problem with the nearest allowed name, and one hint', async () => {
    const result = await converge(['checks', 'list'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `converge: ${join(dir, 'converge.yaml')} has 2 problems:`,
      '  agents.default.provider: "antropic" is not one of scripted, external, anthropic, openai, openai-chat, openai-compatible, bedrock, google, command (did you mean "anthropic"?)',
      '  profil: unknown field "profil" (did you mean "profile"?)',
      '  hint: Fix the listed fields; `converge schema --kind config` prints every field converge.yaml may have.',
    ]);
  });

  it('gives the same under --json as one object on stderr, with the problems for programs', async () => {
    const result = await converge(['--json', 'checks', 'list'], { cwd: dir });
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const { error } = JSON.parse(lines[0]!) as { error: { code: string; message: string; hint: string; problems: Array<{ path: string; message: string }> } };
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.hint).toContain('converge schema --kind config');
    expect(error.problems.map((p) => p.path)).toEqual(['agents.default.provider', 'profil']);
  });
});

describe('an unknown name', () => {
  it.each([
    ['a profile', ['checks', 'list', '--profile', 'typscript'], 'There is no built-in profile "typscript" (did you mean "typescript"?).'],
    ['a command', ['stauts'], 'Unknown command \'stauts\' (did you mean "status"?).'],
    ['a schema kind', ['schema', '--kind', 'defintion'], 'Unknown schema kind "defintion" (did you mean "definition"?).'],
  ])('gets a "did you mean" for %s', async (_what, args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-did-you-mean-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const result = await converge(args, { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`converge: ${message}`);
    expect(result.stderr).toMatch(/\n {2}hint: \S/);
  });
});

describe("commander's usage errors", () => {
  it.each([
    ['a missing argument', ['run'], "Missing required argument 'requirements'.", 'converge run --help'],
    ['an unknown option', ['list', '--bogus'], "Unknown option '--bogus'.", 'converge list --help'],
    ['a missing option value', ['checks', 'run', '--only'], "Option '--only <id...>' argument missing.", 'converge checks run --help'],
  ])('carry a hint naming the command’s help for %s', async (_what, args, message, help) => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-usage-'));
    const result = await converge(args, { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([`converge: ${message}`, `  hint: Run \`${help}\` for its arguments and options.`]);
  });
});
