/**
 * Metrics from a real scripted run (the crash fixture: one plan revision, one code refinement,
 * one rate-limited call), fed by observeEvents through the engine's onEvents hook and read back
 * from /metrics as Prometheus text.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { createApp } from '../../src/interfaces/http/create-app.js';
import { createAudit } from '../../src/ops/audit/index.js';
import { createAuth } from '../../src/ops/auth/index.js';
import { openMemoryOpsStore } from '../../src/ops/memory/memory-ops-store.js';
import { AGENT_RESPONSE_BUCKETS, VALIDATION_DURATION_BUCKETS, WORKFLOW_DURATION_BUCKETS, createMetrics, observeEvents } from '../../src/ops/metrics.js';
import { openStore } from '../../src/store/index.js';
import { loadProjectConfig } from '../../src/workflows/loader.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');

/** `name{a="1",b="2"}` → value, labels sorted, from Prometheus exposition text. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const labels = (match[2] ?? '').split(/,(?=\w+=")/).filter(Boolean).sort().join(',');
    samples.set(`${match[1]}{${labels}}`, Number(match[3]));
  }
  return samples;
}

describe('metrics › after a scripted run of the crash fixture', () => {
  let samples: Map<string, number>;
  let text: string;
  const sample = (key: string) => samples.get(key);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-metrics-'));
    cpSync(FIXTURE, dir, { recursive: true });
    // Each successful call reports 100 input, 40 output and 10 cached tokens, as a provider would.
    const session = join(dir, 'session.yaml');
    writeFileSync(session, readFileSync(session, 'utf8').replace(/\{ file: ([^,}]+)/g, '{ file: $1, usage: { input_tokens: 100, output_tokens: 40, cached_input_tokens: 10 }'));
    const loaded = loadProjectConfig(dir, 'converge.yaml');
    const store = await openStore(':memory:');
    const metrics = createMetrics({ processMetrics: false });
    const engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir, onEvents: (state, events) => observeEvents(metrics, state, events) });
    const state = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Write the value file',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      profile: engine.profile.id,
      autoApprove: true,
    });
    const outcome = await engine.runner.run(state.workflowId, { waitForHumans: false });
    expect(outcome.status).toBe('completed');

    const ops = openMemoryOpsStore();
    const auth = createAuth({ tokens: ops.tokens });
    const viewer = await auth.issue({ role: 'viewer', name: 'prometheus' });
    const app = createApp({ engine, auth, audit: createAudit(ops.auditLog), metrics });
    const res = await app.request('/metrics', { headers: { authorization: `Bearer ${viewer.secret}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    text = await res.text();
    samples = parseExposition(text);
    await store.close();
  }, 60_000);

  it('declares every named metric with its type', () => {
    for (const [name, type] of [
      ['converge_workflow_duration_seconds', 'histogram'],
      ['converge_agent_response_seconds', 'histogram'],
      ['converge_validation_duration_seconds', 'histogram'],
      ['converge_rounds_to_converge', 'histogram'],
      ['converge_workflows_total', 'counter'],
      ['converge_failures_total', 'counter'],
      ['converge_tokens_total', 'counter'],
      ['converge_cost_usd_total', 'counter'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}`);
    }
  });

  it('uses the seed buckets', () => {
    for (const le of WORKFLOW_DURATION_BUCKETS) expect(samples.has(`converge_workflow_duration_seconds_bucket{le="${le}",outcome="completed"}`)).toBe(true);
    for (const le of AGENT_RESPONSE_BUCKETS) expect(samples.has(`converge_agent_response_seconds_bucket{le="${le}",role="planner"}`)).toBe(true);
    for (const le of VALIDATION_DURATION_BUCKETS) expect(samples.has(`converge_validation_duration_seconds_bucket{artifact="plan",le="${le}"}`)).toBe(true);
  });

  it('counts one completed workflow and its duration', () => {
    expect(sample('converge_workflows_total{outcome="completed"}')).toBe(1);
    expect(sample('converge_workflow_duration_seconds_count{outcome="completed"}')).toBe(1);
    expect(sample('converge_workflow_duration_seconds_sum{outcome="completed"}')).toBeGreaterThan(0);
    expect(sample('converge_workflow_duration_seconds_bucket{le="30",outcome="completed"}')).toBe(1);
  });

  it('counts the one rate-limited call as a failure', () => {
    expect(sample('converge_failures_total{class="rate_limited"}')).toBe(1);
  });

  it('times each agent answer by role, failures included', () => {
    expect(sample('converge_agent_response_seconds_count{role="planner"}')).toBe(2);
    expect(sample('converge_agent_response_seconds_count{role="validator"}')).toBe(4);
    expect(sample('converge_agent_response_seconds_count{role="programmer"}')).toBe(3);
  });

  it('times each validation by artifact', () => {
    expect(sample('converge_validation_duration_seconds_count{artifact="plan"}')).toBe(2);
    expect(sample('converge_validation_duration_seconds_count{artifact="code"}')).toBe(2);
  });

  it('records the rounds each loop needed to converge', () => {
    expect(sample('converge_rounds_to_converge_count{loop="plan_loop"}')).toBe(1);
    expect(sample('converge_rounds_to_converge_sum{loop="plan_loop"}')).toBe(2);
    expect(sample('converge_rounds_to_converge_count{loop="code_loop"}')).toBe(1);
    expect(sample('converge_rounds_to_converge_sum{loop="code_loop"}')).toBe(2);
  });

  it('adds up tokens by provider and kind, and cost by provider', () => {
    // Successful agent calls: 2 plans, 2 plan reviews, 2 code versions, 4 code reviews.
    const calls = 10;
    expect(sample('converge_tokens_total{kind="input",provider="scripted"}')).toBe(100 * calls);
    expect(sample('converge_tokens_total{kind="output",provider="scripted"}')).toBe(40 * calls);
    expect(sample('converge_tokens_total{kind="cached_input",provider="scripted"}')).toBe(10 * calls);
    expect(sample('converge_cost_usd_total{provider="scripted"}')).toBe(0);
  });
});

describe('metrics › commands appended outside a runner', () => {
  it('counts a workflow rejected at a gate over HTTP', async () => {
    const { createHttpKit } = await import('../interfaces/http/http-test-kit.js');
    const kit = await createHttpKit();
    const id = await kit.workflowAtPlanGate();
    const res = await kit.json('POST', `/api/workflows/${id}/approval`, { role: 'approver', body: { decision: 'reject', comment: 'wrong direction' } });
    expect(res.status).toBe(200);
    const samples = parseExposition(await (await kit.request('GET', '/metrics', { role: 'viewer' })).text());
    expect(samples.get('converge_workflows_total{outcome="rejected"}')).toBe(1);
    await kit.close();
  });
});
