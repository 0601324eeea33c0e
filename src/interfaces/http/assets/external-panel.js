// The panel of a step waiting for its result from outside — from a person or their coding agent:
// the rendered prompt(s), each with a copy button, and for operators a form to paste or upload the
// result, one text per prompt. The result goes to POST /api/workflows/:id/result, which checks it
// as a configured agent's output is checked and refuses it (recording nothing) when it is incomplete.
import { api } from './api.js';
import { errorText, toast } from './format.js';
import { html, useEffect, useRef, useState } from './lib.js';
import { can } from './session.js';
import { Time } from './ui.js';

const WHAT = { plan: 'the plan', files: 'the code answer, with a “# File: path” block per file', report: 'the review' };

async function copy(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Prompt copied.');
  } catch {
    // No clipboard access (a plain-http page on another host): select it for the keyboard instead.
    window.getSelection()?.selectAllChildren(pre);
    pre.focus();
    toast('Prompt selected: press Ctrl+C (⌘C) to copy it.');
  }
}

function PromptBlock({ prompt, index, count }) {
  const pre = useRef();
  const id = `prompt-${index + 1}`;
  const title = count > 1 ? `Prompt ${index + 1} of ${count}` : 'Prompt';
  return html`<div class="stack">
    <div class="row">
      <h3>${title} <span class="hint mono">${prompt.template}</span></h3>
      <span class="spacer"></span>
      <button class="btn btn-sm" type="button" aria-controls=${id} onClick=${() => copy(prompt.text, pre.current)}>${count > 1 ? `Copy prompt ${index + 1}` : 'Copy prompt'}</button>
    </div>
    <pre class="prompt-text" id=${id} tabindex="0" aria-label=${title} ref=${pre}>${prompt.text}</pre>
  </div>`;
}

/** The format description without its tool-call lead ("texts: [plan] — "), which is for agents. */
function formatText(description) {
  const cut = description.indexOf(' — ');
  const rest = cut >= 0 ? description.slice(cut + 3) : description;
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

function ResultForm({ wf, action, onDone }) {
  const count = action.expected_output.texts;
  const [texts, setTexts] = useState(() => Array.from({ length: count }, () => ''));
  const [busy, setBusy] = useState(false);
  const label = (i) => (count > 1 ? `Result for prompt ${i + 1}` : 'Result');
  const setText = (i, value) => setTexts((all) => all.map((t, j) => (j === i ? value : t)));
  const send = async (event) => {
    event.preventDefault();
    const empty = texts.findIndex((t) => t.trim() === '');
    if (empty >= 0) {
      toast(`${label(empty)} is empty: paste it or load it from a file.`, { error: true });
      document.getElementById(`result-${empty + 1}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await api(`/api/workflows/${encodeURIComponent(wf.id)}/result`, { method: 'POST', body: { step: action.step_number, texts } });
      toast('Result recorded. The workflow continues.');
      onDone();
    } catch (error) {
      toast(errorText(error), { error: true });
      setBusy(false);
    }
  };
  return html`<form class="stack" aria-label=${`Result of step ${action.step_number}`} onSubmit=${send}>
    ${texts.map((text, i) => {
      const id = `result-${i + 1}`;
      return html`<div class="stack">
        <label for=${id}>${label(i)} <span class="hint">(${WHAT[action.expected_output.format] ?? 'the result'})</span></label>
        <textarea id=${id} name=${id} rows="8" placeholder="Paste the result here, or load it from a file below" value=${text} onInput=${(e) => setText(i, e.currentTarget.value)}></textarea>
        <label class="hint" for=${`${id}-file`}>Or load ${count > 1 ? `result ${i + 1}` : 'it'} from a file: </label>
        <input id=${`${id}-file`} type="file" accept=".md,.markdown,.txt,.json,text/*" onChange=${async (e) => { const chosen = e.currentTarget.files?.[0]; if (chosen) setText(i, await chosen.text()); }} />
      </div>`;
    })}
    <div class="decision-actions"><button class="btn btn-primary" type="submit" disabled=${busy}>${count > 1 ? `Submit the ${count} results` : 'Submit result'}</button></div>
  </form>`;
}

function Body({ wf, me, action, onDone }) {
  if (action.kind !== 'submit_step_result') return html`<p class="notice">${action.message ?? 'Nothing waits for a result now.'}</p>`;
  const count = action.prompts.length;
  const texts = action.expected_output.texts;
  const cli = `converge submit ${wf.id} --step ${action.step_number} ${Array.from({ length: texts }, (_, i) => `--file RESULT${texts > 1 ? `-${i + 1}` : ''}.md`).join(' ')}`;
  return html`
    <p>Give the prompt${count > 1 ? 's' : ''} to your coding agent, or answer ${count > 1 ? 'them' : 'it'} yourself, then submit ${texts > 1 ? `the ${texts} results, one per prompt,` : 'the result'} here. Converge checks its format, records it and goes on.</p>
    ${action.change_requests.length > 0 ? html`<div class="notice" role="note"><strong>Change requests: </strong>${action.change_requests.join('; ')}</div>` : null}
    ${action.previous_error ? html`<div class="notice" role="note"><strong>The previous result was refused: </strong>${action.previous_error}</div>` : null}
    ${action.prompts.map((p, i) => html`<${PromptBlock} prompt=${p} index=${i} count=${count} />`)}
    <details><summary>Expected format</summary><p class="muted">${formatText(action.expected_output.description)}</p><p class="muted">${action.workspace.note}</p></details>
    ${can(me, 'operator')
      ? html`<${ResultForm} wf=${wf} action=${action} onDone=${onDone} /><p class="hint">From a terminal: <code>${cli}</code></p>`
      : html`<p class="notice">Only operators submit results; you are signed in as ${me.role}.</p>`}`;
}

/** The panel for an external wait (`wf.external`); its prompts come from GET /api/workflows/:id/next. */
export function ExternalPanel({ wf, me, onDone }) {
  const x = wf.external;
  const [state, setState] = useState({ action: null, error: null });
  useEffect(() => {
    api(`/api/workflows/${encodeURIComponent(wf.id)}/next`)
      .then((action) => setState({ action, error: null }))
      .catch((error) => setState({ action: null, error: error.message }));
  }, []);
  return html`<section class="card decision" aria-labelledby="decision-title" id="external-result">
    <div class="card-head">
      <div class="decision-title">
        <span class="eyebrow">${can(me, 'operator') ? 'Waiting for you' : 'Waiting for an operator'}</span>
        <h2 id="decision-title">Step ${x.step_number} · ${x.step_name}: the ${x.role}'s result</h2>
      </div>
      <span class="spacer"></span><span class="small faint">waiting since <${Time} iso=${x.since} /></span>
    </div>
    <div class="card-body stack">
      ${state.error ? html`<p class="notice">The prompt could not be loaded: ${state.error}</p>`
        : state.action === null ? html`<p class="muted">Loading the prompt…</p>`
        : html`<${Body} wf=${wf} me=${me} action=${state.action} onDone=${onDone} />`}
    </div>
  </section>`;
}
