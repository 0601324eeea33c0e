// The workflow list: what waits for a person first ("Waiting for you": gates, escalations and
// external steps), then every workflow with status, phase, step and round. Refreshes live when
// any workflow changes.
import { api, debounce, liveStream } from './api.js';
import { errorText, humanize, number, titleOf, toast, waitingLabel } from './format.js';
import { html, useCallback, useEffect, useRef, useState } from './lib.js';
import { can, setLive } from './session.js';
import { StatusPill, Time } from './ui.js';

const FILTERS = [
  ['all', 'All', undefined],
  ['running', 'Running', 'running'],
  ['waiting', 'Waiting', 'waiting_for_human'],
  ['completed', 'Completed', 'completed'],
  ['stopped', 'Stopped', 'rejected,failed,cancelled'],
];
const PAGE = 50;

export function ListPage({ me }) {
  const [filter, setFilter] = useState(() => new URLSearchParams(window.location.search).get('filter') ?? 'all');
  const [items, setItems] = useState(null);
  const [nextOffset, setNextOffset] = useState(null);
  const [pending, setPending] = useState([]);
  const [starting, setStarting] = useState(false);
  const state = useRef({ filter, items: [] });
  state.current.filter = filter;

  const load = useCallback(async (append = false) => {
    const current = state.current.filter;
    const status = FILTERS.find(([key]) => key === current)?.[2];
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(append ? state.current.items.length : 0) });
    if (status) params.set('status', status);
    try {
      const page = await api(`/api/workflows?${params}`);
      if (state.current.filter !== current) return;
      const next = append ? [...state.current.items, ...page.items] : page.items;
      state.current.items = next;
      setItems(next);
      setNextOffset(page.next_offset);
      setPending((await api('/api/approvals')).items);
    } catch (error) {
      toast(error.message, { error: true });
    }
  }, []);

  useEffect(() => { document.title = 'Workflows · Converge'; }, []);
  useEffect(() => { load(); }, [filter]);
  useEffect(() => liveStream('/api/stream', { changed: debounce(() => load(), 250) }, setLive), []);

  const choose = (key) => {
    history.replaceState(null, '', key === 'all' ? '/' : `/?filter=${key}`);
    setFilter(key);
  };
  const label = FILTERS.find(([k]) => k === filter)?.[1] ?? 'All';
  const list = items ?? [];
  return html`
    <div class="page-head">
      <div><h1>Workflows</h1>
        <p class="muted sub">${items === null ? '' : `${list.length}${nextOffset !== null ? '+' : ''} workflow${list.length === 1 ? '' : 's'}${filter === 'all' ? '' : ` · ${label.toLowerCase()}`}`}</p></div>
      <span class="spacer"></span>
      <div class="filters" role="group" aria-label="Filter by status">
        ${FILTERS.map(([key, text]) => html`<button type="button" aria-pressed=${String(filter === key)} onClick=${() => choose(key)}>${text}</button>`)}
      </div>
      ${can(me, 'operator') ? html`<button class="btn btn-primary" type="button" onClick=${() => setStarting(true)}>New workflow</button>` : null}
    </div>
    <${Attention} pending=${pending} me=${me} />
    <section class="card" aria-label="Workflows">
      <table class="table-rows">
        <thead><tr><th>Workflow</th><th>Status</th><th class="col-phase">Phase</th><th class="col-step">Step</th><th class="num">Round</th><th class="num">Updated</th></tr></thead>
        <tbody>
          ${items === null ? html`<tr><td colspan="6" class="empty">Loading…</td></tr>`
            : list.length === 0 ? html`<tr><td colspan="6" class="empty">${filter === 'all' ? 'No workflows yet. Start one with “New workflow” or `converge start`.' : 'No workflows match this filter.'}</td></tr>`
            : list.map((wf) => html`<${Row} key=${wf.id} wf=${wf} />`)}
        </tbody>
      </table>
      ${nextOffset !== null ? html`<div class="load-more"><button class="btn" type="button" onClick=${() => load(true)}>Load more</button></div>` : null}
    </section>
    ${starting ? html`<${StartDialog} onClose=${() => setStarting(false)} />` : null}`;
}

function Row({ wf }) {
  const href = `/workflows/${encodeURIComponent(wf.id)}`;
  return html`<tr data-id=${wf.id} onClick=${() => window.location.assign(href)}>
    <td><a class="wf-title" href=${href} onClick=${(e) => e.stopPropagation()}>${titleOf(wf)}</a><span class="wf-id">${wf.id}</span></td>
    <td class="col-status"><${StatusPill} status=${wf.status} />${wf.waiting_for ? html`<div class="small faint">${waitingLabel(wf.waiting_for)}</div>` : null}</td>
    <td class="col-phase muted">${wf.phase_name ?? humanize(wf.phase)}</td>
    <td class="col-step muted">${wf.current_step ? `Step ${wf.current_step}` : '—'}</td>
    <td class="num col-round">${wf.round ? number(wf.round) : '—'}</td>
    <td class="num muted col-updated"><${Time} iso=${wf.updated_at} /></td>
  </tr>`;
}

function whatWaits(p) {
  if (p.gate) return p.gate.gate_name;
  if (p.escalation) return `Escalation: ${humanize(p.escalation.reason)}`;
  return `Result of step ${p.external.step_number}: ${p.external.step_name}`;
}

function Attention({ pending, me }) {
  if (pending.length === 0) return null;
  // Gates and escalations are an approver's to answer; an external step's result an operator's.
  const mine = pending.some((p) => can(me, p.external ? 'operator' : 'approver'));
  const heading = mine ? 'Waiting for you' : pending.every((p) => !p.external) ? 'Waiting for an approver' : 'Waiting for a person';
  return html`<section class="attention" aria-labelledby="attention-title">
    <h2 id="attention-title">${heading}<span class="tag tag-warn">${String(pending.length)}</span></h2>
    <div class="attention-grid">
      ${pending.map((p) => html`<a class="card attention-card" href=${`/workflows/${encodeURIComponent(p.workflow.id)}`} data-id=${p.workflow.id} data-kind=${p.gate ? 'gate' : p.escalation ? 'escalation' : 'external'}>
        <div class="what">${whatWaits(p)}</div>
        <div class="wf-title">${titleOf(p.workflow)}</div>
        <div class="small faint">${p.workflow.id} · ${p.gate?.approvals && (p.gate.approvals.required > 1 || p.gate.approvals.given > 0) ? `${p.gate.approvals.text} · ` : ''}${p.latest_round ? `round ${p.latest_round.round} · ` : ''}<${Time} iso=${p.gate?.requested_at ?? p.escalation?.raised_at ?? p.external?.since} /></div>
      </a>`)}
    </div>
  </section>`;
}

function StartDialog({ onClose }) {
  const ref = useRef();
  const [form, setForm] = useState({ requirements: '', name: '', workspace: '', auto: false });
  useEffect(() => {
    ref.current.showModal();
    ref.current.querySelector('textarea').focus();
  }, []);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    try {
      const body = { requirements: form.requirements, auto_approve: form.auto };
      if (form.name.trim()) body.name = form.name.trim();
      if (form.workspace.trim()) body.workspace = form.workspace.trim();
      const { workflow } = await api('/api/workflows', { method: 'POST', body });
      window.location.assign(`/workflows/${encodeURIComponent(workflow.id)}`);
    } catch (error) {
      toast(errorText(error), { error: true });
    }
  };
  return html`<dialog ref=${ref} aria-labelledby="new-title" onClose=${onClose}>
    <form onSubmit=${submit}>
      <h2 id="new-title">New workflow</h2>
      <label for="new-req">Requirements</label>
      <textarea id="new-req" name="requirements" required rows="5" placeholder="Add a --json flag to the export command…" value=${form.requirements} onInput=${set('requirements')}></textarea>
      <label for="new-name">Name <span class="hint">(optional)</span></label>
      <input id="new-name" type="text" name="name" maxlength="200" value=${form.name} onInput=${set('name')} />
      <label for="new-ws">Workspace <span class="hint">(relative to the server's workspace root)</span></label>
      <input id="new-ws" type="text" name="workspace" placeholder="." value=${form.workspace} onInput=${set('workspace')} />
      <label class="check" for="new-auto"><input id="new-auto" type="checkbox" checked=${form.auto} onChange=${set('auto')} />Approve every gate automatically</label>
      <div class="row"><span class="spacer"></span>
        <button class="btn" type="button" onClick=${() => ref.current.close()}>Cancel</button>
        <button class="btn btn-primary" type="submit">Start</button></div>
    </form>
  </dialog>`;
}
