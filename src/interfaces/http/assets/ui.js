// Small shared components: status pill, relative time, card, key-value list.
import { html } from './lib.js';
import { relTime, statusLabel } from './format.js';

export function StatusPill({ status, paused = false, large = false }) {
  const [label, cls] = statusLabel(status, paused);
  return html`<span class=${`pill pill-${cls}${large ? ' pill-lg' : ''}`} data-status=${status}>${label}</span>`;
}

export function Time({ iso }) {
  if (!iso) return null;
  return html`<time datetime=${iso} title=${new Date(iso).toLocaleString()}>${relTime(iso)}</time>`;
}

/** A titled section; `id` names it for the heading's aria-labelledby and for in-page links. */
export function Card({ title, id, actions = null, cls = '', children }) {
  return html`<section class=${`card ${cls}`.trim()} id=${id} aria-labelledby=${id ? `${id}-title` : undefined}>
    <div class="card-head"><h2 id=${id ? `${id}-title` : undefined}>${title}</h2><span class="spacer"></span>${actions}</div>
    ${children}
  </section>`;
}

/** A table that scrolls sideways inside its card on a narrow screen instead of clipping. */
export function Scroll({ label, children }) {
  return html`<div class="table-scroll" role="region" aria-label=${label} tabindex="0">${children}</div>`;
}
