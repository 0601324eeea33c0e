// The workflow list: what waits for a person first, then every workflow with status, phase,
// step and round. Refreshes live when any workflow changes.
import { api, debounce, liveStream } from './api.js';
import { can, setLive } from './session.js';
import { clear, h, humanize, number, statusPill, time, titleOf, toast, waitingLabel } from './dom.js';

const FILTERS = [
  ['all', 'All', undefined],
  ['running', 'Running', 'running'],
  ['waiting', 'Waiting', 'waiting_for_human'],
  ['completed', 'Completed', 'completed'],
  ['stopped', 'Stopped', 'rejected,failed,cancelled'],
];
const PAGE = 50;

export async function renderList(root, me) {
  document.title = 'Workflows · Converge';
  let filter = new URLSearchParams(window.location.search).get('filter') ?? 'all';
  let items = [];
  let nextOffset = null;

  const attention = h('div');
  const tableBody = h('tbody');
  const moreBox = h('div', { class: 'load-more', hidden: true });
  const filterBar = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter by status' });
  const count = h('p', { class: 'muted sub' });

  const head = h('div', { class: 'page-head' },
    h('div', {}, h('h1', {}, 'Workflows'), count),
    h('span', { class: 'spacer' }),
    filterBar,
    can(me, 'operator') ? h('button', { class: 'btn btn-primary', type: 'button', onclick: () => openStartDialog(root) }, 'New workflow') : null);

  const table = h('section', { class: 'card', 'aria-label': 'Workflows' },
    h('table', { class: 'table-rows' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Workflow'), h('th', {}, 'Status'), h('th', { class: 'col-phase' }, 'Phase'), h('th', { class: 'col-step' }, 'Step'), h('th', { class: 'num' }, 'Round'), h('th', { class: 'num' }, 'Updated'))),
      tableBody),
    moreBox);
  clear(root, head, attention, table);

  function renderFilters() {
    clear(filterBar, FILTERS.map(([key, label]) =>
      h('button', { type: 'button', 'aria-pressed': String(filter === key), onclick: () => { filter = key; history.replaceState(null, '', key === 'all' ? '/' : `/?filter=${key}`); load(); } }, label)));
  }

  function row(wf) {
    const open = () => window.location.assign(`/workflows/${encodeURIComponent(wf.id)}`);
    return h('tr', { onclick: open, dataset: { id: wf.id } },
      h('td', {}, h('a', { class: 'wf-title', href: `/workflows/${encodeURIComponent(wf.id)}`, onclick: (e) => e.stopPropagation() }, titleOf(wf)), h('span', { class: 'wf-id' }, wf.id)),
      h('td', { class: 'col-status' }, statusPill(wf.status), wf.waiting_for ? h('div', { class: 'small faint' }, waitingLabel(wf.waiting_for)) : null),
      h('td', { class: 'col-phase muted' }, wf.phase_name ?? humanize(wf.phase)),
      h('td', { class: 'col-step muted' }, wf.current_step ? `Step ${wf.current_step}` : '—'),
      h('td', { class: 'num col-round' }, wf.round ? number(wf.round) : '—'),
      h('td', { class: 'num muted col-updated' }, time(wf.updated_at)));
  }

  async function renderAttention() {
    const { items: pending } = await api('/api/approvals');
    if (pending.length === 0) return clear(attention);
    // Gates and escalations are an approver's to answer; an external step's result an operator's.
    const mine = pending.some((p) => can(me, p.external ? 'operator' : 'approver'));
    const heading = mine ? 'Waiting for you' : pending.every((p) => !p.external) ? 'Waiting for an approver' : 'Waiting for a person';
    clear(attention, h('section', { class: 'attention', 'aria-labelledby': 'attention-title' },
      h('h2', { id: 'attention-title' }, heading, h('span', { class: 'tag tag-warn' }, String(pending.length))),
      h('div', { class: 'attention-grid' }, pending.map((p) =>
        h('a', { class: 'card attention-card', href: `/workflows/${encodeURIComponent(p.workflow.id)}`, dataset: { id: p.workflow.id, kind: p.gate ? 'gate' : p.escalation ? 'escalation' : 'external' } },
          h('div', { class: 'what' }, whatWaits(p)),
          h('div', { class: 'wf-title' }, titleOf(p.workflow)),
          h('div', { class: 'small faint' }, p.workflow.id, ' · ', p.latest_round ? `round ${p.latest_round.round} · ` : '', time(p.gate?.requested_at ?? p.escalation?.raised_at ?? p.external?.since)))))));
  }

  async function load(append = false) {
    renderFilters();
    const status = FILTERS.find(([key]) => key === filter)?.[2];
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(append ? items.length : 0) });
    if (status) params.set('status', status);
    try {
      const page = await api(`/api/workflows?${params}`);
      items = append ? [...items, ...page.items] : page.items;
      nextOffset = page.next_offset;
      clear(tableBody, items.length === 0 ? h('tr', {}, h('td', { colspan: 6, class: 'empty' }, filter === 'all' ? 'No workflows yet. Start one with “New workflow” or `converge start`.' : 'No workflows match this filter.')) : items.map(row));
      clear(moreBox, h('button', { class: 'btn', type: 'button', onclick: () => load(true) }, 'Load more'));
      moreBox.hidden = nextOffset === null;
      count.textContent = `${items.length}${nextOffset !== null ? '+' : ''} workflow${items.length === 1 ? '' : 's'}${filter === 'all' ? '' : ` · ${FILTERS.find(([k]) => k === filter)[1].toLowerCase()}`}`;
      await renderAttention();
    } catch (error) {
      toast(error.message, { error: true });
    }
  }

  await load();
  const refresh = debounce(() => load(), 250);
  liveStream('/api/stream', { changed: refresh }, setLive);
}

function whatWaits(p) {
  if (p.gate) return p.gate.gate_name;
  if (p.escalation) return `Escalation: ${humanize(p.escalation.reason)}`;
  return `Result of step ${p.external.step_number}: ${p.external.step_name}`;
}

function openStartDialog(root) {
  const requirements = h('textarea', { id: 'new-req', name: 'requirements', required: true, rows: 5, placeholder: 'Add a --json flag to the export command…' });
  const name = h('input', { id: 'new-name', type: 'text', name: 'name', maxlength: 200 });
  const workspace = h('input', { id: 'new-ws', type: 'text', name: 'workspace', placeholder: '.' });
  const auto = h('input', { id: 'new-auto', type: 'checkbox' });
  const dialog = h('dialog', { 'aria-labelledby': 'new-title' });
  const submit = async (event) => {
    event.preventDefault();
    try {
      const body = { requirements: requirements.value, auto_approve: auto.checked };
      if (name.value.trim()) body.name = name.value.trim();
      if (workspace.value.trim()) body.workspace = workspace.value.trim();
      const { workflow } = await api('/api/workflows', { method: 'POST', body });
      window.location.assign(`/workflows/${encodeURIComponent(workflow.id)}`);
    } catch (error) {
      toast(error.hint ? `${error.message} ${error.hint}` : error.message, { error: true });
    }
  };
  dialog.append(h('form', { onsubmit: submit },
    h('h2', { id: 'new-title' }, 'New workflow'),
    h('label', { for: 'new-req' }, 'Requirements'), requirements,
    h('label', { for: 'new-name' }, 'Name ', h('span', { class: 'hint' }, '(optional)')), name,
    h('label', { for: 'new-ws' }, 'Workspace ', h('span', { class: 'hint' }, "(relative to the server's workspace root)")), workspace,
    h('label', { class: 'check', for: 'new-auto' }, auto, 'Approve every gate automatically'),
    h('div', { class: 'row' }, h('span', { class: 'spacer' }),
      h('button', { class: 'btn', type: 'button', onclick: () => dialog.close() }, 'Cancel'),
      h('button', { class: 'btn btn-primary', type: 'submit' }, 'Start'))));
  dialog.addEventListener('close', () => dialog.remove());
  root.append(dialog);
  dialog.showModal();
  requirements.focus();
}
