/**
 * The dashboard's libraries are served from their npm packages under /assets/vendor/ (issue 17,
 * part 7): JavaScript as JavaScript, preact/hooks importing the served preact.mjs rather than a
 * bare "preact" a browser cannot resolve, and nothing else from node_modules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('dashboard vendor assets', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await createHttpKit();
  });
  afterAll(() => kit.close());

  it('serves preact, its hooks, htm and diff2html with their content types', async () => {
    for (const [name, type] of [['preact.mjs', 'text/javascript'], ['hooks.mjs', 'text/javascript'], ['htm.mjs', 'text/javascript'], ['diff2html-ui.js', 'text/javascript'], ['diff2html.css', 'text/css']] as const) {
      const res = await kit.request('GET', `/assets/vendor/${name}`, { role: 'none' });
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toContain(type);
    }
  });

  it('points the hooks at the served preact.mjs, so a browser needs no import map', async () => {
    const hooks = await (await kit.request('GET', '/assets/vendor/hooks.mjs', { role: 'none' })).text();
    expect(hooks).toContain('from"./preact.mjs"');
    expect(hooks).not.toMatch(/from\s*["']preact["']/);
  });

  it('serves nothing else from node_modules, and the page keeps a CSP of self', async () => {
    expect((await kit.request('GET', '/assets/vendor/..%2F..%2Fpackage.json', { role: 'none' })).status).toBe(404);
    expect((await kit.request('GET', '/assets/vendor/react.mjs', { role: 'none' })).status).toBe(404);
    const page = await kit.request('GET', '/', { role: 'none' });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });
});
