/**
 * The dashboard clicked through in headless Chromium: sign in with a one-time link, find a
 * workflow waiting at the plan gate, read its score chart and plan diff, approve it with a
 * comment, and watch it move on over SSE without a reload. Screenshots go to docs/screenshots/.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { cancelWorkflow, startWorkflow } from '../../../src/engine/workflow-commands.js';
import { startHttpServer } from '../../../src/interfaces/http/serve-http.js';
import type { RunningHttpServer } from '../../../src/interfaces/http/serve-http.js';
import { createAudit } from '../../../src/ops/audit/index.js';
import { createAuth } from '../../../src/ops/auth/index.js';
import type { Auth } from '../../../src/ops/auth/index.js';
import { openMemoryOpsStore } from '../../../src/ops/memory/memory-ops-store.js';
import { createMetrics, observeEvents } from '../../../src/ops/metrics.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/store.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SHOTS = join(ROOT, 'docs', 'screenshots');
const SKIP_REASON = `${CHROMIUM} is missing; install it with: apt-get install -y chromium`;
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard e2e skipped: ${SKIP_REASON}`);

/** The recorded agents report token usage, as real providers do, so the page has numbers to show. */
function withUsage(sessionFile: string): void {
  let call = 0;
  const text = readFileSync(sessionFile, 'utf8').replace(/\{ file: ([^}]+) \}/g, (_m, file: string) => {
    call += 1;
    return `{ file: ${file}, usage: { input_tokens: ${1800 + call * 137}, output_tokens: ${420 + call * 61}, cached_input_tokens: ${call > 1 ? 1200 : 0} } }`;
  });
  writeFileSync(sessionFile, text);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!hasChromium)(`dashboard in headless Chromium${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
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
    dir = mkdtempSync(join(tmpdir(), 'converge-dashboard-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'crash'), dir, { recursive: true });
    withUsage(join(dir, 'session-gates.yaml'));
    const loaded = loadProjectConfig(dir, 'converge-gates.yaml');
    store = await openStore(':memory:');
    const metrics = createMetrics({ processMetrics: false });
    engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir, onEvents: (state, events) => observeEvents(metrics, state, events) });
    const ops = openMemoryOpsStore();
    auth = createAuth({ tokens: ops.tokens });
    server = await startHttpServer({ engine, auth, audit: createAudit(ops.auditLog), metrics, host: '127.0.0.1', port: 0, concurrency: 2, workerPollMs: 100, workspaceRoot: dir });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  it('signs in with a one-time link, shows scores and a diff, and follows an approval live', async () => {
    const state = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Write the value file\n\nsrc/value.txt must contain the word good; check.mjs verifies it.',
      name: 'Write the value file',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      profile: engine.profile.id,
    });
    const id = state.workflowId;
    await waitFor(async () => (await store.getWorkflow(id))?.waitingFor === 'gate:plan_approval', 'the plan gate');
    // Neighbours in other states, so the list shows what a team's list looks like.
    const done = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Add a --json flag to the export command',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      profile: engine.profile.id,
      autoApprove: true,
    });
    const dropped = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Retry uploads when the storage API answers 503',
      workspace: { path: join(dir, 'project'), type: 'shared' },
      profile: engine.profile.id,
    });
    await cancelWorkflow(store, engine.clock, dropped.workflowId, { id: 'bob', via: 'cli' }, 'superseded by the upload rewrite');
    await waitFor(async () => (await store.getWorkflow(done.workflowId))?.status === 'completed', 'the auto-approved workflow');

    const login = await auth.issue({ role: 'approver', name: 'alice', kind: 'login', ttlMs: 600_000 });
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    await page.goto(`${server.url}/?token=${login.secret}`);
    expect(new URL(page.url()).search).toBe('');
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.waitFor();
    await expect(row.locator('.pill').textContent()).resolves.toBe('Waiting');
    await page.locator('.attention-card').first().waitFor();
    await page.locator(`tr[data-id="${done.workflowId}"] .pill[data-status="completed"]`).waitFor();
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'workflow-list.png') });

    // The link worked once: a second visit opens the sign-in page, whose post of it is refused.
    const again = await browser.newPage();
    const refused = again.waitForResponse((r) => r.url() === `${server.url}/login`);
    await again.goto(`${server.url}/?token=${login.secret}`);
    expect((await refused).status()).toBe(401);
    await again.close();

    await row.locator('a.wf-title').click();
    await page.waitForURL(`**/workflows/${id}`);
    await page.locator('svg.score-chart').first().waitFor();
    expect(await page.locator('svg.score-chart line.threshold').count()).toBeGreaterThanOrEqual(3);
    // diff2html draws the plan's diff: added and removed lines.
    await page.locator('.diff2 td.d2h-ins').first().waitFor();
    expect(await page.locator('.diff2 td.d2h-del').count()).toBeGreaterThan(0);
    await expect(page.locator('#status .pill').textContent()).resolves.toBe('Waiting');
    // A marker on the page's global object: a reload would drop it.
    await page.evaluate(() => {
      (globalThis as unknown as { __noReload: boolean }).__noReload = true;
    });
    await page.screenshot({ path: join(SHOTS, 'workflow-page.png'), fullPage: true });

    await page.getByLabel('Comment').fill('Plan reads well; go ahead.');
    await page.getByRole('button', { name: 'Approve' }).click();

    // The worker runs steps 4 and 5; the page follows over SSE, without reloading.
    await page.locator('.tl[data-kind="step"][data-step="5"][data-status="completed"]').waitFor({ timeout: 60_000 });
    await page.locator('.tl.gate[data-gate="plan_approval"][data-decision="approve"]').waitFor();
    await expect(page.locator('.tl.gate[data-gate="plan_approval"][data-decision="approve"] .tl-note').textContent()).resolves.toContain('Plan reads well');
    await page.locator('.tl.gate[data-gate="final_approval"][data-decision="pending"]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await page.locator('.checks tr[data-check="value"][data-status="passed"]').waitFor();
    await page.screenshot({ path: join(SHOTS, 'workflow-page-final-gate.png'), fullPage: true });

    const summary = await store.getWorkflow(id);
    expect(summary?.waitingFor).toBe('gate:final_approval');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows a viewer the pending gate without the approval buttons', async () => {
    const viewer = await auth.issue({ role: 'viewer', name: 'vic', kind: 'login', ttlMs: 600_000 });
    const waiting = await store.listWorkflows({ status: ['waiting_for_human'], limit: 1 });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${server.url}/workflows/${waiting[0]!.id}?token=${viewer.secret}`);
    await page.locator('.decision').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await expect(page.locator('.decision .notice').textContent()).resolves.toContain('Only approvers');
    await page.screenshot({ path: join(SHOTS, 'workflow-page-mobile-viewer.png'), fullPage: false });
    await page.close();
  }, 60_000);
});
