// Converge dashboard entry point: who is signed in, then the page for the current path.
//
// Why Preact + htm, loaded as plain ES modules: the pages are components with state and hooks
// (a gate panel keeps what you type while the workflow updates live; a trace loads when opened),
// which the hand-written DOM helpers could no longer carry. Preact, its hooks and htm weigh 17 KB
// (7 KB gzipped) and htm's tagged templates need no JSX compiler, so there is no bundler to maintain:
// the server hands out the packages' own browser builds from node_modules (/assets/vendor/),
// under a CSP of 'self' only. Diffs are drawn by diff2html (with highlight.js), not by hand.
import { api } from './api.js';
import { html, render } from './lib.js';
import { ListPage } from './list-page.js';
import { WorkflowPage } from './workflow-page.js';

async function main() {
  const root = document.getElementById('main');
  let me;
  try {
    me = await api('/api/me');
  } catch (error) {
    render(html`<p class="muted">Cannot reach the server: ${error.message}</p>`, root);
    return;
  }
  render(html`<span>${me.auth ? me.name : 'local (no auth)'}</span><span class="role">${me.role}</span>`, document.getElementById('user'));
  document.getElementById('logout-form').hidden = !me.auth || me.kind !== 'session';

  root.replaceChildren();
  const match = /^\/workflows\/([^/]+)\/?$/.exec(window.location.pathname);
  if (match) {
    render(html`<${WorkflowPage} id=${decodeURIComponent(match[1])} me=${me} />`, root);
  } else {
    document.getElementById('nav-workflows').setAttribute('aria-current', 'page');
    render(html`<${ListPage} me=${me} />`, root);
  }
}

main();
