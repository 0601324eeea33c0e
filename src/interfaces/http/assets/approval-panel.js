// The approvals panel: the pending gate or escalation with the latest round's criteria, and —
// for approvers and admins only — the answer form. Others see who it waits for. A step waiting
// for its result from outside gets the external panel (external-panel.js).
import { api } from './api.js';
import { externalPanel } from './external-panel.js';
import { can } from './session.js';
import { h, humanize, time, toast } from './dom.js';

function criteria(round) {
  if (!round) return null;
  return h('ul', { class: 'criteria', 'aria-label': 'Criteria of the latest round' },
    round.met.map((m) => h('li', {}, '✓ ', m)),
    round.unmet.map((m) => h('li', { class: 'unmet' }, '✗ ', m)));
}

function protectedFiles(paths) {
  if (!paths || paths.length === 0) return null;
  return h('div', { class: 'notice protected-files', role: 'note' },
    h('strong', {}, 'Protected files changed'), ' — review them before approving; automatic approval is held:',
    h('ul', {}, paths.map((p) => h('li', {}, h('code', {}, p)))));
}

function fields(prefix) {
  const comment = h('textarea', { id: `${prefix}-comment`, rows: 3, placeholder: 'Recorded with your decision and shown in the timeline' });
  const changes = h('textarea', { id: `${prefix}-changes`, rows: 3, placeholder: 'One change per line' });
  const lines = () => changes.value.split('\n').map((l) => l.trim()).filter(Boolean);
  const box = h('div', { class: 'decision-grid' },
    h('div', { class: 'stack' }, h('label', { for: `${prefix}-comment` }, 'Comment ', h('span', { class: 'hint' }, '(optional)')), comment),
    h('div', { class: 'stack' }, h('label', { for: `${prefix}-changes` }, 'Change requests ', h('span', { class: 'hint' }, '(for request changes / send back)')), changes));
  return { box, comment, lines };
}

async function send(path, body, buttons, onDone) {
  for (const b of buttons) b.disabled = true;
  try {
    await api(path, { method: 'POST', body });
    toast('Recorded. The workflow continues.');
    onDone();
  } catch (error) {
    toast(error.hint ? `${error.message} ${error.hint}` : error.message, { error: true });
    for (const b of buttons) b.disabled = false;
  }
}

function gatePanel(wf, me, latest, onDone) {
  const head = h('div', { class: 'card-head' },
    h('div', { class: 'decision-title' }, h('span', { class: 'eyebrow' }, can(me, 'approver') ? 'Waiting for you' : 'Waiting for an approver'), h('h2', { id: 'decision-title' }, wf.gate.gate_name)),
    h('span', { class: 'spacer' }), h('span', { class: 'small faint' }, 'requested ', time(wf.gate.requested_at)));
  const body = h('div', { class: 'card-body' }, protectedFiles(wf.gate.protected_paths), criteria(latest));
  if (!can(me, 'approver')) {
    body.append(h('p', { class: 'notice' }, `Only approvers answer gates; you are signed in as ${me.role}.`));
    return h('section', { class: 'card decision', 'aria-labelledby': 'decision-title' }, head, body);
  }
  const f = fields('gate');
  const path = `/api/workflows/${encodeURIComponent(wf.id)}/approval`;
  const comment = () => (f.comment.value.trim() ? { comment: f.comment.value.trim() } : {});
  const approve = h('button', { class: 'btn btn-approve', type: 'button', onclick: () => send(path, { decision: 'approve', ...comment() }, all, onDone) }, 'Approve');
  const changes = h('button', { class: 'btn', type: 'button', onclick: () => {
    if (f.lines().length === 0) return toast('Write at least one change request (one per line).', { error: true });
    send(path, { decision: 'request_changes', change_requests: f.lines(), ...comment() }, all, onDone);
  } }, 'Request changes');
  const reject = h('button', { class: 'btn btn-danger', type: 'button', onclick: () => {
    if (window.confirm('Reject ends the workflow as rejected. Continue?')) send(path, { decision: 'reject', ...comment() }, all, onDone);
  } }, 'Reject');
  const all = [approve, changes, reject];
  body.append(f.box, h('div', { class: 'decision-actions' }, approve, changes, reject));
  return h('section', { class: 'card decision', 'aria-labelledby': 'decision-title', id: 'approvals' }, head, body);
}

function escalationPanel(wf, me, latest, onDone) {
  const e = wf.escalation;
  const head = h('div', { class: 'card-head' },
    h('div', { class: 'decision-title' }, h('span', { class: 'eyebrow' }, `Escalation · ${humanize(e.reason)}`), h('h2', { id: 'decision-title' }, e.message)),
    h('span', { class: 'spacer' }), h('span', { class: 'small faint' }, 'raised ', time(e.raised_at)));
  const body = h('div', { class: 'card-body' }, criteria(latest));
  if (!can(me, 'approver')) {
    body.append(h('p', { class: 'notice' }, `Only approvers answer escalations; you are signed in as ${me.role}.`));
    return h('section', { class: 'card decision', 'aria-labelledby': 'decision-title' }, head, body);
  }
  const f = fields('esc');
  const rounds = h('input', { id: 'esc-rounds', type: 'number', min: 1, max: 20, value: 1 });
  const path = `/api/workflows/${encodeURIComponent(wf.id)}/escalation`;
  const comment = () => (f.comment.value.trim() ? { comment: f.comment.value.trim() } : {});
  const all = [];
  const button = (answer, label, cls, extra = () => ({})) => {
    const b = h('button', { class: `btn ${cls}`, type: 'button', onclick: () => send(path, { answer, ...extra(), ...comment() }, all, onDone) }, label);
    all.push(b);
    return e.answers.includes(answer) ? b : null;
  };
  body.append(f.box, h('div', { class: 'decision-actions' },
    h('label', { class: 'check', for: 'esc-rounds' }, 'Rounds'), h('span', { class: 'row' }, rounds),
    button('grant_rounds', 'Grant more rounds', 'btn-primary', () => ({ rounds: Number(rounds.value) })),
    button('accept', 'Accept as is', 'btn-approve'),
    button('send_back', 'Send back', '', () => ({ change_requests: f.lines() })),
    button('retry', 'Retry', ''),
    button('cancel', 'Cancel workflow', 'btn-danger')));
  return h('section', { class: 'card decision', 'aria-labelledby': 'decision-title', id: 'approvals' }, head, body);
}

/** The panel for what the workflow waits for, or null when it waits for nothing. */
export function approvalPanel(wf, me, onDone) {
  const stepId = wf.gate?.step_id ?? wf.escalation?.step_id;
  const latest = wf.rounds.findLast((r) => r.step_id === stepId) ?? wf.rounds.at(-1);
  if (wf.gate) return gatePanel(wf, me, latest, onDone);
  if (wf.escalation) return escalationPanel(wf, me, latest, onDone);
  if (wf.external) return externalPanel(wf, me, onDone);
  return null;
}
