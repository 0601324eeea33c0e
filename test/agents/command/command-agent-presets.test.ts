/**
 * The claude-code and codex presets end to end, against fake `claude` and `codex` executables
 * on a PATH the test controls. The fakes print the output shapes recorded in cli-agents.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failureClassOf } from '../../../src/agents/agent.js';
import { CommandAgent } from '../../../src/agents/command/index.js';
import { quote } from '../../../src/agents/command/command-agent.js';
import type { AgentConfig } from '../../../src/agents/agent-config.js';
import { envWith, fakeBin, gitWorkspace, removeTempDirs, request, tempDir } from './command-test-helpers.js';

afterAll(removeTempDirs);

describe('CommandAgent with the claude-code preset', () => {
  const bin = fakeBin('bin-claude/claude');
  const setup = (config: Partial<AgentConfig> = {}) => {
    const record = join(tempDir(), 'claude-call.json');
    const env = envWith(bin, { TEAM_ANTHROPIC_KEY: 'sk-ant-team-0123456789', FAKE_CLAUDE_RECORD: record, UNRELATED_TOKEN: 'nope' });
    // The fake records its call in a file outside the workspace, which a sandbox keeps read-only.
    const agent = new CommandAgent({ provider: 'command', preset: 'claude-code', api_key_env: 'TEAM_ANTHROPIC_KEY', env_allow: ['FAKE_CLAUDE_RECORD'], sandbox: 'none', fallback: [], ...config }, { role: 'programmer', env });
    const seen = () => JSON.parse(readFileSync(record, 'utf8')) as { args: string[]; env: Record<string, string>; prompt: string };
    return { agent, seen };
  };

  describe('a successful run', () => {
    it('returns the JSON result as text, its usage and cost, and the file it wrote', async () => {
      const { agent } = setup({ model: 'claude-sonnet-4-5' });
      const response = await agent.call(request(gitWorkspace(), 'WRITE hello.ts :: export const greet = () => "hi";\\n'));
      expect(response.text).toBe('I created hello.ts with a greet function.');
      expect(response.files).toEqual([{ path: 'hello.ts', action: 'create', content: 'export const greet = () => "hi";\n' }]);
      expect(response.usage).toEqual({
        inputTokens: 10_120,
        outputTokens: 345,
        cachedInputTokens: 8000,
        costUsd: 0.01234,
        provider: 'command',
        model: 'claude-sonnet-4-5',
      });
    });

    it('calls claude -p with the prompt, streamed JSON output and acceptEdits', async () => {
      const { agent, seen } = setup({ model: 'claude-sonnet-4-5' });
      await agent.call(request(gitWorkspace(), 'Say hi.'));
      expect(seen().args).toEqual(['-p', 'Say hi.', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--model', 'claude-sonnet-4-5']);
    });

    it('gives claude the key, telemetry switches and a private HOME that is removed afterwards', async () => {
      const { agent, seen } = setup({ base_url: 'http://127.0.0.1:4010/v1' });
      await agent.call(request(gitWorkspace(), 'Say hi.'));
      const env = seen().env;
      expect(env).toMatchObject({
        ANTHROPIC_API_KEY: 'sk-ant-team-0123456789',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:4010',
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
      });
      expect(env['HOME']).not.toBe(process.env['HOME']);
      expect(env['CLAUDE_CODE_TMPDIR']?.startsWith(join(env['HOME']!, '..'))).toBe(true);
      expect(env['UNRELATED_TOKEN']).toBeUndefined();
      expect(env['TEAM_ANTHROPIC_KEY']).toBeUndefined();
      expect(existsSync(env['HOME']!)).toBe(false);
    });
  });

  describe('a result with is_error', () => {
    it('fails as auth with claude’s message, even though it printed JSON', async () => {
      const { agent } = setup();
      const error = await agent.call(request(gitWorkspace(), 'FAIL AUTH')).catch((e: unknown) => e);
      expect(failureClassOf(error)).toBe('auth');
      // In claude's own words, without its misleading `subtype: "success"` nor the raw JSON.
      expect((error as Error).message).toBe('The programmer agent (claude-code) failed: Invalid API key · Please run /login');
    });

    it('cuts a long error text at a word boundary', async () => {
      expect(quote(`${'word '.repeat(200)}end`)).toMatch(/^(word ){119}word…$/);
      expect(quote('short')).toBe('short');
    });
  });
});

describe('CommandAgent with the codex preset', () => {
  const bin = fakeBin('bin-codex/codex');
  const agent = new CommandAgent({ provider: 'command', preset: 'codex', model: 'gpt-5', fallback: [] }, { role: 'programmer', env: envWith(bin, { OPENAI_API_KEY: 'sk-openai-0123456789' }) });

  describe('a run that writes a file', () => {
    it('returns the last agent message, the file, and usage priced from the model', async () => {
      const response = await agent.call(request(gitWorkspace(), 'WRITE hello.ts :: export {};'));
      expect(response.text).toBe('Created hello.ts.');
      expect(response.files).toEqual([{ path: 'hello.ts', action: 'create', content: 'export {};' }]);
      expect(response.usage).toMatchObject({ inputTokens: 2400, cachedInputTokens: 1200, outputTokens: 90, model: 'gpt-5' });
      expect(response.usage?.costUsd).toBeCloseTo(0.00255, 8);
    });
  });

  describe('a run that exits 0 but whose writes failed', () => {
    it('is a failure of class unknown that quotes the failed write', async () => {
      const error = await agent.call(request(gitWorkspace(), 'Create hello.ts')).catch((e: unknown) => e);
      expect(failureClassOf(error)).toBe('unknown');
      expect((error as Error).message).toContain('exited 0 but changed no files');
      expect((error as Error).message).toContain('Read-only file system');
    });
  });

  describe('a step that only reports', () => {
    it('still fails when the stream shows a refused write', async () => {
      const error = await agent.call(request(gitWorkspace(), 'Review', { role: 'validator', expect: 'report' })).catch((e: unknown) => e);
      expect(failureClassOf(error)).toBe('unknown');
    });

    it('succeeds when only a command it ran failed (a failing test is a finding, not a fault)', async () => {
      const response = await agent.call(request(gitWorkspace(), 'RUN TESTS', { role: 'validator', expect: 'report' }));
      expect(response.text).toBe('One test fails: greet() returns undefined.');
    });
  });

  describe('a step that must produce files, where only a command failed and nothing changed', () => {
    it('is a failure of class unknown', async () => {
      const error = await agent.call(request(gitWorkspace(), 'RUN TESTS')).catch((e: unknown) => e);
      expect(failureClassOf(error)).toBe('unknown');
      expect((error as Error).message).toContain('npm test');
    });
  });
});
