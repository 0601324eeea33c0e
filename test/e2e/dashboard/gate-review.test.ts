/**
 * The review at a gate in headless Chromium (issue 17): a workflow whose Programmer changes an
 * existing file of a git workspace. At the plan gate a person edits the plan and approves, and the
 * human revision shows in the timeline; at the final gate the page shows that file's diff against
 * the base, the validator's issues with file:line links into the diff, and round 1's failing
 * compiler message; a file edited there becomes a second revision in the change; a fork opens. Then axe-core scans the list, workflow and gate pages in light and dark, at
 * desktop width and at 390 px: no serious or critical violation, and nothing wider than the screen.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
const SHOTS = join(ROOT, 'docs', 'screenshots');
const SKIP_REASON = `${CHROMIUM} is missing; install it with: apt-get install -y chromium`;
const hasChromium = existsSync(CHROMIUM);
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'pipe' });
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE_SOURCE });
  const all = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as { document: unknown; axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 8).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`.replace(/\s+/g, ' ')) }));
  });
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe.skipIf(!hasChromium)(`the review at a gate, in headless Chromium${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let browser: Browser;
  let server: RunningHttpServer;
  let store: Store;
  let engine: Engine;
  let auth: Auth;
  let dir: string;
  let project: string;
  let gated: string | undefined;
  let finished: string | undefined;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    dir = mkdtempSync(join(tmpdir(), 'converge-gate-review-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'gate-review'), dir, { recursive: true });
    project = join(dir, 'project');
    git(project, 'init', '-q', '-b', 'main');
    git(project, 'add', '.');
    git(project, 'commit', '-q', '-m', 'The greeting before the change');
    const loaded = loadProjectConfig(dir, 'converge.yaml');
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

  it('edits the plan at its gate, then shows the change against the base, its issues and round 1’s compiler error at the final gate', async () => {
    const { workflowId: id } = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'End the greeting with an exclamation mark\n\ngreet() in src/greet.ts returns "Hello, NAME!".',
      name: 'End the greeting with an exclamation mark',
      workspace: { path: project, type: 'shared' },
      profile: engine.profile.id,
    });
    await waitFor(async () => (await store.getWorkflow(id))?.waitingFor === 'gate:plan_approval', 'the plan gate');

    const login = await auth.issue({ role: 'admin', name: 'alice', kind: 'login', ttlMs: 600_000 });
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${server.url}/workflows/${id}?token=${login.secret}`);
    await page.locator('#review-change .plan-text').waitFor();
    await expect(page.locator('#review-change .plan-text').textContent()).resolves.toContain('exclamation mark');

    // Edit the plan at its gate, then approve: the edit is a human revision in the timeline.
    await page.getByRole('button', { name: 'Edit plan' }).click();
    const planBox = page.getByRole('textbox', { name: 'Plan', exact: true });
    await expect(planBox.inputValue()).resolves.toContain('## Steps');
    await planBox.fill(`${await planBox.inputValue()}3. Keep greet()'s signature as it is.\n`);
    await page.getByLabel('Note on the edit').fill('The signature must not change.');
    await page.getByRole('button', { name: 'Save plan' }).click();
    const revision = page.locator('.tl[data-kind="revision"]');
    await revision.waitFor();
    await expect(revision.textContent()).resolves.toContain('Human revision');
    await expect(page.locator('#review-change .plan-text').textContent()).resolves.toContain("Keep greet()'s signature");
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.tl.gate[data-gate="plan_approval"][data-decision="approve"]').waitFor();
    // In event order: the revision comes before the approval it preceded.
    const kinds = await page.locator('.timeline > li').evaluateAll((items) =>
      items.map((li) => {
        const d = (li as unknown as { dataset: Record<string, string | undefined> }).dataset;
        return d.kind === 'gate' ? `gate:${d.gate}:${d.decision}` : d.kind;
      }));
    expect(kinds.indexOf('revision')).toBeLessThan(kinds.indexOf('gate:plan_approval:approve'));
    expect(kinds.indexOf('revision')).toBeGreaterThan(-1);

    // The worker implements, fails the typecheck in round 1, refines, passes in round 2.
    await page.locator('.tl.gate[data-gate="final_approval"][data-decision="pending"]').waitFor({ timeout: 90_000 });
    expect((await store.getWorkflow(id))?.waitingFor).toBe('gate:final_approval');

    // The change: src/greet.ts against the base, so the original line shows as removed.
    const change = page.locator('#review-change');
    await change.locator('.d2h-file-wrapper').first().waitFor();
    await expect(change.locator('.d2h-file-wrapper .d2h-file-name').first().textContent()).resolves.toContain('src/greet.ts');
    await expect(change.locator('td.d2h-del').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining("return 'Hello, ' + name;")]));
    await expect(change.locator('td.d2h-ins').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining("const punctuation = '!';")]));

    // An issue with its file:line, whose link marks that line in the diff.
    const link = page.locator('#review-issues .issue .file-link', { hasText: 'src/greet.ts:3' });
    await link.first().waitFor();
    await link.first().click();
    await expect(page.locator('#review-change tr.d2h-jumped').count()).resolves.toBe(1);

    // Round 1's failing typecheck, with the compiler's message.
    const failed = page.locator('#review-checks .check-result[data-check="typecheck"][data-status="failed"]');
    await failed.first().waitFor();
    const tail = failed.first().locator('details.output-tail');
    if ((await tail.count()) > 0) await tail.locator('summary').click();
    await expect(failed.first().innerText()).resolves.toContain("error TS2322: Type 'number' is not assignable to type 'string'.");
    await expect(page.locator('#review-checks .check-result[data-check="typecheck"][data-status="passed"]').count()).resolves.toBeGreaterThan(0);

    // Edit a file at the final gate: its content loads, the saved edit is a second human revision,
    // and the change under review now carries it.
    await page.getByRole('button', { name: 'Edit file' }).click();
    await expect(page.getByLabel('File path').inputValue()).resolves.toBe('src/greet.ts');
    await page.getByRole('button', { name: 'Load its content' }).click();
    const fileBox = page.getByRole('textbox', { name: 'File content' });
    await expect.poll(() => fileBox.inputValue()).toContain("const punctuation = '!';");
    await fileBox.fill((await fileBox.inputValue()).replace("const punctuation = '!';", "// An exclamation mark, as the plan asks.\n  const punctuation = '!';"));
    await page.getByRole('button', { name: 'Save file' }).click();
    await expect.poll(() => page.locator('.tl[data-kind="revision"]').count()).toBe(2);
    await expect.poll(() => change.locator('td.d2h-ins').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('// An exclamation mark, as the plan asks.')]));

    // A step's trace opens in place.
    const trace = page.locator('.tl[data-kind="step"][data-step="4"] details.trace').first();
    await trace.locator('summary').click();
    await trace.locator('.trace-run').first().waitFor();
    await expect(trace.innerText()).resolves.toContain('Prompt');

    mkdirSync(SHOTS, { recursive: true });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'workflow-page-review.png'), fullPage: true });
    gated = id;

    // Fork from step 4: a new workflow, opened at once, that says where it came from.
    await page.locator('.tl[data-kind="step"][data-step="4"] button.fork').first().click();
    await page.waitForURL((url) => url.pathname.startsWith('/workflows/') && !url.pathname.endsWith(id));
    const details = page.locator('#details .kv');
    await details.locator('dd', { hasText: id }).waitFor();
    await expect(details.innerText()).resolves.toContain(`${id} at step 4`);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('has no serious or critical axe-core violation on the list, workflow and gate pages, light and dark, at 1360 and 390 px', async () => {
    expect(gated, 'the gate test runs first and leaves a workflow at its final gate').toBeDefined();
    const done = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: 'End the greeting with an exclamation mark (auto-approved)',
      workspace: { path: project, type: 'shared' },
      profile: engine.profile.id,
      autoApprove: true,
    });
    finished = done.workflowId;
    await waitFor(async () => ['completed', 'failed'].includes((await store.getWorkflow(finished!))?.status ?? ''), 'the auto-approved workflow', 90_000);

    const pages = { list: '/', workflow: `/workflows/${finished}`, gate: `/workflows/${gated}` };
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      for (const width of [1360, 390]) {
        const login = await auth.issue({ role: 'admin', name: 'ada', kind: 'login', ttlMs: 600_000 });
        // The test injects axe-core's source as an inline script, which the dashboard's CSP forbids.
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme, bypassCSP: true });
        const page = await context.newPage();
        await page.goto(`${server.url}/?token=${login.secret}`);
        for (const [name, path] of Object.entries(pages)) {
          if (page.url() !== `${server.url}${path}`) await page.goto(`${server.url}${path}`);
          await page.locator(name === 'list' ? 'tr[data-id]' : name === 'gate' ? '#review-change .d2h-file-wrapper' : '.timeline').first().waitFor();
          if (name === 'gate') {
            // Open what a reviewer opens: an output tail, a trace, the file editor.
            await page.locator('#review-checks details.output-tail summary').first().click();
            await page.locator('.tl[data-kind="step"] details.trace summary').first().click();
            await page.locator('.tl[data-kind="step"] .trace-run').first().waitFor();
            await page.getByRole('button', { name: 'Edit file' }).click();
          }
          for (const v of await axeViolations(page)) found.push(`${name} ${scheme} ${width}px: [${v.impact}] ${v.id} — ${v.help}\n    ${v.nodes.join('\n    ')}`);
          const overflow = await page.evaluate(() => {
            const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
            return root.scrollWidth - root.clientWidth;
          });
          if (overflow > 0) found.push(`${name} ${scheme} ${width}px: the page is ${overflow}px wider than the screen`);
        }
        await context.close();
      }
    }
    if (found.length > 0) console.error(`axe-core and layout findings:\n${found.join('\n')}`);
    expect(found).toEqual([]);
  }, 240_000);
});
