// Text helpers shared by the pages: labels, times, numbers, and the page-wide toast and
// screen-reader announcer (two fixed elements of index.html).

const STATUS = {
  running: ['Running', 'running'],
  waiting_for_human: ['Waiting', 'waiting'],
  completed: ['Completed', 'completed'],
  rejected: ['Rejected', 'rejected'],
  failed: ['Failed', 'failed'],
  cancelled: ['Cancelled', 'cancelled'],
};

/** [label, css suffix] of a workflow status. */
export function statusLabel(status, paused = false) {
  return paused ? ['Paused', 'paused'] : (STATUS[status] ?? [status, 'cancelled']);
}

/** "gate:plan_approval" → "Plan approval"; "escalation:cap_reached" → "Escalation: cap reached"; "external:step 1" → "Your result for step 1". */
export function waitingLabel(waitingFor) {
  if (!waitingFor) return '';
  const [kind, rest = ''] = waitingFor.split(':');
  const words = rest.replace(/_/g, ' ');
  if (kind === 'gate') return words.charAt(0).toUpperCase() + words.slice(1);
  if (kind === 'escalation') return `Escalation: ${words}`;
  if (kind === 'external') return `Your result for ${rest}`;
  return waitingFor;
}

export function relTime(iso) {
  if (!iso) return '';
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const abs = Math.abs(seconds);
  const fmt = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (abs < 45) return fmt.format(-seconds, 'second');
  if (abs < 2700) return fmt.format(-Math.round(seconds / 60), 'minute');
  if (abs < 64800) return fmt.format(-Math.round(seconds / 3600), 'hour');
  return fmt.format(-Math.round(seconds / 86400), 'day');
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function number(n) {
  return new Intl.NumberFormat().format(n ?? 0);
}

export function cost(usd) {
  if (!usd) return '$0';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function titleOf(wf) {
  const first = (wf.name || wf.requirements || wf.id).split('\n').find((l) => l.trim() !== '') ?? wf.id;
  const text = first.replace(/^#+\s*/, '').trim();
  return text.length > 110 ? `${text.slice(0, 109)}…` : text;
}

export function humanize(id) {
  const text = String(id ?? '').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function errorText(error) {
  return error.hint ? `${error.message} ${error.hint}` : error.message;
}

export function announce(message) {
  const el = document.getElementById('announcer');
  if (el) el.textContent = message;
}

let toastTimer;
export function toast(message, { error = false } = {}) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.className = `toast${error ? ' error' : ''}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, error ? 7000 : 3500);
}
