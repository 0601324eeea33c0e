// The panel for what the workflow waits for: the pending gate (with its approvals so far, "1 of 2
// approvals, by alice", and — at the gate — editing the plan or a file before approving), an
// escalation (a budget reached among them), or an external step (external-panel.js). Approvers
// answer gates and escalations; others see who it waits for.
import { api } from './api.js';
import { ExternalPanel } from './external-panel.js';
import { errorText, humanize, toast } from './format.js';
import { GateEdit } from './gate-edit.js';
import { html, useState } from './lib.js';
import { can } from './session.js';
import { Time } from './ui.js';

function Criteria({ round }) {
  if (!round) return null;
  return html`<ul class="criteria" aria-label="Criteria of the latest round">
    ${round.met.map((m) => html`<li>✓ ${m}</li>`)}
    ${round.unmet.map((m) => html`<li class="unmet">✗ ${m}</li>`)}
  </ul>`;
}

function ProtectedFiles({ paths }) {
  if (!paths || paths.length === 0) return null;
  return html`<div class="notice protected-files" role="note">
    <strong>Protected files changed</strong> — review them before approving; automatic approval is held:
    <ul>${paths.map((p) => html`<li><code>${p}</code></li>`)}</ul>
  </div>`;
}

/** "1 of 2 approvals, by alice" and who may give the rest. */
export function ApprovalsProgress({ approvals }) {
  // A gate one approver opens needs no count until someone has approved.
  if (!approvals || (approvals.required <= 1 && approvals.given === 0)) return null;
  const by = approvals.by.map((v) => v.actor?.id ?? v.actor).filter(Boolean);
  return html`<div class="approvals-progress" data-given=${String(approvals.given)} data-required=${String(approvals.required)}>
    <strong>${approvals.text ?? `${approvals.given} of ${approvals.required} approvals`}${by.length > 0 ? `, by ${by.join(', ')}` : ''}</strong>
    ${approvals.who ? html`<span class="muted"> · from ${approvals.who}</span>` : null}
    ${approvals.by.filter((v) => v.comment).map((v) => html`<div class="tl-note">${v.actor?.id ?? v.actor}: “${v.comment}”</div>`)}
  </div>`;
}

/** Comment and change-request fields; `prefix` keeps their ids apart. */
function Fields({ prefix, values, set }) {
  return html`<div class="decision-grid">
    <div class="stack"><label for=${`${prefix}-comment`}>Comment <span class="hint">(optional)</span></label>
      <textarea id=${`${prefix}-comment`} rows="3" placeholder="Recorded with your decision and shown in the timeline" value=${values.comment} onInput=${(e) => set({ ...values, comment: e.currentTarget.value })}></textarea></div>
    <div class="stack"><label for=${`${prefix}-changes`}>Change requests <span class="hint">(for request changes / send back)</span></label>
      <textarea id=${`${prefix}-changes`} rows="3" placeholder="One change per line" value=${values.changes} onInput=${(e) => set({ ...values, changes: e.currentTarget.value })}></textarea></div>
  </div>`;
}

const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function useSend(onDone) {
  const [busy, setBusy] = useState(false);
  const send = async (path, body) => {
    setBusy(true);
    try {
      await api(path, { method: 'POST', body });
      toast('Recorded. The workflow continues.');
      setBusy(false);
      onDone();
    } catch (error) {
      toast(errorText(error), { error: true });
      setBusy(false);
    }
  };
  return [busy, send];
}

function GatePanel({ wf, me, latest, review, onDone }) {
  const [values, set] = useState({ comment: '', changes: '' });
  const [busy, send] = useSend(onDone);
  const approver = can(me, 'approver');
  const path = `/api/workflows/${encodeURIComponent(wf.id)}/approval`;
  const comment = () => (values.comment.trim() ? { comment: values.comment.trim() } : {});
  const requestChanges = () => {
    if (lines(values.changes).length === 0) return toast('Write at least one change request (one per line).', { error: true });
    send(path, { decision: 'request_changes', change_requests: lines(values.changes), ...comment() });
  };
  const reject = () => {
    if (window.confirm('Reject ends the workflow as rejected. Continue?')) send(path, { decision: 'reject', ...comment() });
  };
  return html`<section class="card decision" aria-labelledby="decision-title" id=${approver ? 'approvals' : undefined}>
    <div class="card-head">
      <div class="decision-title"><span class="eyebrow">${approver ? 'Waiting for you' : 'Waiting for an approver'}</span><h2 id="decision-title">${wf.gate.gate_name}</h2></div>
      <span class="spacer"></span><span class="small faint">requested <${Time} iso=${wf.gate.requested_at} /></span>
    </div>
    <div class="card-body">
      <${ApprovalsProgress} approvals=${wf.gate.approvals} />
      <${ProtectedFiles} paths=${wf.gate.protected_paths} />
      <${Criteria} round=${latest} />
      ${!approver ? html`<p class="notice">Only approvers answer gates; you are signed in as ${me.role}.</p>` : html`
        <${Fields} prefix="gate" values=${values} set=${set} />
        <div class="decision-actions">
          <button class="btn btn-approve" type="button" disabled=${busy} onClick=${() => send(path, { decision: 'approve', ...comment() })}>Approve</button>
          <button class="btn" type="button" disabled=${busy} onClick=${requestChanges}>Request changes</button>
          <button class="btn btn-danger" type="button" disabled=${busy} onClick=${reject}>Reject</button>
        </div>
        <${GateEdit} wf=${wf} review=${review} onDone=${onDone} />`}
    </div>
  </section>`;
}

function EscalationPanel({ wf, me, latest, onDone }) {
  const e = wf.escalation;
  const [values, set] = useState({ comment: '', changes: '' });
  const [rounds, setRounds] = useState(1);
  const [busy, send] = useSend(onDone);
  const path = `/api/workflows/${encodeURIComponent(wf.id)}/escalation`;
  const comment = () => (values.comment.trim() ? { comment: values.comment.trim() } : {});
  const button = (answer, label, cls, extra = () => ({})) => (e.answers.includes(answer)
    ? html`<button class=${`btn ${cls}`} type="button" disabled=${busy} onClick=${() => send(path, { answer, ...extra(), ...comment() })}>${label}</button>`
    : null);
  return html`<section class="card decision" aria-labelledby="decision-title" id=${can(me, 'approver') ? 'approvals' : undefined}>
    <div class="card-head">
      <div class="decision-title"><span class="eyebrow">Escalation · ${humanize(e.reason)}</span><h2 id="decision-title">${e.message}</h2></div>
      <span class="spacer"></span><span class="small faint">raised <${Time} iso=${e.raised_at} /></span>
    </div>
    <div class="card-body">
      ${e.reason === 'budget' && wf.budget ? html`<${BudgetBars} budget=${wf.budget} />` : null}
      <${Criteria} round=${latest} />
      ${!can(me, 'approver') ? html`<p class="notice">Only approvers answer escalations; you are signed in as ${me.role}.</p>` : html`
        <${Fields} prefix="esc" values=${values} set=${set} />
        <div class="decision-actions">
          ${e.answers.includes('grant_rounds') ? html`<label class="check" for="esc-rounds">Rounds</label><span class="row"><input id="esc-rounds" type="number" min="1" max="20" value=${rounds} onInput=${(ev) => setRounds(Number(ev.currentTarget.value))} /></span>` : null}
          ${button('grant_rounds', 'Grant more rounds', 'btn-primary', () => ({ rounds }))}
          ${button('raise_budget', 'Raise the budget', 'btn-primary')}
          ${button('accept', 'Accept as is', 'btn-approve')}
          ${button('send_back', 'Send back', '', () => ({ change_requests: lines(values.changes) }))}
          ${button('retry', 'Retry', '')}
          ${button('cancel', 'Cancel workflow', 'btn-danger')}
        </div>`}
    </div>
  </section>`;
}

/** The budget as a bar per limit: ok, warning (from 80 %), reached. */
export function BudgetBars({ budget }) {
  if (!budget) return null;
  return html`<ul class="budget" aria-label="Budget">
    ${budget.limits.map((l) => html`<li class=${`budget-limit ${l.state}`} data-limit=${l.limit} data-state=${l.state}>
      <div class="budget-label"><span>${humanize(l.limit)}</span><span class="muted">${l.text}</span>${l.state !== 'ok' ? html`<span class=${l.state === 'reached' ? 'tag tag-bad' : 'tag tag-warn'}>${l.state}</span>` : null}</div>
      <div class="bar" role="meter" aria-label=${`${humanize(l.limit)} budget used`} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(Math.min(1, l.fraction) * 100)} aria-valuetext=${l.text}>
        <span class=${`bar-fill bar-${l.state}`} ref=${(el) => el && el.style.setProperty('width', `${Math.min(100, l.fraction * 100).toFixed(1)}%`)}></span>
      </div>
    </li>`)}
    ${budget.accepted ? html`<li class="small muted">Going over the budget was accepted.</li>` : null}
  </ul>`;
}

/** What the workflow waits for, or nothing. `review` is GET …/review's answer at a gate. */
export function ApprovalPanel({ wf, me, review, onDone }) {
  const stepId = wf.gate?.step_id ?? wf.escalation?.step_id;
  const latest = wf.rounds.findLast((r) => r.step_id === stepId) ?? wf.rounds.at(-1);
  if (wf.gate) return html`<${GatePanel} key=${wf.gate.interaction_id} wf=${wf} me=${me} latest=${latest} review=${review} onDone=${onDone} />`;
  if (wf.escalation) return html`<${EscalationPanel} key=${wf.escalation.escalation_id} wf=${wf} me=${me} latest=${latest} onDone=${onDone} />`;
  if (wf.external) return html`<${ExternalPanel} key=${`${wf.external.step_id}:${wf.external.since}`} wf=${wf} me=${me} onDone=${onDone} />`;
  return null;
}
