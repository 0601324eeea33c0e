/**
 * The review, a step's trace and an edit at the gate over HTTP (issue 17, parts 1–3), on the
 * review fixture: a git workspace whose existing src/total.ts the Programmer changes, round 1's
 * typecheck failing, round 2 passing.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { startWorkflow } from '../../../src/engine/workflow-commands.js';
import { createApp } from '../../../src/interfaces/http/create-app.js';
import type { ConvergeApp } from '../../../src/interfaces/http/create-app.js';
import { createAudit } from '../../../src/ops/audit/index.js';
import { createAuth } from '../../../src/ops/auth/index.js';
import type { Role } from '../../../src/ops/auth/index.js';
import { MemoryAuditLog, MemoryTokenStore } from '../../../src/ops/memory/memory-ops-store.js';
import { createMetrics } from '../../../src/ops/metrics.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/store.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';

const FIXTURE = resolve(import.meta.dirname, '..', '..', 'fixtures', 'review');

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'pipe' });
}

describe('review routes', () => {
  let store: Store;
  let engine: Engine;
  let app: ConvergeApp;
  let auditLog: MemoryAuditLog;
  let project: string;
  let id: string;
  const tokens = {} as Record<Role, string>;

  const call = async (method: string, path: string, role: Role, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens[role]}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-review-http-'));
    cpSync(FIXTURE, dir, { recursive: true });
    project = join(dir, 'project');
    git(project, 'init', '-q', '-b', 'main');
    git(project, 'add', '.');
    git(project, 'commit', '-q', '-m', 'The total before the change');
    const loaded = loadProjectConfig(dir, 'converge.yaml');
    store = await openStore(':memory:');
    engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir });
    const auth = createAuth({ tokens: new MemoryTokenStore() });
    for (const role of ['viewer', 'operator', 'approver'] as const) tokens[role] = (await auth.issue({ role, name: `${role}-user` })).secret;
    auditLog = new MemoryAuditLog();
    app = createApp({ engine, auth, audit: createAudit(auditLog), metrics: createMetrics({ processMetrics: false }), workspaceRoot: dir });
    const state = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Round the total to cents', workspace: { path: project, type: 'shared' }, profile: engine.profile.id });
    id = state.workflowId;
    expect((await engine.runner.run(id, { waitForHumans: false })).waitingFor).toBe('gate:plan_approval');
  });
  afterAll(() => store.close());

  it('shows the plan and its diff at the plan gate', async () => {
    const { status, body } = await call('GET', `/api/workflows/${id}/review`, 'viewer');
    expect(status).toBe(200);
    expect(body.gate).toMatchObject({ gate_id: 'plan_approval', kind: 'plan', step_number: 2 });
    expect(body.step).toMatchObject({ id: 'validate_plan', number: 2 });
    expect(body.change.kind).toBe('plan');
    expect(body.change.plan).toMatchObject({ previous_text: null, version: 1 });
    expect(body.change.plan.text).toContain('a rounded total');
    expect(body.scores).toContainEqual({ dimension: 'alignment', value: 9.5, threshold: 9, met: true });
    expect(body.usage).toMatchObject({ external: false });
    expect(body.usage.tokens).toBeGreaterThan(0);
  });

  it('refuses an edit from a viewer and records one from an approver, keeping the gate pending', async () => {
    const edited = `${readFileSync(join(FIXTURE, 'outputs', 'plan.md'), 'utf8')}3. Keep total()'s signature.\n`;
    expect((await call('POST', `/api/workflows/${id}/gate/edit`, 'viewer', { target: 'plan', content: edited })).status).toBe(403);
    const { status, body } = await call('POST', `/api/workflows/${id}/gate/edit`, 'approver', { target: 'plan', content: edited, comment: 'keep the API' });
    expect(status).toBe(200);
    expect(body.revision).toMatchObject({ artifact: 'plan', path: null, version: 2 });
    expect(body.revision.diff).toContain("+3. Keep total()'s signature.");
    expect(body.workflow.gate).not.toBeNull();
    const revision = body.workflow.timeline.find((e: { kind: string }) => e.kind === 'revision');
    expect(revision).toMatchObject({ title: 'human revision by approver-user: plan', comment: 'keep the API' });
    expect((await auditLog.read()).some((r) => r.action === 'gate.edit' && r.actor === 'approver-user')).toBe(true);
    const review = await call('GET', `/api/workflows/${id}/review`, 'viewer');
    expect(review.body.change.plan).toMatchObject({ version: 2, revised_by: { actor: 'approver-user' } });
    expect(review.body.change.files[0].diff).toContain("+3. Keep total()'s signature.");
  });

  it('refuses a file edit at the plan gate and an edit without a pending gate', async () => {
    const atPlan = await call('POST', `/api/workflows/${id}/gate/edit`, 'approver', { target: 'file', path: 'src/total.ts', content: 'x' });
    expect(atPlan.status).toBe(409);
    expect(atPlan.body.code).toBe('ILLEGAL_ACTION');
  });

  it('shows the code against the base at the final gate, with issues, every round\'s checks and the trace', async () => {
    expect((await call('POST', `/api/workflows/${id}/approval`, 'approver', { decision: 'approve' })).status).toBe(200);
    expect((await engine.runner.run(id, { waitForHumans: false })).waitingFor).toBe('gate:final_approval');
    const { body } = await call('GET', `/api/workflows/${id}/review`, 'viewer');
    expect(body.gate).toMatchObject({ gate_id: 'final_approval', kind: 'code' });
    expect(body.change.base).toMatch(/^workspace at start \([0-9a-f]{7}\)$/);
    const file = body.change.files.find((f: { path: string }) => f.path === 'src/total.ts');
    expect(file).toMatchObject({ status: 'modified', additions: 2, deletions: 1 });
    expect(file.diff).toContain('-  return sum;');
    expect(file.diff).not.toContain('@@ -0,0');
    expect(body.issues).toContainEqual(expect.objectContaining({ severity: 'minor', file: 'src/total.ts', line: 3 }));
    expect(body.checks).toEqual([expect.objectContaining({ id: 'typecheck', status: 'passed', round: 2 })]);
    const round1 = body.checks_by_round.find((r: { round: number }) => r.round === 1);
    expect(round1.checks[0]).toMatchObject({ id: 'typecheck', status: 'failed', exit_code: 2 });
    expect(round1.checks[0].failures).toEqual([{ file: 'src/total.ts', line: 3, message: "error TS2322: Type 'string' is not assignable to type 'number'." }]);
    expect(round1.checks[0].output_tail).toContain('Found 1 error');

    const trace = await call('GET', `/api/workflows/${id}/steps/4/trace`, 'viewer');
    expect(trace.status).toBe(200);
    expect(trace.body.step).toMatchObject({ number: 4, id: 'implement' });
    const [run] = trace.body.runs;
    expect(run.prompts[0].text).toContain("Keep total()'s signature.");
    expect(run.raw_output).toContain('# File: src/total.ts');
    expect(run.parsed).toMatchObject({ artifact: 'code', version: 1 });
    expect(run.tokens).toEqual({ input: 2100, output: 500, cached: 0 });
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('writes a file edit into the workspace and shows it in the review', async () => {
    const content = readFileSync(join(project, 'src', 'total.ts'), 'utf8').replace('const digits = 2;', 'const digits = 2; // cents');
    const { status, body } = await call('POST', `/api/workflows/${id}/gate/edit`, 'approver', { target: 'file', path: 'src/total.ts', content });
    expect(status).toBe(200);
    expect(body.revision).toMatchObject({ artifact: 'code', path: 'src/total.ts' });
    expect(readFileSync(join(project, 'src', 'total.ts'), 'utf8')).toContain('// cents');
    const review = await call('GET', `/api/workflows/${id}/review`, 'viewer');
    expect(review.body.change.files[0].diff).toContain('+  const digits = 2; // cents');
  });

  it.each([
    ['a path outside the workspace', { target: 'file', path: '../escape.ts', content: 'x' }, 'PATH_ESCAPE'],
    ['a path into .git', { target: 'file', path: '.git/config', content: 'x' }, 'PATH_ESCAPE'],
    ['a file edit without a path', { target: 'file', content: 'x' }, 'USAGE'],
    ['an unknown target', { target: 'readme', content: 'x' }, 'USAGE'],
  ])('refuses %s', async (_what, body, code) => {
    const res = await call('POST', `/api/workflows/${id}/gate/edit`, 'approver', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
  });

  it('answers 400 for a step that does not exist', async () => {
    const res = await call('GET', `/api/workflows/${id}/steps/42/trace`, 'viewer');
    expect(res.status).toBe(400);
    expect(res.body.hint).toContain('4 ');
  });
});
