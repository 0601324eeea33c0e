// The step timeline: every run of a step (loops show as repeated steps with their round,
// retries with their recovery strategy), gates, escalations and phase changes, in order.
import { duration, h, humanize, number, time } from './dom.js';

const STATUS_TEXT = { scheduled: 'scheduled', started: 'running', completed: 'done', failed: 'failed' };

function stepItem(item) {
  const tokens = item.usage.input_tokens + item.usage.output_tokens;
  const meta = [
    item.role,
    item.agent ? item.agent.replace(/:.*[\/]/, ':') : null,
    STATUS_TEXT[item.status] ?? item.status,
    item.duration_ms !== null ? duration(item.duration_ms) : null,
    tokens > 0 ? `${number(tokens)} tokens` : null,
  ].filter(Boolean);
  return h('li', { class: `tl ${item.status}`, dataset: { kind: 'step', step: String(item.step_number), status: item.status } },
    h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'tl-title' },
      h('span', { class: 'n' }, String(item.step_number)),
      h('span', {}, item.step_name),
      item.round !== null ? h('span', { class: 'tag' }, `${humanize(item.loop ?? 'loop').replace(/ loop$/i, '')} round ${item.round}`) : null,
      item.version !== null ? h('span', { class: 'tag' }, `${item.artifact} v${item.version}`) : null,
      item.sandbox === 'none' ? h('span', { class: 'tag tag-warn', title: 'the agent’s process ran without a sandbox' }, 'not sandboxed') : null,
      item.retry ? h('span', { class: 'tag tag-warn' }, `retry ${item.attempt}${item.recovery_strategy ? ` · ${item.recovery_strategy.replace(/_/g, ' ')}` : ''}`) : null),
    h('div', { class: 'tl-meta' }, meta.join(' · '), ' · ', time(item.started_at ?? item.at)),
    item.failure ? h('div', { class: 'tl-note bad' }, `${item.failure.class.replace(/_/g, ' ')}: ${item.failure.message}`) : null,
    item.change_requests.length > 0 ? h('div', { class: 'tl-note' }, `Change requests: ${item.change_requests.join('; ')}`) : null);
}

const DECISION_TEXT = { approve: 'approved', reject: 'rejected', request_changes: 'changes requested', pending: 'waiting for approval' };

function gateItem(item) {
  const who = item.actor ? ` by ${item.actor.id}${item.automatic ? ` (${item.automatic.replace(/_/g, ' ')})` : ''}` : '';
  return h('li', { class: `tl gate ${item.decision}`, dataset: { kind: 'gate', gate: item.gate_id, decision: item.decision } },
    h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'tl-title' }, h('span', {}, item.gate_name), h('span', { class: item.decision === 'pending' ? 'tag tag-warn' : item.decision === 'approve' ? 'tag tag-ok' : 'tag tag-bad' }, DECISION_TEXT[item.decision] ?? item.decision)),
    h('div', { class: 'tl-meta' }, who ? `${who.slice(4)} · ` : '', time(item.at)),
    item.comment ? h('div', { class: 'tl-note' }, `“${item.comment}”`) : null,
    item.change_requests?.length > 0 ? h('div', { class: 'tl-note' }, `Change requests: ${item.change_requests.join('; ')}`) : null);
}

function escalationItem(item) {
  const answer = item.answer ? `${item.answer.kind.replace(/_/g, ' ')}${item.answer.rounds ? ` ${item.answer.rounds}` : ''} by ${item.actor?.id ?? '?'}` : 'waiting for an answer';
  return h('li', { class: 'tl escalation', dataset: { kind: 'escalation' } },
    h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'tl-title' }, h('span', {}, `Escalation: ${item.reason.replace(/_/g, ' ')}`), h('span', { class: item.answer ? 'tag' : 'tag tag-warn' }, answer)),
    h('div', { class: 'tl-meta' }, time(item.raised_at)),
    h('div', { class: 'tl-note' }, item.message));
}

function phaseItem(item, phases) {
  const name = phases.find((p) => p.id === item.to)?.name ?? humanize(item.to);
  return h('li', { class: 'tl phase', dataset: { kind: 'phase' } }, h('div', { class: 'phase-line' }, name));
}

export function timelineView(timeline, phases) {
  if (timeline.length === 0) return h('p', { class: 'empty' }, 'Nothing has run yet.');
  return h('ol', { class: 'timeline', 'aria-label': 'Timeline' }, timeline.map((item) => {
    if (item.kind === 'step') return stepItem(item);
    if (item.kind === 'gate') return gateItem(item);
    if (item.kind === 'escalation') return escalationItem(item);
    return phaseItem(item, phases);
  }));
}
