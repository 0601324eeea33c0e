// One workflow: header and actions, what it waits for (gate, escalation, external step), at a
// gate the review (review.js), the live activity of the running step, the budget, then scores
// per round, artifacts with diffs, checks, the timeline (with traces and fork buttons), usage and
// details. Live over SSE: each new event refetches the view and re-renders in place (no reload);
// components keep what the reader was looking at or typing.
import { api, debounce, liveStream } from './api.js';
import { ActivityLog, activityEntry } from './activity-log.js';
import { ApprovalPanel, BudgetBars } from './approval-panel.js';
import { ArtifactsView } from './diff-view.js';
import { announce, cost, errorText, humanize, number, titleOf, toast, waitingLabel } from './format.js';
import { html, useCallback, useEffect, useRef, useState } from './lib.js';
import { Review } from './review.js';
import { ScoreCharts } from './score-chart.js';
import { can, setLive } from './session.js';
import { Timeline } from './timeline.js';
import { Card, Scroll, StatusPill, Time } from './ui.js';

const TERMINAL = ['completed', 'rejected', 'failed', 'cancelled'];

function Stat({ label, value, small }) {
  return html`<div class="card stat"><div class="label">${label}</div><div class="value">${value}${small ? html`<small> ${small}</small>` : null}</div></div>`;
}

function ChecksTable({ rounds }) {
  const rows = rounds.filter((r) => r.checks.length > 0).flatMap((r) => r.checks.map((c, i) => ({ r, c, first: i === 0 })));
  if (rows.length === 0) return html`<p class="empty">No checks ran yet: they run in each code validation.</p>`;
  return html`<${Scroll} label="Checks per round"><table class="checks">
    <thead><tr><th>Round</th><th>Check</th><th>Status</th><th>Summary</th><th class="num">Time</th></tr></thead>
    <tbody>${rows.map(({ r, c, first }) => html`<tr data-check=${c.id} data-status=${c.status}>
      <td class="round-label">${first ? `${r.artifact} R${r.round} · step ${r.step_number}` : ''}</td>
      <td class="mono">${c.id}${c.required ? '' : html`<span class="faint"> (optional)</span>`}</td>
      <td><span class=${`tag ${c.status === 'passed' ? 'tag-ok' : c.status === 'skipped' ? '' : 'tag-bad'}`}>${c.status}</span>
        ${c.sandbox === 'none' ? html`<span class="tag tag-warn" title="ran without a sandbox, with the server user’s access">not sandboxed</span>` : null}</td>
      <td class="muted summary-cell">${c.summary || '—'}${c.coverage !== null ? ` · coverage ${c.coverage}%` : ''}</td>
      <td class="num muted">${(c.duration_ms / 1000).toFixed(1)} s</td>
    </tr>`)}</tbody>
  </table></${Scroll}>`;
}

/** Nothing Converge ran reported usage: every step was answered from outside (or by an MCP host). */
function usageUnknown(wf) {
  const runs = wf.timeline.filter((i) => i.kind === 'step' && i.status !== 'scheduled');
  return wf.agent_mode === 'host' || (runs.length > 0 && runs.every((r) => r.agent === 'external'));
}

function Usage({ wf }) {
  const t = wf.usage.total;
  const host = usageUnknown(wf);
  return html`<div class="card-body stack">
    <dl class="kv">
      <dt>Input tokens</dt><dd>${host ? 'n/a' : number(t.input_tokens)}${t.cached_input_tokens ? html`<span class="faint"> (${number(t.cached_input_tokens)} cached)</span>` : null}</dd>
      <dt>Output tokens</dt><dd>${host ? 'n/a' : number(t.output_tokens)}</dd>
      <dt>Agent calls</dt><dd>${number(t.calls)}</dd>
      <dt>Cost</dt><dd>${host ? 'n/a' : cost(t.cost_usd)}</dd>
    </dl>
    ${wf.usage.by_provider.length > 0 ? html`<${Scroll} label="Tokens and cost per provider"><table>
      <thead><tr><th>Provider</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
      <tbody>${wf.usage.by_provider.map((p) => html`<tr><td>${p.provider}</td><td class="num">${number(p.input_tokens + p.output_tokens)}</td><td class="num">${cost(p.cost_usd)}</td></tr>`)}</tbody>
    </table></${Scroll}>` : null}
    ${wf.timeline.some((i) => i.kind === 'step' && i.agent === 'external') ? html`<p class="small muted">Steps answered from outside Converge report no tokens or cost (n/a).</p>` : null}
  </div>`;
}

function Details({ wf }) {
  return html`<div class="card-body stack">
    <dl class="kv">
      <dt>Definition</dt><dd>${wf.definition.name || wf.definition.id}</dd>
      <dt>Workspace</dt><dd class="mono">${wf.workspace.path}</dd>
      <dt>Agents</dt><dd>${wf.agent_mode === 'host' ? 'host-driven (MCP)' : 'configured'}</dd>
      <dt>Auto-approve</dt><dd>${wf.auto_approve ? 'yes (recorded)' : 'no'}</dd>
      <dt>Started</dt><dd><${Time} iso=${wf.created_at} /></dd>
      ${wf.forked_from ? html`<dt>Forked from</dt><dd><a href=${`/workflows/${encodeURIComponent(wf.forked_from.workflowId)}`}>${wf.forked_from.workflowId}</a> at step ${wf.forked_from.step}</dd>` : null}
    </dl>
    <h3>Requirements</h3><pre class="requirements">${wf.requirements}</pre>
  </div>`;
}

function Head({ wf, me, act }) {
  const terminal = TERMINAL.includes(wf.status);
  return html`<div class="wf-head">
    <div><h1>${titleOf(wf)}</h1>
      <div class="wf-meta"><span class="mono">${wf.id}</span><span>updated <${Time} iso=${wf.updated_at} /></span>${wf.waiting_for ? html`<span id="waiting-for">waiting for: ${waitingLabel(wf.waiting_for)}</span>` : null}</div></div>
    <div class="wf-actions">
      <span id="status"><${StatusPill} status=${wf.status} paused=${wf.paused} large /></span>
      ${can(me, 'operator') && !terminal ? html`
        ${wf.paused ? html`<button class="btn" type="button" onClick=${() => act('resume')}>Resume</button>` : html`<button class="btn" type="button" onClick=${() => act('pause')}>Pause</button>`}
        <button class="btn btn-danger" type="button" onClick=${() => window.confirm('Cancel this workflow? A running step is stopped.') && act('cancel', {})}>Cancel</button>` : null}
    </div>
  </div>`;
}

export function WorkflowPage({ id, me }) {
  const path = `/api/workflows/${encodeURIComponent(id)}`;
  const [wf, setWf] = useState(null);
  const [failed, setFailed] = useState(null);
  const [review, setReview] = useState(null);
  const [activity, setActivity] = useState([]);
  const latest = useRef(null);
  const memory = useRef({}).current;

  const refresh = useCallback(async () => {
    try {
      const next = await api(path);
      const previous = latest.current;
      latest.current = next;
      setWf(next);
      if (previous && previous.status !== next.status) announce(`Status changed to ${next.status.replace(/_/g, ' ')}.`);
      if (next.gate) {
        // The review is h17r's endpoint; a server without it shows the page without the review.
        setReview(await api(`${path}/review`).catch(() => null));
      } else setReview(null);
    } catch (error) {
      if (latest.current === null) setFailed(error.message);
      else toast(error.message, { error: true });
    }
  }, [path]);

  useEffect(() => {
    refresh();
  }, []);
  useEffect(() => {
    if (wf === null) return undefined;
    const reload = debounce(refresh, 150);
    const onActivity = (data) => {
      const entry = activityEntry(data);
      if (entry) setActivity((all) => [...all.slice(-499), entry]);
    };
    return liveStream(() => `${path}/stream?after=${latest.current.last_seq}`, { 'workflow-event': reload, progress: onActivity, activity: onActivity }, setLive);
  }, [wf === null]);
  useEffect(() => {
    if (wf) document.title = `${titleOf(wf)} · Converge`;
  }, [wf?.name, wf?.requirements]);

  const act = async (what, body) => {
    try {
      await api(`${path}/${what}`, { method: 'POST', body });
      toast(`${humanize(what)} recorded.`);
      await refresh();
    } catch (error) {
      toast(errorText(error), { error: true });
    }
  };

  const crumbs = html`<div class="crumbs"><a href="/">Workflows</a> / <span class="mono">${id}</span></div>`;
  if (failed !== null) return html`${crumbs}<h1>Workflow not found</h1><p class="muted">${failed}</p>`;
  if (wf === null) return html`${crumbs}<p class="muted loading">Loading…</p>`;

  const phaseName = wf.definition.phases.find((p) => p.id === wf.phase)?.name ?? humanize(wf.phase);
  const step = wf.timeline.filter((t) => t.kind === 'step').at(-1);
  const host = usageUnknown(wf);
  return html`
    ${crumbs}
    <${Head} wf=${wf} me=${me} act=${act} />
    <div class="stats">
      <${Stat} label="Phase" value=${phaseName} />
      <${Stat} label="Step" value=${step ? `${step.step_number} · ${step.step_name}` : '—'} />
      <${Stat} label="Round" value=${wf.round ? String(wf.round) : '—'} small=${wf.loop ? humanize(wf.loop).toLowerCase() : ''} />
      <${Stat} label="Tokens" value=${host ? 'n/a' : number(wf.usage.total.input_tokens + wf.usage.total.output_tokens)} />
      <${Stat} label="Cost" value=${host ? 'n/a' : cost(wf.usage.total.cost_usd)} />
    </div>
    ${wf.budget ? html`<${Card} id="budget" title="Budget"><div class="card-body"><${BudgetBars} budget=${wf.budget} /></div></${Card}>` : null}
    <${ApprovalPanel} wf=${wf} me=${me} review=${review} onDone=${refresh} />
    <${ActivityLog} entries=${activity} running=${wf.status === 'running'} />
    ${wf.gate ? html`<${Review} wf=${wf} review=${review} />` : null}
    <div class="layout">
      <div class="col">
        <${Card} id="scores" title="Scores per round"><div class="card-body"><${ScoreCharts} rounds=${wf.rounds} /></div></${Card}>
        <${Card} id="artifacts" title="Artifacts"><${ArtifactsView} key=${wf.artifacts.map((a) => `${a.artifact}:${a.versions.length}`).join(',')} workflowId=${wf.id} artifacts=${wf.artifacts} memory=${memory} /></${Card}>
        <${Card} id="checks" title="Checks"><${ChecksTable} rounds=${wf.rounds} /></${Card}>
      </div>
      <div class="col">
        <${Card} id="timeline" title="Timeline"><${Timeline} wf=${wf} me=${me} /></${Card}>
        <${Card} id="usage" title="Tokens and cost"><${Usage} wf=${wf} /></${Card}>
        <${Card} id="details" title="Details"><${Details} wf=${wf} /></${Card}>
      </div>
    </div>`;
}
