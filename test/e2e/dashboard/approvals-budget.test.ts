/**
 * A gate that needs two approvers and a budget that was reached, in headless Chromium (issue 17,
 * parts 5 and 6): after alice approves, bob's page says "1 of 2 approvals, by alice" and his
 * approval opens the gate; a workflow over its max_cost_usd shows its budget as a bar in the
 * reached state and the escalation's "Raise the budget", which lets it continue.
 */
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { startWorkflow } from '../../../src/engine/workflow-commands.js';
import { startHttpServer } from '../../../src/interfaces/http/serve-http.js';
import type { RunningHttpServer } from '../../../src/interfaces/http/serve-http.js';
import { createAudit } from '../../../src/ops/audit/index.js';
import { createAuth } from '../../../src/ops/auth/index.js';
import type { Auth } from '../../../src/ops/auth/index.js';
import { openMemoryOpsStore } from '../../../src/ops/memory/memory-ops-store.js';
import { createMetrics } from '../../../src/ops/metrics.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/store.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SKIP_REASON = `${CHROMIUM} is missing; install it with: apt-get install -y chromium`;
const hasChromium = existsSync(CHROMIUM);

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!hasChromium)(`approvals and budgets in the dashboard${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let browser: Browser;
  const servers: Array<{ server: RunningHttpServer; store: Store }> = [];

  async function serve(config: string): Promise<{ server: RunningHttpServer; store: Store; engine: Engine; auth: Auth; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'converge-dashboard-policy-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'crash'), dir, { recursive: true });
    const loaded = loadProjectConfig(dir, config);
    const store = await openStore(':memory:');
    const engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir });
    const ops = openMemoryOpsStore();
    const auth = createAuth({ tokens: ops.tokens });
    const server = await startHttpServer({ engine, auth, audit: createAudit(ops.auditLog), metrics: createMetrics({ processMetrics: false }), host: '127.0.0.1', port: 0, concurrency: 2, workerPollMs: 100, workspaceRoot: dir });
    servers.push({ server, store });
    return { server, store, engine, auth, dir };
  }

  async function signedIn(url: string, auth: Auth, name: string, role: 'approver' | 'admin', path: string): Promise<{ page: Page; problems: string[] }> {
    const login = await auth.issue({ role, name, kind: 'login', ttlMs: 600_000 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${url}${path}?token=${login.secret}`);
    return { page, problems };
  }

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    for (const { server, store } of servers) {
      await server.close();
      await store.close();
    }
  });

  it('shows "1 of 2 approvals, by alice" until a second approver opens the gate', async () => {
    const { server, store, engine, auth, dir } = await serve('converge-policy.yaml');
    const { workflowId: id } = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Write the value file',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      profile: engine.profile.id,
    });
    await waitFor(async () => (await store.getWorkflow(id))?.waitingFor === 'gate:plan_approval', 'the plan gate');

    const alice = await signedIn(server.url, auth, 'alice', 'approver', `/workflows/${id}`);
    await alice.page.getByRole('button', { name: 'Approve' }).click();
    await alice.page.locator('.approvals-progress', { hasText: '1 of 2 approvals, by alice' }).waitFor();
    expect((await store.getWorkflow(id))?.waitingFor).toBe('gate:plan_approval');

    const bob = await signedIn(server.url, auth, 'bob', 'approver', `/workflows/${id}`);
    const progress = bob.page.locator('.approvals-progress');
    await progress.waitFor();
    await expect(progress.innerText()).resolves.toContain('1 of 2 approvals, by alice');
    await bob.page.getByRole('button', { name: 'Approve' }).click();
    await bob.page.locator('.tl.gate[data-gate="plan_approval"][data-decision="approve"]').waitFor();
    await waitFor(async () => (await store.getWorkflow(id))?.waitingFor !== 'gate:plan_approval', 'the gate to open');
    expect([...alice.problems, ...bob.problems]).toEqual([]);
    await alice.page.close();
    await bob.page.close();
  }, 90_000);

  it('shows a reached budget as a full bar and continues after "Raise the budget"', async () => {
    const { server, store, engine, auth, dir } = await serve('converge-budget.yaml');
    const { workflowId: id } = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Write the value file',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      profile: engine.profile.id,
    });
    await waitFor(async () => (await store.getWorkflow(id))?.waitingFor === 'escalation:budget', 'the budget escalation');

    const { page, problems } = await signedIn(server.url, auth, 'carol', 'approver', `/workflows/${id}`);
    const bar = page.locator('#budget .budget-limit[data-limit="cost"]');
    await bar.waitFor();
    await expect(bar.getAttribute('data-state')).resolves.toBe('reached');
    await expect(bar.locator('[role="meter"]').getAttribute('aria-valuenow')).resolves.toBe('100');
    await expect(page.locator('.decision .eyebrow').innerText()).resolves.toMatch(/budget/i);
    await page.getByRole('button', { name: 'Raise the budget' }).click();
    await waitFor(async () => (await store.getWorkflow(id))?.waitingFor !== 'escalation:budget', 'the workflow to continue');
    await page.locator('.tl.escalation .tag', { hasText: /raise budget/i }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
