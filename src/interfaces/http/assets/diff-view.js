// Artifacts with round-to-round diffs: a tab per artifact (plan, code), a button per version,
// and the unified diff against the version before it, rendered with line numbers.
import { api } from './api.js';
import { clear, h, humanize } from './dom.js';

/** Parses a unified diff into rows for rendering: file headers, hunks, context, additions, deletions. */
export function diffRows(text) {
  const rows = [];
  let oldLine = 0;
  let newLine = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('Index: ') || line.startsWith('====')) continue;
    if (line.startsWith('--- ')) continue;
    if (line.startsWith('+++ ')) {
      rows.push({ kind: 'file', text: line.slice(4).replace(/^b\//, '').replace(/\t.*$/, '') });
      continue;
    }
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      rows.push({ kind: 'hunk', text: line });
    } else if (line.startsWith('+')) rows.push({ kind: 'add', text: line.slice(1), b: newLine++ });
    else if (line.startsWith('-')) rows.push({ kind: 'del', text: line.slice(1), a: oldLine++ });
    else if (line.startsWith(' ')) rows.push({ kind: 'ctx', text: line.slice(1), a: oldLine++, b: newLine++ });
  }
  return rows;
}

export function renderDiff(text) {
  if (!text) return h('p', { class: 'empty' }, 'No changes in this version.');
  const rows = diffRows(text);
  const added = rows.filter((r) => r.kind === 'add').length;
  const removed = rows.filter((r) => r.kind === 'del').length;
  const mark = { add: '+', del: '−', ctx: ' ' };
  return h('div', {},
    h('div', { class: 'diff-stat', 'aria-label': `${added} lines added, ${removed} removed` }, h('span', { class: 'a' }, `+${added}`), ' ', h('span', { class: 'd' }, `−${removed}`)),
    h('div', { class: 'diff', role: 'region', 'aria-label': 'Diff', tabindex: '0' },
      h('table', {}, h('tbody', {}, rows.map((r) => {
        if (r.kind === 'file') return h('tr', { class: 'file' }, h('td', { colspan: 3 }, r.text));
        if (r.kind === 'hunk') return h('tr', { class: 'hunk' }, h('td', { colspan: 3 }, r.text));
        return h('tr', { class: `diff-line ${r.kind}` },
          h('td', { class: 'ln' }, r.a ?? ''), h('td', { class: 'ln' }, r.b ?? ''),
          h('td', { class: 'code' }, h('span', { class: 'sr-only' }, r.kind === 'add' ? 'added: ' : r.kind === 'del' ? 'removed: ' : ''), h('span', { 'aria-hidden': 'true', class: 'faint' }, mark[r.kind]), ' ', r.text));
      })))));
}

/** The artifacts card body; keeps the chosen tab and version across live refreshes. */
export function artifactsView(workflowId, artifacts, memory) {
  if (artifacts.length === 0) return h('p', { class: 'empty' }, 'No artifact yet: the plan appears after step 1.');
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Artifacts' });
  const versions = h('div', { class: 'versions', role: 'group', 'aria-label': 'Versions' });
  const diffBox = h('div', { role: 'tabpanel' });
  const root = h('div', { class: 'artifacts' }, tabs, versions, diffBox);
  let current = artifacts.find((a) => a.artifact === memory.artifact) ?? artifacts[0];

  async function show(artifact, version) {
    memory.artifact = artifact.artifact;
    memory.version = version;
    clear(tabs, artifacts.map((a) =>
      h('button', { role: 'tab', type: 'button', 'aria-selected': String(a === artifact), onclick: () => { current = a; show(a, a.versions.at(-1).version); } }, humanize(a.artifact), ' ', h('span', { class: 'faint' }, `v${a.versions.at(-1).version}`))));
    clear(versions, h('span', { class: 'small faint' }, 'Changes in'), artifact.versions.map((v) =>
      h('button', { type: 'button', 'aria-pressed': String(v.version === version), onclick: () => show(artifact, v.version), title: `${v.step_id}, ${new Date(v.at).toLocaleString()}` },
        v.version === 1 ? 'v1 (first)' : `v${v.version - 1} → v${v.version}`)));
    clear(diffBox, h('p', { class: 'empty' }, 'Loading diff…'));
    try {
      const result = await api(`/api/workflows/${encodeURIComponent(workflowId)}/artifacts/${encodeURIComponent(artifact.artifact)}/diff?from=${version - 1}&to=${version}`);
      if (memory.artifact === artifact.artifact && memory.version === version) clear(diffBox, renderDiff(result.diff));
    } catch (error) {
      clear(diffBox, h('p', { class: 'empty' }, `Could not load the diff: ${error.message}`));
    }
  }

  const keep = current.versions.some((v) => v.version === memory.version) && memory.artifact === current.artifact;
  show(current, keep ? memory.version : current.versions.at(-1).version);
  return root;
}
