/**
 * An external step in the dashboard, in headless Chromium (issue 15): the list shows the workflow
 * as Waiting and under "Waiting for you"; its page shows the prompt with a copy button and a form;
 * a pasted plan, then an uploaded review, are recorded and the workflow moves on live.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
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
const SHOTS = join(ROOT, 'docs', 'screenshots');
const SKIP_REASON = `${CHROMIUM} is missing; install it with: apt-get install -y chromium`;
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)(`an external step in the dashboard${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let browser: Browser;
  let server: RunningHttpServer;
  let store: Store;
  let engine: Engine;
  let auth: Auth;
  let dir: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    dir = mkdtempSync(join(tmpdir(), 'converge-dashboard-external-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'crash'), dir, { recursive: true });
    const loaded = loadProjectConfig(dir, 'converge-external.yaml');
    store = await openStore(':memory:');
    engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir });
    const ops = openMemoryOpsStore();
    auth = createAuth({ tokens: ops.tokens });
    server = await startHttpServer({ engine, auth, audit: createAudit(ops.auditLog), metrics: createMetrics({ processMetrics: false }), host: '127.0.0.1', port: 0, concurrency: 2, workerPollMs: 100, workspaceRoot: dir });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  it('lists it under "Waiting for you", shows the prompt with a copy button, and moves on after a pasted and an uploaded result', async () => {
    const { workflowId: id } = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Write the value file\n\nsrc/value.txt must contain the word good; check.mjs verifies it.',
      name: 'Write the value file',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      profile: engine.profile.id,
    });
    const login = await auth.issue({ role: 'operator', name: 'olga', kind: 'login', ttlMs: 600_000 });
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    await page.goto(`${server.url}/?token=${login.secret}`);
    const card = page.locator(`.attention-card[data-kind="external"][data-id="${id}"]`);
    await card.waitFor({ timeout: 30_000 });
    await expect(page.locator('#attention-title').textContent()).resolves.toContain('Waiting for you');
    await expect(card.locator('.what').textContent()).resolves.toBe('Result of step 1: Initial plan');
    await expect(page.locator(`tr[data-id="${id}"] .pill`).textContent()).resolves.toBe('Waiting');
    await expect(page.locator(`tr[data-id="${id}"] .col-status .small`).textContent()).resolves.toBe('Your result for step 1');

    await card.click();
    await page.waitForURL(`**/workflows/${id}`);
    const panel = page.locator('#external-result');
    await expect(panel.locator('h2').textContent()).resolves.toContain('Step 1 · Initial plan');
    const prompt = panel.locator('pre.prompt-text');
    await expect(prompt.textContent()).resolves.toContain('Write the value file');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'workflow-page-external.png'), fullPage: false });
    await panel.getByRole('button', { name: 'Copy prompt' }).click();
    await page.locator('#toast', { hasText: 'Prompt copied.' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(await prompt.textContent());

    // Paste the plan; the worker then runs step 2, which waits for a review: the panel follows live.
    await page.getByRole('textbox', { name: 'Result (the plan)' }).fill(readFileSync(join(dir, 'outputs', 'plan-v2.md'), 'utf8'));
    await panel.getByRole('button', { name: 'Submit result' }).click();
    await page.locator('#external-result h2', { hasText: 'Step 2 · Plan validation' }).waitFor({ timeout: 30_000 });
    expect((await store.getWorkflow(id))?.waitingFor).toBe('external:step 2');

    // Upload the review from a file instead of pasting it: the plan converges and waits at the gate.
    await page.locator('#result-1-file').setInputFiles(join(dir, 'outputs', 'plan-review-2.md'));
    await expect.poll(() => page.locator('#result-1').inputValue()).toContain('Alignment');
    await page.locator('#external-result').getByRole('button', { name: 'Submit result' }).click();
    await page.locator('.tl.gate[data-gate="plan_approval"][data-decision="pending"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('.decision .notice').textContent()).resolves.toContain('Only approvers');
    expect((await store.getWorkflow(id))?.waitingFor).toBe('gate:plan_approval');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
