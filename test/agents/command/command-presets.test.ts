import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../../src/agents/agent-config.js';
import { failureClassOf } from '../../../src/agents/agent.js';
import { buildInvocation, codexConfigToml, codexOverrides } from '../../../src/agents/command/index.js';
import type { CommandConfig } from '../../../src/agents/command/index.js';

const RUN = '/tmp/run-1';
const source = { ANTHROPIC_API_KEY: 'sk-ant-default', OPENAI_API_KEY: 'sk-openai-default', GEMINI_API_KEY: 'g-default', TEAM_KEY: 'sk-team' };
const build = (config: Partial<AgentConfig>, prompt = 'Add a greet function.') =>
  buildInvocation({ provider: 'command', ...config } as CommandConfig, { prompt, runDir: RUN, source });

describe('buildInvocation', () => {
  describe('claude-code', () => {
    it('runs claude -p with streamed JSON output and acceptEdits, the prompt as an argument', () => {
      const inv = build({ preset: 'claude-code' });
      expect([inv.file, ...inv.args]).toEqual(['claude', '-p', 'Add a greet function.', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits']);
      expect(inv.stdin).toBeUndefined();
      expect(inv.output).toBe('claude-json');
    });

    it('adds --model, the key from api_key_env and a base URL without its /v1', () => {
      const inv = build({ preset: 'claude-code', model: 'claude-sonnet-4-5', api_key_env: 'TEAM_KEY', base_url: 'http://127.0.0.1:8080/v1/' });
      expect(inv.args.slice(-2)).toEqual(['--model', 'claude-sonnet-4-5']);
      expect(inv.env).toMatchObject({ ANTHROPIC_API_KEY: 'sk-team', ANTHROPIC_BASE_URL: 'http://127.0.0.1:8080' });
      expect(inv.secrets).toEqual(['sk-team']);
    });

    it('turns off telemetry and gives the run its own HOME and CLAUDE_CODE_TMPDIR', () => {
      const inv = build({ preset: 'claude-code' });
      expect(inv.env).toMatchObject({
        HOME: `${RUN}/home`,
        CLAUDE_CODE_TMPDIR: `${RUN}/claude-tmp`,
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        ANTHROPIC_API_KEY: 'sk-ant-default',
      });
      expect(inv.dirs).toEqual([`${RUN}/home`, `${RUN}/claude-tmp`]);
      expect(inv.writable).toEqual([]);
    });

    it('bounds its own retries: 1 by default, or `retries`', () => {
      expect(build({ preset: 'claude-code' }).env['CLAUDE_CODE_MAX_RETRIES']).toBe('1');
      expect(build({ preset: 'claude-code', retries: 0 }).env['CLAUDE_CODE_MAX_RETRIES']).toBe('0');
    });

    it('may run the project\'s check commands, one Bash pattern each', () => {
      const inv = buildInvocation({ provider: 'command', preset: 'claude-code' } as CommandConfig, { prompt: 'Fix it.', runDir: RUN, source, checkCommands: ['npm test', 'npx tsc --noEmit'] });
      expect(inv.args.slice(inv.args.indexOf('--allowedTools'), inv.args.indexOf('--permission-mode'))).toEqual(['--allowedTools', 'Bash(npm test:*)', 'Bash(npx tsc --noEmit:*)']);
    });

    it('with home: inherit keeps the user\'s HOME, takes only a key api_key_env names, and may write its state there', () => {
      const inherit = { ...source, HOME: '/home/dev' };
      const inv = buildInvocation({ provider: 'command', preset: 'claude-code', home: 'inherit' } as CommandConfig, { prompt: 'Fix it.', runDir: RUN, source: inherit });
      expect(inv.env['HOME']).toBeUndefined();
      expect(inv.env['ANTHROPIC_API_KEY']).toBeUndefined();
      expect(inv.writable).toEqual(['/home/dev/.claude', '/home/dev/.claude.json']);
      const keyed = buildInvocation({ provider: 'command', preset: 'claude-code', home: 'inherit', api_key_env: 'TEAM_KEY' } as CommandConfig, { prompt: 'Fix it.', runDir: RUN, source: inherit });
      expect(keyed.env['ANTHROPIC_API_KEY']).toBe('sk-team');
    });

    it.each([
      ['longer than one argv string may be', 'x'.repeat(200_000)],
      ['starting with a dash', '- list item first'],
    ])('sends a prompt %s on stdin', (_name, prompt) => {
      const inv = build({ preset: 'claude-code' }, prompt);
      expect(inv.args).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits']);
      expect(inv.stdin).toBe(prompt);
    });

    it('uses `command` as the executable when given', () => {
      const inv = build({ preset: 'claude-code', command: ['npx', '-y', 'claude'] });
      expect([inv.file, ...inv.args.slice(0, 3)]).toEqual(['npx', '-y', 'claude', '-p']);
    });
  });

  describe('codex', () => {
    it('runs codex exec --json in the workspace-write sandbox with stdin from /dev/null', () => {
      const inv = build({ preset: 'codex' });
      expect([inv.file, ...inv.args]).toEqual(['codex', 'exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', 'Add a greet function.']);
      expect(inv.stdin).toBeUndefined();
      expect(inv.output).toBe('codex-jsonl');
    });

    it('gives the run its own CODEX_HOME with a config.toml, and a temp folder outside /tmp\'s reach', () => {
      const inv = build({ preset: 'codex', api_key_env: 'TEAM_KEY' });
      expect(inv.env).toEqual({ CODEX_HOME: `${RUN}/codex-home`, TMPDIR: `${RUN}/tmp`, OPENAI_API_KEY: 'sk-team', CODEX_API_KEY: 'sk-team' });
      expect(inv.files.map((f) => f.path)).toEqual([`${RUN}/codex-home/config.toml`]);
    });

    it('reads a long prompt from stdin through "-"', () => {
      const prompt = 'y'.repeat(150_000);
      const inv = build({ preset: 'codex' }, prompt);
      expect(inv.args.at(-1)).toBe('-');
      expect(inv.stdin).toBe(prompt);
    });
  });

  describe('codexConfigToml', () => {
    it('declares a responses-API provider when base_url is set', () => {
      const toml = codexConfigToml({ provider: 'command', preset: 'codex', model: 'gpt-5-codex', base_url: 'http://127.0.0.1:9000/v1' });
      expect(toml).toContain('model = "gpt-5-codex"\nmodel_provider = "converge"');
      expect(toml).toContain('[model_providers.converge]\nname = "converge"\nbase_url = "http://127.0.0.1:9000/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"');
    });

    it('declares OpenAI\'s API as its own provider without base_url, with bounded retries', () => {
      const toml = codexConfigToml({ provider: 'command', preset: 'codex', retries: 0 });
      expect(toml).toContain('base_url = "https://api.openai.com/v1"');
      expect(toml).toContain('request_max_retries = 0\nstream_max_retries = 0');
    });

    it('always turns off update checks, analytics, feedback, otel and plugins', () => {
      const toml = codexConfigToml({ provider: 'command', preset: 'codex' });
      for (const line of [
        'check_for_update_on_startup = false',
        '[analytics]\nenabled = false',
        '[feedback]\nenabled = false',
        '[otel]\nexporter = "none"\ntrace_exporter = "none"\nmetrics_exporter = "none"',
        '[features]\nplugins = false\napps = false\nremote_plugin = false',
      ]) {
        expect(toml).toContain(line);
      }
    });
  });

  describe('codexOverrides (home: inherit)', () => {
    it('bounds the retries of the custom provider the user\'s config.toml selects', () => {
      const user = 'model = "gpt-5.5"\nmodel_provider = "gateway"\n\n[model_providers.gateway]\nbase_url = "http://gw/v1"\n';
      expect(codexOverrides({ provider: 'command', preset: 'codex', home: 'inherit' }, false, user)).toEqual([
        'check_for_update_on_startup=false',
        'model_providers.gateway.request_max_retries=1',
        'model_providers.gateway.stream_max_retries=1',
      ]);
    });

    it('leaves codex\'s built-in providers alone, which it would not let be changed', () => {
      expect(codexOverrides({ provider: 'command', preset: 'codex', home: 'inherit' }, false, 'model_provider = "openai"\n')).toEqual(['check_for_update_on_startup=false']);
    });

    it('declares Converge\'s provider for base_url, with the user\'s login when no key is handed over', () => {
      const overrides = codexOverrides({ provider: 'command', preset: 'codex', home: 'inherit', base_url: 'http://127.0.0.1:9/v1', model: 'm' }, false, undefined);
      expect(overrides).toContain('model="m"');
      expect(overrides).toContain('model_provider="converge"');
      expect(overrides.at(-1)).toContain('requires_openai_auth = true');
    });
  });

  describe('gemini', () => {
    it('runs gemini -p with JSON output, auto-approved edits, GEMINI_API_KEY and a home of its own', () => {
      const inv = build({ preset: 'gemini', model: 'gemini-2.5-pro' });
      expect([inv.file, ...inv.args]).toEqual(['gemini', '-p', 'Add a greet function.', '--output-format', 'json', '--approval-mode', 'auto_edit', '--skip-trust', '--model', 'gemini-2.5-pro']);
      expect(inv.env).toEqual({ GEMINI_API_KEY: 'g-default', GEMINI_CLI_HOME: `${RUN}/gemini-home`, GEMINI_CLI_SYSTEM_SETTINGS_PATH: `${RUN}/gemini-system-settings.json` });
    });

    it('bounds its attempts in a system settings file, which overrides the user\'s', () => {
      const inv = build({ preset: 'gemini', retries: 2 });
      expect(JSON.parse(inv.files[0]!.content)).toMatchObject({ general: { maxAttempts: 3 } });
    });

    it('allows the project\'s check commands as shell commands through a policy file', () => {
      const inv = buildInvocation({ provider: 'command', preset: 'gemini' } as CommandConfig, { prompt: 'Fix it.', runDir: RUN, source, checkCommands: ['npm test', 'node check.mjs'] });
      expect(inv.args.slice(inv.args.indexOf('--policy'))).toEqual(['--policy', `${RUN}/gemini-policy.toml`]);
      expect(inv.files[1]?.content).toContain('toolName = "run_shell_command"\ncommandPrefix = ["npm test", "node check.mjs"]\ndecision = "allow"');
    });
  });

  describe('aider (from documentation)', () => {
    it('runs aider --message without commits, keeping its history out of the workspace', () => {
      const inv = build({ preset: 'aider', model: 'gpt-4o' });
      expect(inv.args.slice(0, 4)).toEqual(['--message', 'Add a greet function.', '--yes-always', '--no-auto-commits']);
      expect(inv.args).toContain('--no-gitignore');
      expect(inv.args[inv.args.indexOf('--chat-history-file') + 1]).toBe(`${RUN}/aider-chat.md`);
      expect(inv.args.slice(-2)).toEqual(['--model', 'gpt-4o']);
      expect(inv.env).toEqual({ OPENAI_API_KEY: 'sk-openai-default' });
      expect(inv.ignore).toEqual(['.aider']);
    });

    it.each([
      ['claude-3-5-sonnet-20241022', 'ANTHROPIC_API_KEY', 'sk-ant-default'],
      ['anthropic/claude-sonnet-4-5', 'ANTHROPIC_API_KEY', 'sk-ant-default'],
      ['gpt-4o', 'OPENAI_API_KEY', 'sk-openai-default'],
    ])('passes the key the model %s needs (%s)', (model, name, value) => {
      expect(build({ preset: 'aider', model }).env).toEqual({ [name]: value });
    });

    it('puts a long prompt in --message-file', () => {
      const inv = build({ preset: 'aider' }, 'z'.repeat(120_000));
      expect(inv.args.slice(0, 2)).toEqual(['--message-file', `${RUN}/prompt.md`]);
      expect(inv.files).toEqual([{ path: `${RUN}/prompt.md`, content: 'z'.repeat(120_000) }]);
    });
  });

  describe('a generic command', () => {
    it('sends the prompt on stdin by default', () => {
      const inv = build({ command: ['my-agent', '--fast'] }, 'do it');
      expect([inv.file, ...inv.args, inv.stdin]).toEqual(['my-agent', '--fast', 'do it']);
      expect(inv.output).toBe('text');
    });

    it.each([
      ['replaces {prompt_file}', ['my-agent', '--task={prompt_file}'], ['--task=/tmp/run-1/prompt.md']],
      ['appends the file path', ['my-agent'], ['/tmp/run-1/prompt.md']],
    ])('with prompt_via file %s', (_name, command, args) => {
      const inv = build({ command, prompt_via: 'file' }, 'do it');
      expect(inv.args).toEqual(args);
      expect(inv.files).toEqual([{ path: '/tmp/run-1/prompt.md', content: 'do it' }]);
      expect(inv.stdin).toBeUndefined();
    });

    it.each([
      ['replaces {prompt}', ['my-agent', '-m', '{prompt}'], ['-m', 'do it']],
      ['appends the prompt', ['my-agent', '-m'], ['-m', 'do it']],
    ])('with prompt_via arg %s', (_name, command, args) => {
      expect(build({ command, prompt_via: 'arg' }, 'do it').args).toEqual(args);
    });

    it('fails as bad_request without a command', () => {
      expect.assertions(1);
      try {
        build({});
      } catch (error) {
        expect(failureClassOf(error)).toBe('bad_request');
      }
    });
  });

  describe('api_key_env naming a variable that is not set', () => {
    it('fails as auth before anything runs', () => {
      expect.assertions(1);
      try {
        build({ preset: 'claude-code', api_key_env: 'NOT_SET_ANYWHERE' });
      } catch (error) {
        expect(failureClassOf(error)).toBe('auth');
      }
    });
  });
});
