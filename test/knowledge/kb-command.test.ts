import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerKbCommand } from '../../src/interfaces/cli/commands/kb-command.js';
import { fixtureWorkspace } from './knowledge-fixture.js';

let root: string;
let cleanup: () => void;

beforeEach(() => {
  ({ root, cleanup } = fixtureWorkspace());
});
afterEach(() => {
  vi.restoreAllMocks();
  cleanup();
});

/** Runs `converge <args>` with the global options main.ts declares and returns stdout. */
async function kb(...args: string[]): Promise<string> {
  const program = new Command().option('--config <file>').option('--json').exitOverride();
  registerKbCommand(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await program.parseAsync(['kb', ...args], { from: 'user' });
  return out;
}

describe('converge kb search', () => {
  it('lists the selected chunks with path, title, score, tokens and the total', async () => {
    const out = await kb('search', 'refresh token rotation', '--workspace', root, '--doc', 'docs', '--no-text');
    expect(out).toMatch(/^ 1\s+\d+\.\d\d\s+\d+\s+docs\/authentication\.md — Authentication › Refresh tokens$/m);
    expect(out).toMatch(/^Total: \d+ of 3000 tokens for the programmer, \d+ chunks?\.$/m);
  });

  it('prints the text an agent would get, under a budget', async () => {
    const json = JSON.parse(await kb('--json', 'search', 'refresh', 'tokens', '--workspace', root, '--doc', 'docs', '--role', 'validator', '--budget', '120')) as {
      budget: number;
      tokens: number;
      text: string;
      chunks: { path: string }[];
    };
    expect(json.budget).toBe(120);
    expect(json.tokens).toBeLessThanOrEqual(120);
    expect(json.text.startsWith('### docs/authentication.md — ')).toBe(true);
  });

  it("reads the locations from converge.yaml's documentation", async () => {
    writeFileSync(join(root, 'converge.yaml'), 'documentation: ["docs/guides"]\n');
    const json = JSON.parse(await kb('--json', '--config', join(root, 'converge.yaml'), 'search', 'vitest fixtures', '--workspace', root)) as { index: { globs: string[]; files: number } };
    expect(json.index).toMatchObject({ globs: ['docs/guides'], files: 1 });
  });

  it.each([
    ['a budget that is not a positive integer', ['--budget', '-5']],
    ['a budget with a fraction', ['--budget', '2.5']],
    ['an unknown role', ['--role', 'reviewer']],
    ['a workspace that is not a directory', ['--workspace', 'README.md']],
  ])('rejects %s with USAGE and a hint', async (_, flags) => {
    const error = await kb('search', 'anything', '--doc', 'docs', ...flags.map((f) => (f === 'README.md' ? join(root, f) : f))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'USAGE', hint: expect.any(String) });
  });
});

describe('converge kb index', () => {
  it('prints the added, updated, removed and unchanged counts', async () => {
    expect(await kb('index', '--workspace', root, '--doc', 'docs')).toMatch(/added 3, updated 0, removed 0, unchanged 0\.$/m);
    writeFileSync(join(root, 'docs', 'deployment.md'), '# Deployment\n\nNow on bare metal.\n');
    expect(await kb('index', '--workspace', root, '--doc', 'docs')).toMatch(/added 0, updated 1, removed 0, unchanged 2\.$/m);
  });
});
