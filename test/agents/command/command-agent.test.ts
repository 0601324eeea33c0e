import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../../src/agents/agent-config.js';
import { CommandAgent, createCommandAgent } from '../../../src/agents/command/index.js';
import type { CommandAgentResponse } from '../../../src/agents/command/index.js';
import { failureClassOf } from '../../../src/agents/agent.js';
import { ConvergeError } from '../../../src/core/errors.js';
import {
  envWith,
  fixture,
  git,
  gitWorkspace,
  NODE,
  plainWorkspace,
  removeTempDirs,
  request,
  tempDir,
} from './command-test-helpers.js';
import { eventuallyNoneWith, eventuallySomeWith, SANDBOXES, uniqueSeconds } from '../../sandbox/sandbox-test-kit.js';

afterAll(removeTempDirs);

const coder = (extra: Partial<AgentConfig> = {}, args: string[] = []): AgentConfig => ({
  provider: 'command',
  command: [NODE, fixture('fake-coder.mjs'), ...args],
  fallback: [],
  ...extra,
});

async function run(config: AgentConfig, workspace: string, prompt: string, env = envWith(undefined)): Promise<CommandAgentResponse> {
  return new CommandAgent(config, { role: 'programmer', env, killGraceMs: 300 }).call(request(workspace, prompt));
}

async function failure(promise: Promise<unknown>): Promise<ConvergeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConvergeError);
  return error as ConvergeError;
}

describe('CommandAgent', () => {
  describe('a generic command that edits the workspace', () => {
    it('returns its created, updated and deleted files with their full content', async () => {
      const ws = gitWorkspace();
      const prompt = ['WRITE src/new.ts :: export const fresh = 2;\\n', 'WRITE README.md :: # demo\\nmore\\n', 'DELETE src/old.ts'].join('\n');
      const response = await run(coder(), ws, prompt);
      expect(response.files).toEqual([
        { path: 'README.md', action: 'update', content: '# demo\nmore\n' },
        { path: 'src/new.ts', action: 'create', content: 'export const fresh = 2;\n' },
        { path: 'src/old.ts', action: 'delete' },
      ]);
      expect(response.snapshot).toBe('git');
      expect(response.text).toContain('fake-coder: 3 edits');
    });

    it('leaves the user’s index and object store untouched', async () => {
      const ws = gitWorkspace();
      const objectsBefore = readdirSync(join(ws, '.git', 'objects')).sort();
      const indexBefore = readFileSync(join(ws, '.git', 'index'));
      await run(coder(), ws, 'WRITE added.txt :: hello');
      expect(readFileSync(join(ws, '.git', 'index'))).toEqual(indexBefore);
      expect(readdirSync(join(ws, '.git', 'objects')).sort()).toEqual(objectsBefore);
      expect(git(ws, 'status', '--porcelain')).toBe('?? added.txt\n');
    });

    it('does not blame the agent for uncommitted work that was there before', async () => {
      const ws = gitWorkspace();
      const dirty = join(ws, 'README.md');
      await run(coder(), ws, 'WRITE README.md :: user edit');
      const response = await run(coder(), ws, 'WRITE other.txt :: agent edit');
      expect(readFileSync(dirty, 'utf8')).toBe('user edit');
      expect(response.files.map((f) => f.path)).toEqual(['other.txt']);
    });

    it('ignores .gitignore’d output and Converge’s own .converge folder', async () => {
      const ws = gitWorkspace({ '.gitignore': 'dist/\n' });
      const response = await run(coder(), ws, ['WRITE dist/out.js :: built', 'WRITE .converge/converge.db :: state', 'WRITE src/a.ts :: a'].join('\n'));
      expect(response.files.map((f) => f.path)).toEqual(['src/a.ts']);
    });

    it('refuses a symlink that leads out of the workspace and skips binary files, saying so in its text', async () => {
      const ws = gitWorkspace();
      const outside = tempDir();
      const response = await run(coder(), ws, [`SYMLINK escape -> ${outside}`, 'BINARY logo.png', 'WRITE ok.txt :: fine'].join('\n'));
      expect(response.files.map((f) => f.path)).toEqual(['ok.txt']);
      expect(response.refused.map((n) => n.path)).toEqual(['escape']);
      expect(response.skipped).toEqual([{ path: 'logo.png', reason: 'it is a binary file' }]);
      expect(response.text).toContain('escape: refused');
      expect(response.text).toContain('logo.png: not recorded');
    });

    it('keeps only the tail of a very long stdout', async () => {
      const ws = gitWorkspace();
      const agent = new CommandAgent({ provider: 'command', command: [NODE, fixture('loud-agent.mjs')], fallback: [] }, { role: 'programmer', env: envWith(undefined) });
      const response = await agent.call(request(ws, 'shout'));
      expect(Buffer.byteLength(response.text)).toBeLessThanOrEqual(1024 * 1024);
      expect(response.text.endsWith('THE END\n')).toBe(true);
    });
  });

  describe('a workspace that is a subfolder of a repository', () => {
    it('reports paths relative to the workspace and nothing outside it', async () => {
      const repo = gitWorkspace({ 'pkg/a.ts': 'a', 'top.txt': 'top' });
      const response = await run(coder(), join(repo, 'pkg'), ['WRITE b.ts :: b', 'WRITE ../top.txt :: changed'].join('\n'));
      expect(response.snapshot).toBe('git');
      expect(response.files).toEqual([{ path: 'b.ts', action: 'create', content: 'b' }]);
    });

    it('falls back to walking the folder when the repository ignores it', async () => {
      const repo = gitWorkspace({ '.gitignore': 'scratch/\n', 'scratch/keep.txt': 'k' });
      const response = await run(coder(), join(repo, 'scratch'), 'WRITE new.txt :: n');
      expect(response.snapshot).toBe('files');
      expect(response.files).toEqual([{ path: 'new.txt', action: 'create', content: 'n' }]);
    });
  });

  describe('a workspace outside any git repository', () => {
    it('finds the changes by walking the folder', async () => {
      const ws = plainWorkspace({ 'keep.txt': 'same', 'edit.txt': 'before', 'gone.txt': 'bye', 'node_modules/x/index.js': 'x' });
      const response = await run(coder(), ws, ['WRITE edit.txt :: after', 'DELETE gone.txt', 'WRITE new/file.txt :: new', 'WRITE node_modules/x/index.js :: y'].join('\n'));
      expect(response.snapshot).toBe('files');
      expect(response.files).toEqual([
        { path: 'edit.txt', action: 'update', content: 'after' },
        { path: 'gone.txt', action: 'delete' },
        { path: 'new/file.txt', action: 'create', content: 'new' },
      ]);
      expect(existsSync(join(ws, '.git'))).toBe(false);
    });
  });

  describe('prompt delivery', () => {
    it.each([
      ['stdin', undefined, []],
      ['a file named by {prompt_file}', 'file', ['--prompt-file', '{prompt_file}']],
      ['a file appended as the last argument', 'file', ['--prompt-file-last']],
      ['an argument replacing {prompt}', 'arg', ['--prompt', '{prompt}']],
      ['an argument appended last', 'arg', ['--prompt-last']],
    ] as const)('delivers the prompt via %s', async (_name, via, args) => {
      const ws = gitWorkspace();
      const config = coder(via === undefined ? {} : { prompt_via: via }, [...args]);
      const response = await run(config, ws, 'WRITE delivered.txt :: yes');
      expect(response.files).toEqual([{ path: 'delivered.txt', action: 'create', content: 'yes' }]);
    });
  });

  describe.each(SANDBOXES)('a hung agent, in sandbox %s', (sandbox) => {
    it.each([
      ['that stops on SIGTERM', []],
      ['that ignores SIGTERM', ['--ignore-sigterm']],
    ] as const)('is killed with its children on timeout when %s, and reported as timeout', async (_name, extra) => {
      const ws = gitWorkspace();
      const marker = uniqueSeconds();
      const agent = new CommandAgent({ provider: 'command', command: [NODE, fixture('hung-agent.mjs'), marker, ...extra], sandbox, fallback: [] }, { role: 'programmer', env: envWith(undefined), killGraceMs: 300 });
      const started = Date.now();
      const error = await failure(agent.call(request(ws, 'hang', { timeoutMs: 700 })));
      expect(failureClassOf(error)).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await eventuallyNoneWith(marker)).toBe(true);
    });

    it('is stopped when the request is aborted, and reported as interrupted', async () => {
      const ws = gitWorkspace();
      const marker = uniqueSeconds();
      const controller = new AbortController();
      const agent = new CommandAgent({ provider: 'command', command: [NODE, fixture('hung-agent.mjs'), marker], sandbox, fallback: [] }, { role: 'programmer', env: envWith(undefined), killGraceMs: 300 });
      // Abort once the agent is really running (its child is there), not at a guessed time.
      void eventuallySomeWith(marker).then(() => controller.abort());
      const error = await failure(agent.call(request(ws, 'hang', { signal: controller.signal })));
      expect(failureClassOf(error)).toBe('interrupted');
      expect(await eventuallyNoneWith(marker)).toBe(true);
    });
  });

  describe('a failing agent', () => {
    it.each([
      ['HTTP 401 Unauthorized', 'auth', false],
      ['Error: 429 Too Many Requests (rate limit), retry-after: 7', 'rate_limited', true],
      ['API error 529: overloaded', 'provider_down', true],
      ['TypeError: cannot read properties of undefined', 'unknown', true],
    ] as const)('classifies "%s" on stderr as %s', async (stderr, failureClass, retryable) => {
      const ws = gitWorkspace();
      const error = await failure(run(coder(), ws, `STDERR ${stderr}\nEXIT 1`));
      expect(failureClassOf(error)).toBe(failureClass);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toContain('exited with code 1');
      expect(error.message).toContain(stderr);
    });

    it('reads retry-after from a rate-limit message', async () => {
      const error = await failure(run(coder(), gitWorkspace(), 'STDERR 429 rate limited; retry after 7 seconds\nEXIT 2'));
      expect(error.details['retryAfterMs']).toBe(7000);
    });

    it('scrubs secret values from the message', async () => {
      const env = envWith(undefined, { OPENAI_API_KEY: 'sk-live-abcdefghijklmnop1234' });
      const error = await failure(run(coder(), gitWorkspace(), 'STDERR 401: bad key sk-live-abcdefghijklmnop1234\nEXIT 1', env));
      expect(error.message).not.toContain('abcdefghijklmnop1234');
      expect(error.message).toContain('[redacted]');
    });

    it('reports a missing executable as a non-retryable bad_request', async () => {
      const error = await failure(run({ provider: 'command', command: ['converge-no-such-agent'], fallback: [] }, gitWorkspace(), 'hi'));
      expect(failureClassOf(error)).toBe('bad_request');
      expect(error.retryable).toBe(false);
    });
  });

  describe('the environment', () => {
    const dump = (extra: Partial<AgentConfig> = {}): AgentConfig => ({ provider: 'command', command: [NODE, fixture('env-dump.mjs')], fallback: [], ...extra });
    const planted = envWith(undefined, { MY_SECRET_TOKEN: 'planted-value-123', GITHUB_TOKEN: 'ghp_planted', EDITOR: 'vim' });
    const envSeen = (response: CommandAgentResponse) => JSON.parse(response.files.find((f) => f.path === 'env.json')!.content!) as Record<string, string>;

    it('withholds a planted secret and unlisted variables', async () => {
      const response = await run(dump(), gitWorkspace(), 'env', planted);
      const seen = envSeen(response);
      expect(seen['MY_SECRET_TOKEN']).toBeUndefined();
      expect(seen['GITHUB_TOKEN']).toBeUndefined();
      expect(seen['EDITOR']).toBeUndefined();
      expect(seen['PATH']).toBe(planted['PATH']);
    });

    it('passes a secret that env_allow lists by name', async () => {
      const response = await run(dump({ env_allow: ['MY_SECRET_TOKEN'] }), gitWorkspace(), 'env', planted);
      const seen = envSeen(response);
      expect(seen['MY_SECRET_TOKEN']).toBe('planted-value-123');
      expect(seen['GITHUB_TOKEN']).toBeUndefined();
    });

    it('redacts secret values the agent prints from its recorded text', async () => {
      const response = await run(dump({ env_allow: ['MY_SECRET_TOKEN'] }), gitWorkspace(), 'env', planted);
      expect(response.text).not.toContain('planted-value-123');
      expect(response.text).toContain('"MY_SECRET_TOKEN":"[redacted]"');
    });

    it('passes the api_key_env variable of a generic command under its own name', async () => {
      const response = await run(dump({ api_key_env: 'MY_SECRET_TOKEN' }), gitWorkspace(), 'env', planted);
      expect(envSeen(response)['MY_SECRET_TOKEN']).toBe('planted-value-123');
    });
  });

  describe('configuration', () => {
    it('rejects a config with neither preset nor command', () => {
      expect(() => createCommandAgent({ provider: 'command', fallback: [] }, { role: 'programmer' })).toThrow(/preset.*command/);
    });

    it('names itself after the preset or executable, under the shared provider key', () => {
      const agent = createCommandAgent({ provider: 'command', preset: 'codex', model: 'gpt-5-codex', max_concurrency: 2, fallback: [] }, { role: 'programmer' });
      expect([agent.id, agent.provider, agent.maxConcurrency]).toEqual(['command:codex:gpt-5-codex', 'command', 2]);
    });

    it('refuses a workspace that is not a folder', async () => {
      const error = await failure(run(coder(), join(tempDir(), 'missing'), 'x'));
      expect(error.code).toBe('WORKSPACE_INVALID');
    });
  });
});
