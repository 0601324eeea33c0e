// One workflow: header and actions, the approvals panel, scores per round against thresholds,
// artifacts with diffs, checks, timeline, usage. Live over SSE: each new event refetches the
// view and re-renders in place (no reload), keeping what the reader was looking at or typing.
import { api, debounce, liveStream } from './api.js';
import { approvalPanel } from './approval-panel.js';
import { artifactsView } from './diff-view.js';
import { announce, card, clear, cost, h, humanize, number, statusPill, time, titleOf, toast, waitingLabel } from './dom.js';
import { scoreCharts } from './score-chart.js';
import { can, setLive } from './session.js';
import { timelineView } from './timeline.js';

function stat(label, value, small) {
  return h('div', { class: 'card stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value, small ? h('small', {}, ` ${small}`) : null));
}

function checksTable(rounds) {
  const rows = rounds.filter((r) => r.checks.length > 0).flatMap((r) => r.checks.map((c, i) => ({ r, c, first: i === 0 })));
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No checks ran yet: they run in each code validation.');
  return h('table', { class: 'checks' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Round'), h('th', {}, 'Check'), h('th', {}, 'Status'), h('th', {}, 'Summary'), h('th', { class: 'num' }, 'Time'))),
    h('tbody', {}, rows.map(({ r, c, first }) => h('tr', { dataset: { check: c.id, status: c.status } },
      h('td', { class: 'round-label' }, first ? `${r.artifact} R${r.round} · step ${r.step_number}` : ''),
      h('td', { class: 'mono' }, c.id, c.required ? '' : h('span', { class: 'faint' }, ' (optional)')),
      h('td', {}, h('span', { class: `tag ${c.status === 'passed' ? 'tag-ok' : c.status === 'skipped' ? '' : 'tag-bad'}` }, c.status),
        c.sandbox === 'none' ? h('span', { class: 'tag tag-warn', title: 'ran without a sandbox, with the server user’s access' }, 'not sandboxed') : null),
      h('td', { class: 'muted' }, c.summary || '—', c.coverage !== null ? ` · coverage ${c.coverage}%` : ''),
      h('td', { class: 'num muted' }, `${(c.duration_ms / 1000).toFixed(1)} s`)))));
}

function usageView(usage) {
  const t = usage.total;
  return h('div', { class: 'card-body stack' },
    h('dl', { class: 'kv' },
      h('dt', {}, 'Input tokens'), h('dd', {}, number(t.input_tokens), t.cached_input_tokens ? h('span', { class: 'faint' }, ` (${number(t.cached_input_tokens)} cached)`) : null),
      h('dt', {}, 'Output tokens'), h('dd', {}, number(t.output_tokens)),
      h('dt', {}, 'Agent calls'), h('dd', {}, number(t.calls)),
      h('dt', {}, 'Cost'), h('dd', {}, cost(t.cost_usd))),
    usage.by_provider.length > 0
      ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Provider'), h('th', { class: 'num' }, 'Tokens'), h('th', { class: 'num' }, 'Cost'))),
          h('tbody', {}, usage.by_provider.map((p) => h('tr', {}, h('td', {}, p.provider), h('td', { class: 'num' }, number(p.input_tokens + p.output_tokens)), h('td', { class: 'num' }, cost(p.cost_usd))))))
      : null);
}

function detailsView(wf) {
  return h('div', { class: 'card-body stack' },
    h('dl', { class: 'kv' },
      h('dt', {}, 'Definition'), h('dd', {}, wf.definition.name || wf.definition.id),
      h('dt', {}, 'Workspace'), h('dd', { class: 'mono' }, wf.workspace.path),
      h('dt', {}, 'Agents'), h('dd', {}, wf.agent_mode === 'host' ? 'host-driven (MCP)' : 'configured'),
      h('dt', {}, 'Auto-approve'), h('dd', {}, wf.auto_approve ? 'yes (recorded)' : 'no'),
      h('dt', {}, 'Started'), h('dd', {}, time(wf.created_at)),
      wf.forked_from ? [h('dt', {}, 'Forked from'), h('dd', {}, h('a', { href: `/workflows/${encodeURIComponent(wf.forked_from.workflowId)}` }, wf.forked_from.workflowId), ` at step ${wf.forked_from.step}`)] : null),
    h('h3', {}, 'Requirements'), h('pre', { class: 'requirements' }, wf.requirements));
}

export async function renderWorkflow(root, id, me) {
  const path = `/api/workflows/${encodeURIComponent(id)}`;
  const memory = {};
  let wf;
  try {
    wf = await api(path);
  } catch (error) {
    clear(root, h('div', { class: 'crumbs' }, h('a', { href: '/' }, 'Workflows')), h('h1', {}, 'Workflow not found'), h('p', { class: 'muted' }, error.message));
    return;
  }
  const regions = { head: h('div'), stats: h('div', { class: 'stats' }), decision: h('div'), scores: h('div'), artifacts: h('div'), checks: h('div'), timeline: h('div'), usage: h('div'), details: h('div') };
  clear(root,
    h('div', { class: 'crumbs' }, h('a', { href: '/' }, 'Workflows'), ' / ', h('span', { class: 'mono' }, id)),
    regions.head, regions.stats, regions.decision,
    h('div', { class: 'layout' },
      h('div', { class: 'col' },
        card('Scores per round', { id: 'scores', body: h('div', { class: 'card-body' }, regions.scores) }),
        card('Artifacts', { id: 'artifacts', body: regions.artifacts }),
        card('Checks', { id: 'checks', body: regions.checks })),
      h('div', { class: 'col' },
        card('Timeline', { id: 'timeline', body: regions.timeline }),
        card('Tokens and cost', { id: 'usage', body: regions.usage }),
        card('Details', { id: 'details', body: regions.details }))));

  let pendingKey = null;
  let artifactsKey = null;
  const act = async (what, body) => {
    try {
      await api(`${path}/${what}`, { method: 'POST', body });
      toast(`${humanize(what)} recorded.`);
      await refresh();
    } catch (error) {
      toast(error.hint ? `${error.message} ${error.hint}` : error.message, { error: true });
    }
  };

  function render(next, previous) {
    wf = next;
    document.title = `${titleOf(wf)} · Converge`;
    const terminal = ['completed', 'rejected', 'failed', 'cancelled'].includes(wf.status);
    clear(regions.head, h('div', { class: 'wf-head' },
      h('div', {}, h('h1', {}, titleOf(wf)),
        h('div', { class: 'wf-meta' }, h('span', { class: 'mono' }, wf.id), h('span', {}, `updated `, time(wf.updated_at)), wf.waiting_for ? h('span', { id: 'waiting-for' }, `waiting for: ${waitingLabel(wf.waiting_for)}`) : null)),
      h('div', { class: 'wf-actions' },
        h('span', { id: 'status' }, statusPill(wf.status, { paused: wf.paused, large: true })),
        can(me, 'operator') && !terminal ? [
          wf.paused ? h('button', { class: 'btn', type: 'button', onclick: () => act('resume') }, 'Resume') : h('button', { class: 'btn', type: 'button', onclick: () => act('pause') }, 'Pause'),
          h('button', { class: 'btn btn-danger', type: 'button', onclick: () => window.confirm('Cancel this workflow? A running step is stopped.') && act('cancel', {}) }, 'Cancel'),
        ] : null)));
    const phaseName = wf.definition.phases.find((p) => p.id === wf.phase)?.name ?? humanize(wf.phase);
    const step = wf.timeline.filter((t) => t.kind === 'step').at(-1);
    clear(regions.stats,
      stat('Phase', phaseName),
      stat('Step', step ? `${step.step_number} · ${step.step_name}` : '—'),
      stat('Round', wf.round ? String(wf.round) : '—', wf.loop ? humanize(wf.loop).toLowerCase() : ''),
      stat('Tokens', number(wf.usage.total.input_tokens + wf.usage.total.output_tokens)),
      stat('Cost', cost(wf.usage.total.cost_usd)));
    // A new key re-renders the panel; an unchanged one keeps what the reader is typing in it.
    const key = wf.gate?.interaction_id ?? wf.escalation?.escalation_id ?? (wf.external ? `external:${wf.external.step_id}:${wf.external.since}` : null);
    if (key !== pendingKey) {
      pendingKey = key;
      clear(regions.decision, approvalPanel(wf, me, refresh));
    }
    clear(regions.scores, scoreCharts(wf.rounds));
    const aKey = wf.artifacts.map((a) => `${a.artifact}:${a.versions.length}`).join(',');
    if (aKey !== artifactsKey) {
      artifactsKey = aKey;
      clear(regions.artifacts, artifactsView(wf.id, wf.artifacts, memory));
    }
    clear(regions.checks, checksTable(wf.rounds));
    clear(regions.timeline, timelineView(wf.timeline, wf.definition.phases));
    clear(regions.usage, usageView(wf.usage));
    clear(regions.details, detailsView(wf));
    if (previous && previous.status !== wf.status) announce(`Status changed to ${wf.status.replace(/_/g, ' ')}.`);
  }

  async function refresh() {
    try {
      render(await api(path), wf);
    } catch (error) {
      toast(error.message, { error: true });
    }
  }

  render(wf);
  const reload = debounce(refresh, 150);
  liveStream(() => `${path}/stream?after=${wf.last_seq}`, { 'workflow-event': reload }, setLive);
}
