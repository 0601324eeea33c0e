/**
 * The dashboard: one HTML shell for the list and workflow pages (the JS reads the path), its
 * assets, and sign-in. A link `/?token=cv_…` (printed by `converge serve`) or the sign-in form
 * trades a token for a session cookie (HttpOnly, SameSite=Strict) and redirects, so the secret
 * leaves the address bar and the history at once.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps, AppEnv } from '../app-env.js';
import { loadAssets } from '../dashboard-assets.js';
import { SESSION_COOKIE } from '../middleware/authenticate/index.js';
import { notFound } from '../http-errors.js';

const PAGES = ['/', '/workflows/:id'];

export function registerDashboardRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { auth, audit } = deps;
  const assets = loadAssets();
  const shell = assets.get('index.html')!;
  const login = assets.get('login.html')!;

  function loginPage(c: Context<AppEnv>, message: string, status: 401 | 200 = 401) {
    const body = login.body.replace('{{message}}', escapeHtml(message));
    return c.html(body, status, { 'Cache-Control': 'no-store' });
  }

  async function signIn(c: Context<AppEnv>, secret: string, next: string) {
    if (!auth.enabled) return c.redirect(next, 303);
    const started = await auth.startSession(secret);
    if (started === undefined) {
      await audit.record({ actor: 'anonymous', action: 'auth.failed', target: null, details: { reason: 'invalid_login', path: c.req.path } }).catch(() => undefined);
      return loginPage(c, 'That sign-in link or token is not valid: it was used already, expired or revoked. Ask for a new one (converge serve prints one; converge token create makes one).');
    }
    const { session, principal } = started;
    await audit.record({ actor: principal.name, action: 'auth.login', target: session.record.parentId, details: { role: principal.role, session: session.record.id } });
    setCookie(c, SESSION_COOKIE, session.secret, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: isHttps(c),
      ...(session.record.expiresAt ? { expires: new Date(session.record.expiresAt) } : {}),
    });
    return c.redirect(next, 303);
  }

  for (const page of PAGES) {
    app.get(page, async (c) => {
      const token = c.req.query('token');
      if (token !== undefined) return signIn(c, token, c.req.path);
      if (auth.enabled && (await auth.authenticate(getCookie(c, SESSION_COOKIE))) === undefined) {
        return loginPage(c, getCookie(c, SESSION_COOKIE) ? 'Your session has ended. Sign in again.' : 'Sign in with the link `converge serve` printed, or paste a token.');
      }
      return c.html(shell.body, 200, { 'Cache-Control': 'no-store' });
    });
  }

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    return signIn(c, token, '/');
  });

  app.post('/logout', async (c) => {
    const secret = getCookie(c, SESSION_COOKIE);
    const principal = await auth.authenticate(secret);
    if (principal?.kind === 'session' && principal.tokenId) {
      await auth.revoke(principal.tokenId);
      await audit.record({ actor: principal.name, action: 'auth.logout', target: principal.tokenId, details: {} });
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  app.get('/assets/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (asset === undefined || c.req.param('name').endsWith('.html')) throw notFound(`There is no asset ${c.req.param('name').slice(0, 80)}.`);
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
  });
}

function isHttps(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
