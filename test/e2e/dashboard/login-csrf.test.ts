/**
 * Login CSRF in headless Chromium (#13): a page on another site (a second server, reached as
 * `localhost` while the dashboard is `127.0.0.1`, so the two are cross-site) tries to sign the
 * victim in as the attacker — with an auto-submitted form, a top-level navigation to the sign-in
 * link, an image, an iframe and a no-cors fetch. The victim's session must survive all of them,
 * and no session may be made from the attacker's token. The link itself still signs in when the
 * person opens it.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../src/interfaces/http/serve-http.js';
import type { RunningHttpServer } from '../../../src/interfaces/http/serve-http.js';
import type { Auth, IssuedToken } from '../../../src/ops/auth/index.js';
import { createHttpKit } from '../../interfaces/http/http-test-kit.js';
import type { HttpKit } from '../../interfaces/http/http-test-kit.js';

const CHROMIUM = '/usr/bin/chromium';
const SKIP_REASON = `${CHROMIUM} is missing; install it with: apt-get install -y chromium`;
const hasChromium = existsSync(CHROMIUM);

/** The attacker's pages, each a way to make the victim's browser use the attacker's token. */
function attackPages(victim: string, token: string): Record<string, string> {
  const link = `${victim}/?token=${token}`;
  return {
    '/form': `<form id="f" method="post" action="${victim}/login"><input name="token" value="${token}"><input name="next" value="/"></form><script>document.getElementById('f').submit()</script>`,
    '/navigate': `<script>location.href = ${JSON.stringify(link)}</script>`,
    '/embed': `<img src="${link}"><iframe src="${link}"></iframe><iframe src="${victim}/workflows/wf-abc123?token=${token}"></iframe>`,
    '/fetch': `<script>fetch(${JSON.stringify(`${victim}/login`)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: new URLSearchParams({ token: ${JSON.stringify(token)} }) }).finally(() => { document.title = 'sent' })</script>`,
  };
}

function startAttacker(pages: Record<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page === undefined ? 'no such page' : `<!doctype html><html><body>${page}</body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function sessionCookie(context: BrowserContext, url: string): Promise<string | undefined> {
  return (await context.cookies(url)).find((c) => c.name === 'converge_session')?.value;
}

/** Sessions made from a token: the proof that its sign-in went through. */
async function sessionsFrom(auth: Auth, token: IssuedToken): Promise<number> {
  return (await auth.tokens.list()).filter((t) => t.kind === 'session' && t.parentId === token.record.id).length;
}

describe.skipIf(!hasChromium)(`login CSRF in headless Chromium${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let browser: Browser;
  let kit: HttpKit;
  let server: RunningHttpServer;
  let attacker: Server;
  let attackerToken: IssuedToken;
  let attackerBase: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    kit = await createHttpKit();
    server = await startHttpServer({ engine: kit.engine, auth: kit.auth, audit: kit.audit, metrics: kit.metrics, host: '127.0.0.1', port: 0, concurrency: 0 });
    // An API token, which (unlike a one-time link) would sign in again and again if let through.
    attackerToken = await kit.auth.issue({ role: 'admin', name: 'mallory' });
    attacker = await startAttacker(attackPages(server.url, attackerToken.secret));
    attackerBase = `http://localhost:${(attacker.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await kit?.close();
  });

  /** A browser profile signed in as the victim through a first-party visit of the victim's own link. */
  async function victimContext(): Promise<{ context: BrowserContext; cookie: string }> {
    const context = await browser.newContext();
    const login = await kit.auth.issue({ role: 'viewer', name: 'victim', kind: 'login', ttlMs: 60_000 });
    const page = await context.newPage();
    await page.goto(`${server.url}/?token=${login.secret}`);
    await page.locator('#user').filter({ hasText: 'victim' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.close();
    const cookie = await sessionCookie(context, server.url);
    expect(cookie).toBeDefined();
    return { context, cookie: cookie! };
  }

  async function whoAmI(context: BrowserContext): Promise<string> {
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    const name = await page.evaluate(async () => ((await (await fetch('/api/me')).json()) as { name: string }).name);
    await page.close();
    return name;
  }

  it('signs in when the person opens the link themselves, and leaves no token in the address bar', async () => {
    const { context } = await victimContext();
    expect(await whoAmI(context)).toBe('victim');
    await context.close();
  });

  it.each([
    ['an auto-submitted form POST to /login', '/form'],
    ['a top-level navigation to the sign-in link', '/navigate'],
    ['an image and iframes pointing at the sign-in link', '/embed'],
    ['a no-cors fetch POST to /login', '/fetch'],
  ])('keeps the victim signed in as themselves against %s', async (_how, path) => {
    const { context, cookie } = await victimContext();
    const page = await context.newPage();
    if (path === '/navigate') {
      await page.goto(`${attackerBase}${path}`);
      // The sign-in page has run its script once the token has left the address bar.
      await page.waitForURL((url) => url.origin === server.url && url.search === '');
      await expect(page.locator('#sign-in-link').getAttribute('data-auto')).resolves.toBe('false');
    } else if (path === '/form') {
      const posted = page.waitForResponse((r) => r.url() === `${server.url}/login`);
      await page.goto(`${attackerBase}${path}`);
      expect((await posted).status()).toBe(403);
    } else if (path === '/fetch') {
      await page.goto(`${attackerBase}${path}`);
      await page.waitForFunction('document.title === "sent"');
    } else {
      await page.goto(`${attackerBase}${path}`, { waitUntil: 'load' });
    }
    await page.waitForLoadState('networkidle');
    await page.close();

    expect(await sessionCookie(context, server.url)).toBe(cookie);
    expect(await whoAmI(context)).toBe('victim');
    expect(await sessionsFrom(kit.auth, attackerToken)).toBe(0);
    await context.close();
  });
});
