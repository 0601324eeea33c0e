// Converge dashboard entry point: who is signed in, then the page for the current path.
import { api } from './api.js';
import { clear, h } from './dom.js';
import { renderList } from './list-page.js';
import { renderWorkflow } from './workflow-page.js';

async function main() {
  const root = document.getElementById('main');
  let me;
  try {
    me = await api('/api/me');
  } catch (error) {
    clear(root, h('p', { class: 'muted' }, `Cannot reach the server: ${error.message}`));
    return;
  }
  const user = document.getElementById('user');
  clear(user, h('span', {}, me.auth ? me.name : 'local (no auth)'), h('span', { class: 'role' }, me.role));
  document.getElementById('logout-form').hidden = !me.auth || me.kind !== 'session';

  const match = /^\/workflows\/([^/]+)\/?$/.exec(window.location.pathname);
  if (match) {
    await renderWorkflow(root, decodeURIComponent(match[1]), me);
  } else {
    document.getElementById('nav-workflows').setAttribute('aria-current', 'page');
    await renderList(root, me);
  }
}

main();
