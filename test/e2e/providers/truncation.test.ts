/**
 * Cut-off output is never accepted (#14). A model that stops at its output limit — each provider's
 * own finish reason, from the fake server — is asked to continue and the parts are joined; still
 * cut, or cut mid-structure without saying so, the output is `invalid_output: truncated` and gets
 * the repair prompt, then a human. Nothing cut off is recorded as the step's result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer } from '../../helpers/fake-llm/fake-llm-server.js';
import type { FakeLlmServer, FakeProviderName, FakeRoute } from '../../helpers/fake-llm/fake-llm-server.js';
import type { AgentConfig } from '../../../src/agents/agent-config.js';
import { HAPPY_PATH, harness, text } from './provider-harness.js';

process.env.CONVERGE_TEST_KEY = 'sk-test-KEY-0123456789';
process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKE';
process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-access-key';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => fake.close());

const ROUTE: Record<string, FakeRoute> = { anthropic: 'anthropic', openai: 'openai-responses', 'openai-chat': 'openai-chat', bedrock: 'bedrock', google: 'google' };
const MODEL: Record<string, string> = {
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4.1',
  'openai-chat': 'gpt-4.1',
  bedrock: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  google: 'gemini-2.5-pro',
};

function agent(provider: string): AgentConfig {
  return { provider, model: MODEL[provider], base_url: fake.baseUrl(provider as FakeProviderName), api_key_env: 'CONVERGE_TEST_KEY', fallback: [] } as AgentConfig;
}

/** Splits `whole` in two at a line inside it, as a model cut at its limit would leave it. */
function halves(whole: string, at: string): [string, string] {
  const cut = whole.indexOf(at) + Math.ceil(at.length / 2);
  return [whole.slice(0, cut), whole.slice(cut)];
}

const [plan, planReview, code, reviewA, reviewB] = HAPPY_PATH();

describe('a reply cut at the output limit', () => {
  it.each(Object.keys(ROUTE))('is continued through %s and the joined review is what is recorded', async (provider) => {
    fake.reset();
    const [head, tail] = halves(planReview!, '- Compatibility Score');
    fake.enqueue(ROUTE[provider]!, { text: plan! }, { text: head, truncated: true }, { text: tail }, { text: code! }, { text: reviewA! }, { text: reviewB! });
    const h = await harness({ default: agent(provider) });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('completed');
    const review = state.validations.find((v) => v.stepId === 'validate_plan')!;
    expect(review.report.scoreCard.dimensions).toMatchObject({ alignment: expect.any(Number), compatibility: expect.any(Number) });
    // The continuation carries the partial answer back to the model and asks it to go on.
    const continuation = JSON.stringify(fake.requests[2]!.body);
    expect(continuation).toContain('Continue exactly where it stopped');
    expect(continuation).toContain(JSON.stringify(head.slice(-30)).slice(1, -1));
    expect(state.runs.find((r) => r.stepId === 'validate_plan')!.usage[0]!.inputTokens).toBe(2400);
  });

  it('joins a code answer cut inside a file block, and writes the whole file', async () => {
    fake.reset();
    const [head, tail] = halves(code!, 'good');
    fake.enqueue('anthropic', { text: plan! }, { text: planReview! }, { text: head, truncated: true }, { text: tail }, { text: reviewA! }, { text: reviewB! });
    const h = await harness({ default: agent('anthropic') });
    const state = await h.run(await h.start());
    expect(state.status).toBe('completed');
    expect(state.outputs.find((o) => o.output.artifact === 'code')!.output.files).toEqual([expect.objectContaining({ path: 'src/value.txt', content: 'good\n' })]);
  });

  it('is invalid output, truncated, when it is still cut after its continuations; it is repaired, then escalated, never recorded', async () => {
    fake.reset();
    const cut = { text: planReview!.slice(0, 60), truncated: true };
    fake.enqueue('anthropic', { text: plan! }, ...Array.from({ length: 9 }, () => cut));
    const h = await harness({ default: agent('anthropic') });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('waiting_for_human');
    expect(state.escalation).toMatchObject({ reason: 'failure' });
    expect(state.validations).toEqual([]);
    const failures = (await h.events(id)).filter((e) => e.type === 'step_failed');
    expect(failures.length).toBeGreaterThan(1);
    for (const failure of failures) expect(failure).toMatchObject({ failure: { class: 'invalid_output', message: expect.stringMatching(/^truncated:/) } });
    expect(state.runs.filter((r) => r.stepId === 'validate_plan').map((r) => r.recoveryStrategy ?? null)).toContain('repair_prompt');
  });
});

describe('a reply that ends mid-structure without saying it was cut', () => {
  it('is invalid output, truncated: a review cut mid-issue never converges the plan', async () => {
    fake.reset();
    const cutReview = `${text('plan-review-2.md').trimEnd()}\n\n## Issues\n- [Crit`;
    fake.enqueue('anthropic', { text: plan! }, { text: cutReview }, { text: planReview! }, { text: code! }, { text: reviewA! }, { text: reviewB! });
    const h = await harness({ default: agent('anthropic') });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('completed');
    const failed = (await h.events(id)).find((e) => e.type === 'step_failed');
    expect(failed).toMatchObject({ failure: { class: 'invalid_output', message: expect.stringContaining('truncated: the review ends mid-item') } });
    // The repair prompt tells the model what was wrong.
    expect(JSON.stringify(fake.requests[2]!.body)).toContain('truncated: the review ends');
    expect(state.validations.filter((v) => v.stepId === 'validate_plan')).toHaveLength(1);
  });
});

describe("a CLI agent's cut output", () => {
  it('is invalid output, truncated, where it shows: a validator run as a command agent that prints a review cut inside a code block', async () => {
    fake.reset();
    fake.enqueue('anthropic', { text: plan! });
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'converge-cut-cli-'));
    const cutReview = join(dir, 'review.md');
    writeFileSync(cutReview, `${planReview!.trimEnd()}\n\n## Suggested fix\n\`\`\`ts\nexport function value() {\n  return 'go`);
    const printer = join(dir, 'print.mjs');
    writeFileSync(printer, "import { readFileSync } from 'node:fs';\nprocess.stdout.write(readFileSync(process.argv[2], 'utf8'));\n");
    const h = await harness({
      default: agent('anthropic'),
      validator: { provider: 'command', command: [process.execPath, printer, cutReview], prompt_via: 'stdin', fallback: [] } as AgentConfig,
    });
    const id = await h.start();
    const state = await h.run(id);
    expect(state.status).toBe('waiting_for_human');
    expect(state.validations).toEqual([]);
    const failed = (await h.events(id)).find((e) => e.type === 'step_failed');
    expect(failed).toMatchObject({ failure: { class: 'invalid_output', message: expect.stringContaining('truncated: the review ends inside a code block') } });
  });
});
