// The panel of a step waiting for its result from outside — from a person or their coding agent:
// the rendered prompt(s), each with a copy button, and for operators a form to paste or upload the
// result, one text per prompt. The result goes to POST /api/workflows/:id/result, which checks it
// as a configured agent's output is checked and refuses it (recording nothing) when it is incomplete.
import { api } from './api.js';
import { can } from './session.js';
import { clear, h, time, toast } from './dom.js';

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

function promptBlock(prompt, index, count) {
  const id = `prompt-${index + 1}`;
  const title = count > 1 ? `Prompt ${index + 1} of ${count}` : 'Prompt';
  const pre = h('pre', { class: 'prompt-text', id, tabindex: 0, 'aria-label': title }, prompt.text);
  return h('div', { class: 'stack' },
    h('div', { class: 'row' },
      h('h3', {}, title, ' ', h('span', { class: 'hint mono' }, prompt.template)),
      h('span', { class: 'spacer' }),
      h('button', { class: 'btn btn-sm', type: 'button', 'aria-controls': id, onclick: () => copy(prompt.text, pre) }, count > 1 ? `Copy prompt ${index + 1}` : 'Copy prompt')),
    pre);
}

function resultField(index, count, format) {
  const id = `result-${index + 1}`;
  const label = count > 1 ? `Result for prompt ${index + 1}` : 'Result';
  const area = h('textarea', { id, name: id, rows: 8, placeholder: 'Paste the result here, or load it from a file below' });
  const file = h('input', { id: `${id}-file`, type: 'file', accept: '.md,.markdown,.txt,.json,text/*' });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (chosen) area.value = await chosen.text();
  });
  const box = h('div', { class: 'stack' },
    h('label', { for: id }, label, ' ', h('span', { class: 'hint' }, `(${WHAT[format] ?? 'the result'})`)), area,
    h('label', { class: 'hint', for: `${id}-file` }, `Or load ${count > 1 ? `result ${index + 1}` : 'it'} from a file: `), file);
  return { area, box, label };
}

function resultForm(wf, action, onDone) {
  const count = action.expected_output.texts;
  const fields = Array.from({ length: count }, (_, i) => resultField(i, count, action.expected_output.format));
  const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, count > 1 ? `Submit the ${count} results` : 'Submit result');
  const send = async (event) => {
    event.preventDefault();
    const empty = fields.find((f) => f.area.value.trim() === '');
    if (empty) {
      toast(`${empty.label} is empty: paste it or load it from a file.`, { error: true });
      empty.area.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api(`/api/workflows/${encodeURIComponent(wf.id)}/result`, { method: 'POST', body: { step: action.step_number, texts: fields.map((f) => f.area.value) } });
      toast('Result recorded. The workflow continues.');
      onDone();
    } catch (error) {
      toast(error.hint ? `${error.message} ${error.hint}` : error.message, { error: true });
      submit.disabled = false;
    }
  };
  return h('form', { class: 'stack', 'aria-label': `Result of step ${action.step_number}`, onsubmit: send },
    fields.map((f) => f.box),
    h('div', { class: 'decision-actions' }, submit));
}

function render(body, wf, me, action, onDone) {
  if (action.kind !== 'submit_step_result') return clear(body, h('p', { class: 'notice' }, action.message ?? 'Nothing waits for a result now.'));
  const count = action.prompts.length;
  const cli = `converge submit ${wf.id} --step ${action.step_number} ${Array.from({ length: action.expected_output.texts }, (_, i) => `--file RESULT${action.expected_output.texts > 1 ? `-${i + 1}` : ''}.md`).join(' ')}`;
  clear(body,
    h('p', {}, `Give the prompt${count > 1 ? 's' : ''} to your coding agent, or answer ${count > 1 ? 'them' : 'it'} yourself, then submit ${action.expected_output.texts > 1 ? `the ${action.expected_output.texts} results, one per prompt,` : 'the result'} here. Converge checks its format, records it and goes on.`),
    action.change_requests.length > 0 ? h('div', { class: 'notice', role: 'note' }, h('strong', {}, 'Change requests: '), action.change_requests.join('; ')) : null,
    action.previous_error ? h('div', { class: 'notice', role: 'note' }, h('strong', {}, 'The previous result was refused: '), action.previous_error) : null,
    action.prompts.map((p, i) => promptBlock(p, i, count)),
    h('details', {}, h('summary', {}, 'Expected format'), h('p', { class: 'muted' }, formatText(action.expected_output.description)), h('p', { class: 'muted' }, action.workspace.note)),
    can(me, 'operator')
      ? [resultForm(wf, action, onDone), h('p', { class: 'hint' }, 'From a terminal: ', h('code', {}, cli))]
      : h('p', { class: 'notice' }, `Only operators submit results; you are signed in as ${me.role}.`));
}

/** The format description without its tool-call lead ("texts: [plan] — "), which is for agents. */
function formatText(description) {
  const cut = description.indexOf(' — ');
  const rest = cut >= 0 ? description.slice(cut + 3) : description;
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** The panel for an external wait (`wf.external`); its prompts come from GET /api/workflows/:id/next. */
export function externalPanel(wf, me, onDone) {
  const x = wf.external;
  const body = h('div', { class: 'card-body stack' }, h('p', { class: 'muted' }, 'Loading the prompt…'));
  const head = h('div', { class: 'card-head' },
    h('div', { class: 'decision-title' },
      h('span', { class: 'eyebrow' }, can(me, 'operator') ? 'Waiting for you' : 'Waiting for an operator'),
      h('h2', { id: 'decision-title' }, `Step ${x.step_number} · ${x.step_name}: the ${x.role}'s result`)),
    h('span', { class: 'spacer' }), h('span', { class: 'small faint' }, 'waiting since ', time(x.since)));
  api(`/api/workflows/${encodeURIComponent(wf.id)}/next`)
    .then((action) => render(body, wf, me, action, onDone))
    .catch((error) => clear(body, h('p', { class: 'notice' }, `The prompt could not be loaded: ${error.message}`)));
  return h('section', { class: 'card decision', 'aria-labelledby': 'decision-title', id: 'external-result' }, head, body);
}
