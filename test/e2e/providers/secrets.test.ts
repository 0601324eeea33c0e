/**
 * No API key, credential-bearing base URL or Authorization header ever reaches the store,
 * the logs, or an export — checked by grepping everything a run leaves behind. A base URL with a
 * password in it is refused before anything runs, without echoing the password.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import { converge, copyFixture } from '../helpers/cli.js';
import { HAPPY_PATH } from './provider-harness.js';

const KEY = 'sk-live-SECRET-4f9a8b7c6d5e';
const URL_PASSWORD = 'hunter2-url-password';
let fake: FakeLlmServer;

beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => fake.close());

describe('secrets after a run', () => {
  it('appear nowhere in the store, the output, show, history or exports', async () => {
    const dir = copyFixture('crash');
    const [plan] = HAPPY_PATH();
    fake.enqueue('anthropic', { text: plan! }, { status: 401 });
    const withCredentials = fake.baseUrl('openai-chat').replace('http://', `http://admin:${URL_PASSWORD}@`);
    const agents = (programmerUrl: string) =>
      stringify({
        planner: { provider: 'anthropic', model: 'claude-sonnet-4-5', base_url: fake.baseUrl('anthropic'), api_key_env: 'MY_PROVIDER_KEY' },
        validator: { provider: 'anthropic', model: 'claude-sonnet-4-5', base_url: fake.baseUrl('anthropic'), api_key_env: 'MY_PROVIDER_KEY', fallback: [{ provider: 'openai-chat', model: 'gpt-4.1', base_url: programmerUrl, api_key_env: 'MY_PROVIDER_KEY' }] },
        programmer: { provider: 'openai-chat', model: 'gpt-4.1', base_url: programmerUrl, api_key_env: 'MY_PROVIDER_KEY' },
      });
    const env = { MY_PROVIDER_KEY: KEY };
    const args = ['--store', 'store.db', 'run', 'Write the value file', '--workspace', 'project', '--agents', 'agents.yaml', '--auto-approve', '--no-wait'];

    // A password in a base URL is refused before anything is recorded, and not repeated back.
    writeFileSync(join(dir, 'agents.yaml'), agents(withCredentials));
    const refused = await converge(args, { cwd: dir, env });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/programmer\.base_url: has a user name or password in it.*api_key_env/);
    const outputs = [refused.stdout, refused.stderr];

    writeFileSync(join(dir, 'agents.yaml'), agents(fake.baseUrl('openai-chat')));
    const run = await converge(args, { cwd: dir, env });
    const id = /wf-[0-9a-f]+/.exec(run.stdout)?.[0];
    expect(id, run.stderr).toBeDefined();
    // The fake provider really received the key, so the test would see a leak if there were one.
    expect(JSON.stringify(fake.requests.map((r) => r.headers))).toContain(KEY);

    outputs.push(run.stdout, run.stderr);
    for (const args of [['show', id!], ['history', id!], ['export', id!], ['export', id!, '--format', 'events'], ['--json', 'history', id!], ['status', id!]]) {
      const r = await converge(['--store', 'store.db', ...args], { cwd: dir, env });
      outputs.push(r.stdout, r.stderr);
    }
    for (const file of readdirSync(dir).filter((f) => f.startsWith('store.db'))) outputs.push(readFileSync(join(dir, file)).toString('latin1'));
    const everything = outputs.join('\n');
    expect(everything).toContain(id!);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(URL_PASSWORD);
    expect(everything).not.toMatch(/authorization|bearer /i);
  }, 60_000);
});
