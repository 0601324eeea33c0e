// The timeline in event order: every run of a step (loops show as repeated steps with their
// round, retries with their recovery strategy), gates, escalations, human revisions at a gate
// and phase changes. Each step carries its trace and, for operators, "Fork from step N".
import { api } from './api.js';
import { DiffView } from './diff-view.js';
import { duration, errorText, humanize, number, toast } from './format.js';
import { html, useState } from './lib.js';
import { can } from './session.js';
import { StepTrace } from './trace.js';
import { Time } from './ui.js';

const STATUS_TEXT = { scheduled: 'scheduled', started: 'running', completed: 'done', failed: 'failed' };

function ForkButton({ wf, step }) {
  const [busy, setBusy] = useState(false);
  const fork = async () => {
    setBusy(true);
    try {
      const { workflow } = await api(`/api/workflows/${encodeURIComponent(wf.id)}/fork`, { method: 'POST', body: { from_step: step } });
      toast(`Forked as ${workflow.id}.`);
      window.location.assign(`/workflows/${encodeURIComponent(workflow.id)}`);
    } catch (error) {
      toast(errorText(error), { error: true });
      setBusy(false);
    }
  };
  return html`<button class="btn btn-sm fork" type="button" disabled=${busy} onClick=${fork} title=${`A new workflow with everything before step ${step}, which runs step ${step} again`}>Fork from step ${step}</button>`;
}

function StepItem({ item, wf, me }) {
  // A step answered from outside (or by an MCP host) reports no tokens or cost: n/a, not 0.
  const external = item.usage_known === false || item.agent === 'external' || wf.agent_mode === 'host';
  const tokens = item.usage.input_tokens + item.usage.output_tokens;
  const meta = [
    item.role,
    external ? 'external' : item.agent ? item.agent.replace(/:.*[\/]/, ':') : null,
    STATUS_TEXT[item.status] ?? item.status,
    item.duration_ms !== null ? duration(item.duration_ms) : null,
    external ? 'tokens n/a' : tokens > 0 ? `${number(tokens)} tokens` : null,
  ].filter(Boolean);
  return html`<li class=${`tl ${item.status}`} data-kind="step" data-step=${String(item.step_number)} data-status=${item.status}>
    <span class="tl-dot" aria-hidden="true"></span>
    <div class="tl-title">
      <span class="n">${String(item.step_number)}</span>
      <span>${item.step_name}</span>
      ${item.round !== null ? html`<span class="tag">${humanize(item.loop ?? 'loop').replace(/ loop$/i, '')} round ${item.round}</span>` : null}
      ${item.version !== null ? html`<span class="tag">${item.artifact} v${item.version}</span>` : null}
      ${item.sandbox === 'none' ? html`<span class="tag tag-warn" title="the agent’s process ran without a sandbox">not sandboxed</span>` : null}
      ${item.retry ? html`<span class="tag tag-warn">retry ${item.attempt}${item.recovery_strategy ? ` · ${item.recovery_strategy.replace(/_/g, ' ')}` : ''}</span>` : null}
    </div>
    <div class="tl-meta">${meta.join(' · ')} · <${Time} iso=${item.started_at ?? item.at} /></div>
    ${item.failure ? html`<div class="tl-note bad">${item.failure.class.replace(/_/g, ' ')}: ${item.failure.message}</div>` : null}
    ${item.change_requests.length > 0 ? html`<div class="tl-note">Change requests: ${item.change_requests.join('; ')}</div>` : null}
    <div class="tl-actions">
      ${item.status !== 'scheduled' ? html`<${StepTrace} workflowId=${wf.id} stepNumber=${item.step_number} actionId=${item.action_id} />` : null}
      ${can(me, 'operator') && item.status !== 'scheduled' ? html`<${ForkButton} wf=${wf} step=${item.step_number} />` : null}
    </div>
  </li>`;
}

const DECISION_TEXT = { approve: 'approved', reject: 'rejected', request_changes: 'changes requested', pending: 'waiting for approval' };

function GateItem({ item }) {
  const who = item.actor ? `${item.actor.id}${item.automatic ? ` (${item.automatic.replace(/_/g, ' ')})` : ''}` : '';
  const before = (item.approved_before ?? []).map((v) => v.actor?.id ?? v.actor).filter(Boolean);
  return html`<li class=${`tl gate ${item.decision}`} data-kind="gate" data-gate=${item.gate_id} data-decision=${item.decision}>
    <span class="tl-dot" aria-hidden="true"></span>
    <div class="tl-title"><span>${item.gate_name}</span><span class=${item.decision === 'pending' ? 'tag tag-warn' : item.decision === 'approve' ? 'tag tag-ok' : 'tag tag-bad'}>${DECISION_TEXT[item.decision] ?? item.decision}</span></div>
    <div class="tl-meta">${who ? `${who} · ` : ''}${before.length > 0 ? `after approvals by ${before.join(', ')} · ` : ''}<${Time} iso=${item.at} /></div>
    ${item.comment ? html`<div class="tl-note">“${item.comment}”</div>` : null}
    ${item.change_requests?.length > 0 ? html`<div class="tl-note">Change requests: ${item.change_requests.join('; ')}</div>` : null}
  </li>`;
}

function EscalationItem({ item }) {
  const answer = item.answer ? `${item.answer.kind.replace(/_/g, ' ')}${item.answer.rounds ? ` ${item.answer.rounds}` : ''} by ${item.actor?.id ?? '?'}` : 'waiting for an answer';
  return html`<li class="tl escalation" data-kind="escalation">
    <span class="tl-dot" aria-hidden="true"></span>
    <div class="tl-title"><span>Escalation: ${item.reason.replace(/_/g, ' ')}</span><span class=${item.answer ? 'tag' : 'tag tag-warn'}>${answer}</span></div>
    <div class="tl-meta"><${Time} iso=${item.raised_at} /></div>
    <div class="tl-note">${item.message}</div>
  </li>`;
}

/** A person's edit of the plan or a file at a gate, recorded as a new version with its diff. */
function RevisionItem({ item }) {
  const actor = item.actor?.id ?? item.actor ?? null;
  const what = item.path ? item.path : item.artifact ?? 'plan';
  return html`<li class="tl revision" data-kind="revision" data-artifact=${item.artifact ?? ''}>
    <span class="tl-dot" aria-hidden="true"></span>
    <div class="tl-title"><span>Human revision</span><span class="tag">${what}${item.version ? ` v${item.version}` : ''}</span></div>
    <div class="tl-meta">${actor ? `${actor} · ` : ''}<${Time} iso=${item.at} /></div>
    ${item.comment ? html`<div class="tl-note">“${item.comment}”</div>` : null}
    ${item.diff ? html`<details class="trace"><summary>Its diff</summary><${DiffView} diff=${item.diff} label=${`Human revision of ${what}`} files=${false} /></details>` : null}
  </li>`;
}

function PhaseItem({ item, phases }) {
  const name = phases.find((p) => p.id === item.to)?.name ?? humanize(item.to);
  return html`<li class="tl phase" data-kind="phase"><div class="phase-line">${name}</div></li>`;
}

export function Timeline({ wf, me }) {
  if (wf.timeline.length === 0) return html`<p class="empty">Nothing has run yet.</p>`;
  return html`<ol class="timeline" aria-label="Timeline">
    ${wf.timeline.map((item, i) => {
      const key = item.action_id ?? `${item.kind}-${item.at}-${i}`;
      if (item.kind === 'step') return html`<${StepItem} key=${key} item=${item} wf=${wf} me=${me} />`;
      if (item.kind === 'gate') return html`<${GateItem} key=${key} item=${item} />`;
      if (item.kind === 'escalation') return html`<${EscalationItem} key=${key} item=${item} />`;
      if (item.kind === 'phase') return html`<${PhaseItem} key=${key} item=${item} phases=${wf.definition.phases} />`;
      if (/revision|edit/.test(item.kind)) return html`<${RevisionItem} key=${key} item=${item} />`;
      return null;
    })}
  </ol>`;
}
