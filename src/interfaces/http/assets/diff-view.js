// Diffs drawn by diff2html (window.Diff2HtmlUI, from its slim UI bundle with highlight.js): a
// file list, one collapsible block per file, syntax highlighting. The artifacts card shows the
// plan and code round to round with it; the review shows the change against the base.
import { api } from './api.js';
import { humanize } from './format.js';
import { html, useEffect, useRef, useState } from './lib.js';

const CONFIG = {
  outputFormat: 'line-by-line',
  drawFileList: true,
  fileListToggle: true,
  fileListStartVisible: true,
  fileContentToggle: true,
  matching: 'lines',
  highlight: true,
  synchronisedScroll: false,
  stickyFileHeaders: false,
  colorScheme: 'auto',
  renderNothingWhenEmpty: false,
};

/**
 * One unified diff (several files may follow each other). diff2html writes HTML it built from
 * the diff's text with every piece of it escaped; Preact never renders inside the box.
 */
export function DiffView({ diff, label = 'Diff', files = true, empty = 'No changes.' }) {
  const box = useRef();
  useEffect(() => {
    const el = box.current;
    if (!el || !diff) return;
    if (typeof window.Diff2HtmlUI !== 'function') {
      el.textContent = diff;
      el.classList.add('diff-plain');
      return;
    }
    const ui = new window.Diff2HtmlUI(el, diff, { ...CONFIG, drawFileList: files });
    ui.draw();
    ui.highlightCode();
    // The toggles diff2html draws are unlabelled checkboxes; name them for screen readers.
    for (const input of el.querySelectorAll('.d2h-file-collapse-input')) {
      const name = input.closest('.d2h-file-wrapper')?.querySelector('.d2h-file-name')?.textContent?.trim() ?? 'file';
      input.setAttribute('aria-label', `Mark ${name} as viewed (collapse it)`);
    }
    // Each file's diff scrolls sideways on its own: keyboard users need to reach it.
    for (const scroller of el.querySelectorAll('.d2h-file-diff, .d2h-file-side-diff')) {
      const name = scroller.closest('.d2h-file-wrapper')?.querySelector('.d2h-file-name')?.textContent?.trim() ?? 'file';
      scroller.setAttribute('tabindex', '0');
      scroller.setAttribute('role', 'region');
      scroller.setAttribute('aria-label', `Diff of ${name}`);
    }
    return () => el.replaceChildren();
  }, [diff, files]);
  if (!diff) return html`<p class="empty">${empty}</p>`;
  return html`<div class="diff2" role="region" aria-label=${label} ref=${box}></div>`;
}

/**
 * One file's diff with git-style headers (a/PATH, b/PATH, /dev/null for an added or deleted
 * file), so diff2html names it once and marks it added, changed or deleted, whatever labels the
 * two sides had ("src/a.ts (base)", "plan v1"). Only the header lines before the first hunk change.
 */
export function withFileHeaders(diff, path, status = 'modified') {
  let inHeader = true;
  return diff.split('\n').map((line) => {
    if (line.startsWith('@@')) inHeader = false;
    if (!inHeader) return line;
    if (line.startsWith('--- ')) return `--- ${status === 'added' ? '/dev/null' : `a/${path}`}`;
    if (line.startsWith('+++ ')) return `+++ ${status === 'deleted' ? '/dev/null' : `b/${path}`}`;
    return line;
  }).join('\n');
}

/**
 * Scrolls to FILE:LINE in the diffs on the page (the new side's line number) and marks it; to
 * the file when the line is not in a hunk shown. Returns whether the file was found.
 */
export function jumpToLine(file, line) {
  const wrappers = [...document.querySelectorAll('#review-change .d2h-file-wrapper')];
  const wrapper = wrappers.find((w) => sameFile(w.querySelector('.d2h-file-name')?.textContent?.trim(), file));
  if (!wrapper) return false;
  for (const old of document.querySelectorAll('.d2h-jumped')) old.classList.remove('d2h-jumped');
  let target = wrapper;
  if (line) {
    const cell = [...wrapper.querySelectorAll('.line-num2')].find((n) => n.textContent.trim() === String(line));
    const row = cell?.closest('tr');
    if (row) {
      row.classList.add('d2h-jumped');
      target = row;
    }
  }
  target.setAttribute('tabindex', '-1');
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  return true;
}

function sameFile(shown, wanted) {
  if (!shown || !wanted) return false;
  // diff2html shows renames as "old → new"; either side may be the one an issue names.
  return shown.split(' → ').some((name) => name === wanted || name.endsWith(`/${wanted}`) || wanted.endsWith(`/${name}`));
}

/** The artifacts card body: a tab per artifact, a button per version, the diff to the one before. */
export function ArtifactsView({ workflowId, artifacts, memory }) {
  const preferred = artifacts.find((a) => a.artifact === memory.artifact) ?? artifacts.at(-1);
  const [artifactId, setArtifactId] = useState(preferred?.artifact);
  const artifact = artifacts.find((a) => a.artifact === artifactId) ?? preferred;
  const latest = artifact?.versions.at(-1)?.version;
  // A version the reader picked stays shown across live refreshes; otherwise the newest.
  const [version, setVersion] = useState(memory.versions?.[artifact?.artifact] ?? latest);
  const shown = artifact?.versions.some((v) => v.version === version) ? version : latest;
  const [result, setResult] = useState({ key: null, diff: null, error: null });
  const key = artifact ? `${artifact.artifact}:${shown}` : null;

  useEffect(() => {
    if (!artifact) return;
    let live = true;
    api(`/api/workflows/${encodeURIComponent(workflowId)}/artifacts/${encodeURIComponent(artifact.artifact)}/diff?from=${shown - 1}&to=${shown}`)
      .then((r) => live && setResult({ key, diff: r.diff, error: null }))
      .catch((error) => live && setResult({ key, diff: null, error: error.message }));
    return () => { live = false; };
  }, [key]);

  if (!artifact) return html`<p class="empty">No artifact yet: the plan appears after step 1.</p>`;
  return html`<div class="artifacts">
    <div class="tabs" role="tablist" aria-label="Artifacts">
      ${artifacts.map((a) => html`<button role="tab" type="button" aria-selected=${String(a === artifact)} onClick=${() => { memory.artifact = a.artifact; setArtifactId(a.artifact); setVersion(memory.versions?.[a.artifact] ?? a.versions.at(-1).version); }}>${humanize(a.artifact)} <span class="faint">v${a.versions.at(-1).version}</span></button>`)}
    </div>
    <div class="versions" role="group" aria-label="Versions">
      <span class="small faint">Changes in</span>
      ${artifact.versions.map((v) => html`<button type="button" aria-pressed=${String(v.version === shown)} onClick=${() => { memory.versions = { ...memory.versions, [artifact.artifact]: v.version }; setVersion(v.version); }} title=${`${v.step_id}, ${new Date(v.at).toLocaleString()}`}>${v.version === 1 ? 'v1 (first)' : `v${v.version - 1} → v${v.version}`}</button>`)}
    </div>
    <div role="tabpanel" class="artifact-diff">
      ${result.key !== key ? html`<p class="empty">Loading diff…</p>`
        : result.error ? html`<p class="empty">Could not load the diff: ${result.error}</p>`
        : html`<${DiffView} diff=${artifact.artifact === 'plan' && result.diff ? withFileHeaders(result.diff, 'plan') : result.diff} label=${`${humanize(artifact.artifact)} v${shown}`} empty="No changes in this version." />`}
    </div>
  </div>`;
}
