// A step's trace, loaded when its disclosure is opened: the rendered prompts, the raw agent
// output, the parsed result, tokens, cost and duration (GET /api/workflows/:id/steps/:n/trace).
// A step answered from outside (external) has no tokens or cost to report: it says n/a.
import { api } from './api.js';
import { cost, duration, number } from './format.js';
import { html, useState } from './lib.js';

export function usageText(tokens, usd, external = false) {
  if (external || tokens === null || tokens === undefined) return { tokens: 'n/a', cost: 'n/a' };
  const total = typeof tokens === 'number' ? tokens : (tokens.input ?? 0) + (tokens.output ?? 0);
  return { tokens: number(total), cost: usd === null || usd === undefined ? 'n/a' : cost(usd) };
}

function Run({ run, index, count }) {
  const u = usageText(run.tokens, run.cost_usd);
  const tokens = run.tokens ? `${number(run.tokens.input)} in · ${number(run.tokens.output)} out${run.tokens.cached ? ` · ${number(run.tokens.cached)} cached` : ''}` : u.tokens;
  return html`<div class="trace-run" data-action=${run.action_id}>
    ${count > 1 ? html`<h4>Attempt ${run.attempt}${run.status ? ` · ${run.status}` : ''} <span class="faint">(${index + 1} of ${count})</span></h4>` : null}
    <dl class="kv">
      <dt>Agent</dt><dd class="mono">${run.agent ?? 'external (a person or their agent)'}</dd>
      <dt>Tokens</dt><dd>${tokens}</dd>
      <dt>Cost</dt><dd>${u.cost}</dd>
      <dt>Duration</dt><dd>${run.duration_ms === null || run.duration_ms === undefined ? '—' : duration(run.duration_ms)}</dd>
    </dl>
    ${(run.prompts ?? []).map((p, i) => html`<details class="trace-part"><summary>Prompt${run.prompts.length > 1 ? ` ${i + 1}` : ''} <span class="hint mono">${p.template}</span></summary><pre class="prompt-text" tabindex="0">${p.text}</pre></details>`)}
    ${run.raw_output !== null && run.raw_output !== undefined ? html`<details class="trace-part"><summary>Raw output</summary><pre class="prompt-text" tabindex="0">${run.raw_output}</pre></details>` : null}
    ${run.parsed !== null && run.parsed !== undefined ? html`<details class="trace-part"><summary>Parsed result</summary><pre class="prompt-text" tabindex="0">${typeof run.parsed === 'string' ? run.parsed : JSON.stringify(run.parsed, null, 2)}</pre></details>` : null}
    ${run.activity?.length > 0 ? html`<details class="trace-part"><summary>Activity (${run.activity.length})</summary><ol class="activity-list">${run.activity.map((a) => html`<li><span class="faint mono">${a.kind}</span> ${a.text}</li>`)}</ol></details>` : null}
  </div>`;
}

/** A collapsible trace of one step run (`actionId`), or of every run of step `stepNumber`. */
export function StepTrace({ workflowId, stepNumber, actionId }) {
  const [state, setState] = useState({ loaded: false, runs: [], error: null });
  const load = async (event) => {
    if (!event.currentTarget.open || state.loaded) return;
    try {
      const trace = await api(`/api/workflows/${encodeURIComponent(workflowId)}/steps/${stepNumber}/trace`);
      const mine = trace.runs.filter((r) => r.action_id === actionId);
      setState({ loaded: true, runs: mine.length > 0 ? mine : trace.runs, error: null });
    } catch (error) {
      setState({ loaded: true, runs: [], error: error.status === 404 ? 'No trace is recorded for this step.' : error.message });
    }
  };
  return html`<details class="trace" onToggle=${load} data-trace=${String(stepNumber)}>
    <summary>Trace</summary>
    ${!state.loaded ? html`<p class="faint small">Loading the trace…</p>`
      : state.error ? html`<p class="faint small">${state.error}</p>`
      : state.runs.length === 0 ? html`<p class="faint small">This step has not run yet.</p>`
      : state.runs.map((run, i) => html`<${Run} run=${run} index=${i} count=${state.runs.length} />`)}
  </details>`;
}
