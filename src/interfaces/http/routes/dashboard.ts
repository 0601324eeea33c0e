/**
 * The dashboard: one HTML shell for the list and workflow pages (the JS reads the path), its
 * assets, and sign-in. A token becomes a session cookie (HttpOnly, SameSite=Strict) only on a
 * same-origin POST to /login. The link `/?token=cv_…` (printed by `converge serve`) opens a page
 * that posts it, and posts it by itself only when the person opened the link directly: otherwise
 * any site could sign a visitor in as its own user (login CSRF) and read what they then do. A GET
 * never uses up the token.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps, AppEnv } from '../app-env.js';
import { loadAssets, loadVendorAssets } from '../dashboard-assets.js';
import { SESSION_COOKIE } from '../middleware/authenticate/index.js';
import { notFound } from '../http-errors.js';

const PAGES = ['/', '/workflows/:id'];

export function registerDashboardRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { auth, audit } = deps;
  const assets = loadAssets();
  const vendor = loadVendorAssets();
  const shell = assets.get('index.html')!;
  const login = assets.get('login.html')!;
  const linkPage = assets.get('sign-in-link.html')!;

  function loginPage(c: Context<AppEnv>, message: string, status: 401 | 403 | 200 = 401) {
    const body = login.body.replace('{{message}}', escapeHtml(message));
    return c.html(body, status, { 'Cache-Control': 'no-store' });
  }

  function signInLinkPage(c: Context<AppEnv>, token: string, next: string) {
    // Sec-Fetch-Site is "none" only when the person opened the URL (terminal, address bar, bookmark).
    const direct = c.req.header('sec-fetch-site') === 'none';
    const message = direct
      ? 'Signing you in…'
      : 'This sign-in link was opened from another page. Sign in only if you asked for this link yourself; otherwise close this tab.';
    const values: Record<string, string> = { message, auto: String(direct), token, next };
    const body = linkPage.body.replace(/\{\{(message|auto|token|next)\}\}/g, (_m, key: string) => escapeHtml(values[key]!));
    return c.html(body, 200, { 'Cache-Control': 'no-store' });
  }

  async function refuseCrossSite(c: Context<AppEnv>, action: 'login' | 'logout') {
    await audit
      .record({ actor: 'anonymous', action: 'auth.denied', target: null, details: { reason: `cross_site_${action}`, path: c.req.path, origin: c.req.header('origin')?.slice(0, 200) ?? null } })
      .catch(() => undefined);
    const what = action === 'login' ? 'Sign-in' : 'Sign-out';
    return loginPage(c, `${what} was refused: the request came from another site. Open your sign-in link directly, or paste a token here.`, 403);
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
      if (token !== undefined) return auth.enabled ? signInLinkPage(c, token, c.req.path) : c.redirect(c.req.path, 303);
      if (auth.enabled && (await auth.authenticate(getCookie(c, SESSION_COOKIE))) === undefined) {
        return loginPage(c, getCookie(c, SESSION_COOKIE) ? 'Your session has ended. Sign in again.' : 'Sign in with the link `converge serve` printed, or paste a token.');
      }
      return c.html(shell.body, 200, { 'Cache-Control': 'no-store' });
    });
  }

  app.post('/login', async (c) => {
    if (!sameOrigin(c)) return refuseCrossSite(c, 'login');
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    return signIn(c, token, pagePath(form.next));
  });

  app.post('/logout', async (c) => {
    if (!sameOrigin(c)) return refuseCrossSite(c, 'logout');
    const secret = getCookie(c, SESSION_COOKIE);
    const principal = await auth.authenticate(secret);
    if (principal?.kind === 'session' && principal.tokenId) {
      await auth.revoke(principal.tokenId);
      await audit.record({ actor: principal.name, action: 'auth.logout', target: principal.tokenId, details: {} });
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  // Library files change only with the installed package: a day's caching saves refetching ~400 KB.
  app.get('/assets/vendor/:name', (c) => {
    const asset = vendor.get(c.req.param('name'));
    if (asset === undefined) throw notFound(`There is no asset vendor/${c.req.param('name').slice(0, 80)}.`);
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType, 'Cache-Control': 'public, max-age=86400' });
  });

  app.get('/assets/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (asset === undefined || c.req.param('name').endsWith('.html')) throw notFound(`There is no asset ${c.req.param('name').slice(0, 80)}.`);
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
  });
}

/**
 * Whether a form post came from one of this server's own pages. Browsers send Sec-Fetch-Site (and
 * Origin) on every POST; a client that sends neither is not a browser another site can drive.
 */
function sameOrigin(c: Context<AppEnv>): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === (c.req.header('host') ?? new URL(c.req.url).host);
  } catch {
    return false;
  }
}

/** Only dashboard pages are redirect targets, so a crafted form cannot send the visitor elsewhere. */
function pagePath(next: unknown): string {
  return typeof next === 'string' && /^\/(workflows\/[A-Za-z0-9_-]{1,100})?$/.test(next) ? next : '/';
}

function isHttps(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
