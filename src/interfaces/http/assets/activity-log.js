// The running step's live activity (issue 16): what a command agent does as it streams it — the
// command it runs, the files it edits, what it says — from the workflow's SSE stream (`progress`
// and `activity` events). Collapsible; nothing is shown while the stream carries none.
import { html, useState } from './lib.js';
import { Time } from './ui.js';

/** One log entry from an SSE event's data, whatever its exact shape. */
export function activityEntry(data) {
  if (!data || typeof data !== 'object') return null;
  const inner = data.activity ?? data;
  const text = inner.text ?? inner.message ?? inner.title ?? inner.summary ?? null;
  if (!text) return null;
  const skipped = Number(inner.skipped ?? 0);
  return {
    at: inner.at ?? data.at ?? new Date().toISOString(),
    kind: inner.kind ?? inner.type ?? data.kind ?? 'activity',
    step: inner.step_number ?? inner.step ?? data.step_number ?? data.step ?? null,
    // The stream drops items past its rate limit and says how many on the next one.
    text: skipped > 0 ? `${text} (${skipped} earlier event${skipped === 1 ? '' : 's'} not shown)` : String(text),
  };
}

export function ActivityLog({ entries, running }) {
  // Open while a step runs and folded once it is done, until the reader folds or opens it: from then
  // on their choice holds, so a step starting or ending never undoes a click.
  const [chosen, setChosen] = useState(null);
  if (entries.length === 0) return null;
  const last = entries.at(-1);
  const open = chosen ?? running;
  const toggle = (event) => {
    event.preventDefault();
    setChosen(!open);
  };
  return html`<details class="card activity-log" open=${open}>
    <summary onClick=${toggle}><span class="activity-title">Live activity${last.step ? ` · step ${last.step}` : ''}</span> <span class="small faint">${entries.length} event${entries.length === 1 ? '' : 's'} · latest: ${last.text.slice(0, 90)}</span></summary>
    <ol class="activity-list" aria-live="off">
      ${entries.slice(-200).map((e) => html`<li data-kind=${e.kind}><span class="faint small"><${Time} iso=${e.at} /></span> <span class="tag">${e.kind}</span> <span>${e.text}</span></li>`)}
    </ol>
  </details>`;
}
