/**
 * The live activity log in headless Chromium (issue 16, part 9; issue 17, part 7): while a command
 * agent plans, what it reports doing (codex's JSON events: a command, a reasoning step, its
 * message) arrives on the workflow's SSE stream as `activity` events, and the workflow page shows
 * them in a collapsible log, open while the step runs, without a reload.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityFeed } from '../../../src/engine/activity-feed.js';
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
const AGENT = join(ROOT, 'test', 'fixtures', 'command-agents', 'activity-codex.mjs');
const SKIP_REASON = `${CHROMIUM} is missing; install it with: apt-get install -y chromium`;
const hasChromium = existsSync(CHROMIUM);

// The planner is a codex-style command agent that waits for a `.go` file before it reports anything.
const CONFIG = `definition: seven-step
profile: typescript
sandbox: none
agents:
  default: { provider: external }
  planner: { provider: command, preset: codex, command: ["node", ${JSON.stringify(AGENT)}], api_key_env: FAKE_CODEX_KEY }
`;

describe.skipIf(!hasChromium)(`the live activity log${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let browser: Browser;
  let server: RunningHttpServer;
  let store: Store;
  let engine: Engine;
  let auth: Auth;
  let dir: string;
  const keyBefore = process.env.FAKE_CODEX_KEY;

  beforeAll(async () => {
    process.env.FAKE_CODEX_KEY = 'sk-fake-0123456789';
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    dir = mkdtempSync(join(tmpdir(), 'converge-dashboard-activity-'));
    writeFileSync(join(dir, 'converge.yaml'), CONFIG);
    const loaded = loadProjectConfig(dir, 'converge.yaml');
    store = await openStore(':memory:');
    const activity = new ActivityFeed();
    engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir, onProgress: activity.listener });
    const ops = openMemoryOpsStore();
    auth = createAuth({ tokens: ops.tokens });
    server = await startHttpServer({ engine, auth, audit: createAudit(ops.auditLog), metrics: createMetrics({ processMetrics: false }), host: '127.0.0.1', port: 0, concurrency: 1, workerPollMs: 100, workspaceRoot: dir, activity });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    if (keyBefore === undefined) delete process.env.FAKE_CODEX_KEY;
    else process.env.FAKE_CODEX_KEY = keyBefore;
  });

  it('shows what the running agent does, as it does it', async () => {
    const { workflowId: id } = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'Add a --json flag to the export command',
      workspace: { path: dir, type: 'shared' },
      profile: engine.profile.id,
    });
    const login = await auth.issue({ role: 'operator', name: 'olga', kind: 'login', ttlMs: 600_000 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${server.url}/workflows/${id}?token=${login.secret}`);
    await page.locator('#live.on').waitFor();
    expect(await page.locator('.activity-log').count()).toBe(0);
    await page.evaluate(() => {
      (globalThis as unknown as { __noReload: boolean }).__noReload = true;
    });

    // The page's stream is open: let the agent go.
    writeFileSync(join(dir, '.go'), '');
    const log = page.locator('details.activity-log');
    await log.locator('li', { hasText: '# Implementation Plan: a --json flag' }).waitFor({ timeout: 30_000 });
    const items = await log.locator('.activity-list li').allInnerTexts();
    expect(items.join('\n')).toContain("running `bash -lc 'ls src'`");
    expect(items.join('\n')).toContain('The export command lives in src/index.ts.');
    await expect(log.locator('summary').innerText()).resolves.toContain('step 1');
    expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    // Collapsible (open while the step runs, folded once it is done): a click on its summary toggles it.
    // The state is read and the click made in one turn of the page, so the step ending in between
    // (which folds it) cannot be mistaken for the click; the reader's choice then holds.
    const isOpen = () => log.evaluate((el) => (el as unknown as { open: boolean }).open);
    const before = await log.evaluate((el) => {
      const open = (el as unknown as { open: boolean }).open;
      (el.querySelector('summary') as unknown as { click(): void }).click();
      return open;
    });
    await expect.poll(isOpen).toBe(!before);
    await log.locator('summary').click();
    await expect.poll(isOpen).toBe(before);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
