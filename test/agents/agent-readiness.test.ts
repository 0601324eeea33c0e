/**
 * Whether a workflow's agents can run here: key variables by name, command-agent programs on PATH.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentsConfigSchema } from '../../src/agents/agent-config.js';
import { agentEntries, agentProblems, assertAgentsReady } from '../../src/agents/agent-readiness.js';
import { isConvergeError } from '../../src/core/errors.js';

const ROLES = ['planner', 'validator', 'programmer'] as const;
const workspace = mkdtempSync(join(tmpdir(), 'converge-ready-'));
const env = { PATH: '/usr/bin:/bin' };

function agents(input: unknown) {
  return AgentsConfigSchema.parse(input);
}

describe('agentEntries', () => {
  it('lists each configured entry once with the roles it serves, fallbacks and the advisor after the primaries', () => {
    const config = agents({
      default: { provider: 'anthropic', model: 'm', fallback: [{ provider: 'openai', model: 'g' }] },
      programmer: { provider: 'command', preset: 'claude-code' },
      advisor: { provider: 'google', model: 'x' },
    });
    expect(agentEntries(config, [...ROLES]).map((e) => [e.source, e.roles, e.primary])).toEqual([
      ['agents.default', ['planner', 'validator'], true],
      ['agents.programmer', ['programmer'], true],
      ['agents.default.fallback[0]', ['planner', 'validator'], false],
      ['agents.advisor', ['advisor'], false],
    ]);
  });

  it('leaves out roles without configuration (external by default)', () => {
    expect(agentEntries(agents({}), [...ROLES])).toEqual([]);
  });
});

describe('agentProblems', () => {
  it.each([
    ['anthropic', { provider: 'anthropic', model: 'm' }, ['ANTHROPIC_API_KEY']],
    ['openai-chat', { provider: 'openai-chat', model: 'm' }, ['OPENAI_API_KEY']],
    ['google', { provider: 'google', model: 'm' }, ['GOOGLE_GENERATIVE_AI_API_KEY']],
    ['bedrock with AWS keys', { provider: 'bedrock', model: 'm' }, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']],
    ['api_key_env', { provider: 'anthropic', model: 'm', api_key_env: 'MY_LLM' }, ['MY_LLM']],
    ['openai-compatible without a key', { provider: 'openai-compatible', model: 'm', base_url: 'http://127.0.0.1:1/v1' }, []],
    ['external', { provider: 'external' }, []],
  ])('%s needs %j', (_name, entry, variables) => {
    const problems = agentProblems(agents({ default: entry }), [...ROLES], { env, workspace });
    expect(problems.map((p) => p.need.name)).toEqual(variables);
  });

  it('counts a blank variable as missing and never reads a value into the problem', () => {
    const problems = agentProblems(agents({ default: { provider: 'openai', model: 'm' } }), [...ROLES], { env: { ...env, OPENAI_API_KEY: '  ' }, workspace });
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(agentProblems(agents({ default: { provider: 'openai', model: 'm' } }), [...ROLES], { env: { ...env, OPENAI_API_KEY: 'sk-x' }, workspace }))).not.toContain('sk-x');
  });

  it('finds a command on PATH or as a path from the workspace', () => {
    const script = join(workspace, 'agent.sh');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o755);
    const config = (command: string[]) => agents({ default: { provider: 'command', command } });
    expect(agentProblems(config(['sh', '-c', 'true']), [...ROLES], { env, workspace })).toEqual([]);
    expect(agentProblems(config(['./agent.sh']), [...ROLES], { env, workspace })).toEqual([]);
    expect(agentProblems(config(['no-such-agent-cli']), [...ROLES], { env, workspace })[0]?.message).toMatch(/runs `no-such-agent-cli`, which is not on PATH/);
    expect(agentProblems(agents({ default: { provider: 'command', preset: 'codex' } }), [...ROLES], { env, workspace })[0]?.need).toMatchObject({ kind: 'cli', name: 'codex' });
  });
});

describe('assertAgentsReady', () => {
  it('refuses a primary agent without its key, naming the entry, the roles and the variable', () => {
    let thrown: unknown;
    try {
      assertAgentsReady(agents({ planner: { provider: 'anthropic', model: 'm' } }), [...ROLES], { env, workspace });
    } catch (error) {
      thrown = error;
    }
    expect(isConvergeError(thrown) && thrown.code).toBe('AGENT_NOT_READY');
    expect((thrown as Error).message).toMatch(/agents\.planner \(anthropic m, for planner\) needs the environment variable ANTHROPIC_API_KEY/);
    expect((thrown as { hint: string }).hint).toMatch(/export ANTHROPIC_API_KEY=…/);
  });

  it('returns a missing fallback key as a warning instead of refusing', () => {
    const config = agents({ default: { provider: 'command', command: ['sh'], fallback: [{ provider: 'anthropic', model: 'm' }] } });
    const warnings = assertAgentsReady(config, [...ROLES], { env, workspace });
    expect(warnings.map((w) => [w.source, w.primary])).toEqual([['agents.default.fallback[0]', false]]);
  });
});
