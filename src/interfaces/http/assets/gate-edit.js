// Editing at a gate, before approving: the plan (at a plan gate) or one file of the change. The
// edit goes to POST /api/workflows/:id/gate/edit and is recorded as a human revision with its
// diff — the timeline shows it, and the review redraws the change with it.
import { api } from './api.js';
import { errorText, toast } from './format.js';
import { html, useState } from './lib.js';

function latestVersion(wf, artifact) {
  return wf.artifacts.find((a) => a.artifact === artifact)?.versions.at(-1) ?? null;
}

export function GateEdit({ wf, review, onDone }) {
  const kind = review?.gate?.kind ?? review?.change?.kind ?? (/plan/.test(wf.gate.gate_id) ? 'plan' : 'code');
  const [open, setOpen] = useState(null);
  const [form, setForm] = useState({ content: '', path: '', comment: '' });
  const [busy, setBusy] = useState(false);

  const openPlan = async () => {
    let text = review?.change?.plan?.text ?? null;
    if (text === null) {
      const v = latestVersion(wf, 'plan');
      if (v) text = (await api(`/api/workflows/${encodeURIComponent(wf.id)}/artifacts/plan/versions/${v.version}`).catch(() => ({ content: '' }))).content;
    }
    setForm({ content: text ?? '', path: '', comment: '' });
    setOpen('plan');
  };
  const openFile = () => {
    setForm({ content: '', path: review?.change?.files?.[0]?.path ?? '', comment: '' });
    setOpen('file');
  };
  const loadFile = async () => {
    const v = latestVersion(wf, 'code');
    if (!v || !form.path.trim()) return toast('Name a file of the change first.', { error: true });
    try {
      const file = await api(`/api/workflows/${encodeURIComponent(wf.id)}/artifacts/code/versions/${v.version}/file?path=${encodeURIComponent(form.path.trim())}`);
      setForm({ ...form, content: file.content });
    } catch (error) {
      toast(errorText(error), { error: true });
    }
  };
  const save = async (event) => {
    event.preventDefault();
    if (open === 'file' && !form.path.trim()) return toast('Name the file to edit (a path in the workspace).', { error: true });
    setBusy(true);
    try {
      const body = { target: open, content: form.content, ...(open === 'file' ? { path: form.path.trim() } : {}), ...(form.comment.trim() ? { comment: form.comment.trim() } : {}) };
      const { revision } = await api(`/api/workflows/${encodeURIComponent(wf.id)}/gate/edit`, { method: 'POST', body });
      toast(`Saved as ${revision?.path ?? revision?.artifact ?? open} v${revision?.version ?? ''}: a human revision. Approve when ready.`);
      setOpen(null);
      onDone();
    } catch (error) {
      toast(errorText(error), { error: true });
    }
    setBusy(false);
  };
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });

  return html`<div class="gate-edit">
    <div class="row">
      <span class="small muted">Or change it yourself before approving:</span>
      ${kind === 'plan' ? html`<button class="btn btn-sm" type="button" aria-expanded=${String(open === 'plan')} onClick=${openPlan}>Edit plan</button>` : null}
      <button class="btn btn-sm" type="button" aria-expanded=${String(open === 'file')} onClick=${openFile}>Edit file</button>
    </div>
    ${open === null ? null : html`<form class="stack gate-edit-form" aria-label=${open === 'plan' ? 'Edit the plan' : 'Edit a file'} onSubmit=${save}>
      ${open === 'file' ? html`<label for="edit-path">File path <span class="hint">(relative to the workspace)</span></label>
        <div class="row"><input id="edit-path" type="text" value=${form.path} onInput=${set('path')} list="edit-paths" />
          <datalist id="edit-paths">${(review?.change?.files ?? []).map((f) => html`<option value=${f.path}></option>`)}</datalist>
          <button class="btn btn-sm" type="button" onClick=${loadFile}>Load its content</button></div>` : null}
      <label for="edit-content">${open === 'plan' ? 'Plan' : 'File content'}</label>
      <textarea id="edit-content" class="mono" rows="14" value=${form.content} onInput=${set('content')}></textarea>
      <label for="edit-note">Note on the edit <span class="hint">(optional, kept with the revision)</span></label>
      <input id="edit-note" type="text" value=${form.comment} onInput=${set('comment')} />
      <div class="row">
        <button class="btn btn-primary" type="submit" disabled=${busy}>${open === 'plan' ? 'Save plan' : 'Save file'}</button>
        <button class="btn" type="button" onClick=${() => setOpen(null)}>Discard</button>
      </div>
    </form>`}
  </div>`;
}
