// The review at a gate (GET /api/workflows/:id/review), in the order a reviewer reads it: the
// change under review (the code's diff against the workflow's base, file by file; at a plan gate
// the plan and its diff from the previous round), the validator's issues by severity with
// file:line links into the diff, the reviewers' texts, each check's parsed failures and the tail
// of its output, then the scores.
import { cost, humanize, number, toast } from './format.js';
import { DiffView, jumpToLine, withFileHeaders } from './diff-view.js';
import { html } from './lib.js';
import { Card, Scroll } from './ui.js';

const SEVERITY = ['critical', 'major', 'minor', 'info'];
const SEVERITY_TAG = { critical: 'tag-bad', major: 'tag-bad', minor: 'tag-warn' };

/** "src/a.ts:12" as a link that scrolls the diff to that line. */
function FileLink({ file, line }) {
  if (!file) return null;
  const text = line ? `${file}:${line}` : file;
  const go = (event) => {
    event.preventDefault();
    if (!jumpToLine(file, line)) toast(`${file} is not part of the change shown.`);
  };
  return html`<a class="file-link mono" href="#review-change" data-file=${file} data-line=${line ?? ''} onClick=${go}>${text}</a>`;
}

/** The plan gate's plan, and its diff from the previous round. */
function PlanChange({ plan, files }) {
  const diff = plan.previous_text === null ? null : files.find((f) => f.diff)?.diff ?? null;
  return html`<div class="card-body stack">
    <h3>The plan${plan.version ? ` v${plan.version}` : ''}${plan.round ? html` <span class="faint">(round ${plan.round})</span>` : null}${plan.revised_by ? html` <span class="tag">edited by ${plan.revised_by.actor}</span>` : null}</h3>
    <pre class="plan-text" tabindex="0" aria-label="The plan">${plan.text}</pre>
    <h3>Changes from the previous version</h3>
    ${plan.previous_text === null ? html`<p class="faint small">This is the first plan: there is no previous round.</p>`
      : diff === null ? html`<p class="faint small">No changes from the previous version.</p>`
      : html`<${DiffView} diff=${withFileHeaders(diff, 'plan')} label="The plan's changes from the previous version" files=${false} />`}
  </div>`;
}

function Change({ wf, review }) {
  const change = review.change;
  if (!change) return html`<p class="empty">Nothing to review yet.</p>`;
  if (change.kind === 'plan' && change.plan) return html`<${PlanChange} plan=${change.plan} files=${change.files} />`;
  const diff = change.files.filter((f) => f.diff).map((f) => withFileHeaders(f.diff, f.path, f.status)).join('\n');
  return html`<div class="card-body stack">
    <p class="small muted">${`Against ${change.base || 'the workspace when the workflow started'}: ${change.files.length} file${change.files.length === 1 ? '' : 's'} `}<span class="diff-add">+${number(change.files.reduce((n, f) => n + f.additions, 0))}</span> <span class="diff-del">−${number(change.files.reduce((n, f) => n + f.deletions, 0))}</span></p>
    <${DiffView} diff=${diff} label="The change against the base" empty="The change touches no file." />
  </div>`;
}

function Issues({ issues }) {
  if (issues.length === 0) return html`<p class="empty">The validator raised no issue.</p>`;
  const sorted = [...issues].sort((a, b) => SEVERITY.indexOf(a.severity) - SEVERITY.indexOf(b.severity));
  return html`<ul class="issues">
    ${sorted.map((i) => html`<li class="issue" data-severity=${i.severity}>
      <span class=${`tag ${SEVERITY_TAG[i.severity] ?? ''}`}>${i.severity}</span>
      <${FileLink} file=${i.file} line=${i.line} />
      <span class="issue-text">${i.text}</span>
      ${i.reviewer ? html`<span class="faint small"> — ${i.reviewer}</span>` : null}
      ${i.recommendation ? html`<div class="issue-advice small muted">Suggested: ${i.recommendation}</div>` : null}
    </li>`)}
  </ul>`;
}

function Reviews({ reviews }) {
  if (reviews.length === 0) return html`<p class="empty">No reviewer's text for this step.</p>`;
  return html`<div class="card-body stack">
    ${reviews.map((r, i) => html`<details class="review-text" open=${i === 0}>
      <summary>${humanize(r.template.replace(/\.(md|liquid)$/g, ''))}</summary>
      <pre class="prompt-text" tabindex="0">${r.text}</pre>
    </details>`)}
  </div>`;
}

/** Every round's checks (`checks_by_round`), so round 1's failure stays in view at the final gate. */
function Checks({ review }) {
  const checks = review.checks_by_round ? review.checks_by_round.flatMap((r) => r.checks.map((c) => ({ ...c, round: r.round }))) : review.checks;
  if (checks.length === 0) return html`<p class="empty">No check ran for this change.</p>`;
  const rounds = [...new Set(checks.map((c) => c.round))].sort((a, b) => a - b);
  return html`<div class="card-body stack">
    ${rounds.map((round) => html`<div class="check-round" data-round=${String(round)}>
      ${rounds.length > 1 ? html`<h3>Round ${round}</h3>` : null}
      ${checks.filter((c) => c.round === round).map((c) => html`<div class="check-result" data-check=${c.id} data-status=${c.status} data-round=${String(round)}>
        <div class="row">
          <span class="mono">${c.id}</span>${c.required ? null : html`<span class="faint"> (optional)</span>`}
          <span class=${`tag ${c.status === 'passed' ? 'tag-ok' : c.status === 'skipped' ? '' : 'tag-bad'}`}>${c.status}</span>
          ${c.exit_code !== null && c.exit_code !== undefined && c.status !== 'passed' ? html`<span class="small muted">exit code ${c.exit_code}</span>` : null}
        </div>
        ${c.failures.length > 0 ? html`<ul class="failures">${c.failures.map((f) => html`<li><${FileLink} file=${f.file} line=${f.line} /> <span class="failure-message">${f.message}</span></li>`)}</ul>` : null}
        ${c.output_tail ? html`<details class="output-tail"><summary>Output${c.status === 'passed' ? '' : ' (the last lines)'}</summary><pre class="prompt-text" tabindex="0">${c.output_tail}</pre></details>` : null}
      </div>`)}
    </div>`)}
  </div>`;
}

function Scores({ scores, usage }) {
  const u = usage ?? { tokens: null, cost_usd: null, external: false };
  const na = u.external || u.tokens === null;
  return html`<div class="card-body stack">
    ${scores.length === 0 ? html`<p class="faint small">No scores for this step.</p>` : html`<${Scroll} label="Scores">
      <table class="scores">
        <thead><tr><th>Dimension</th><th class="num">Score</th><th class="num">Threshold</th><th>Met</th></tr></thead>
        <tbody>${scores.map((s) => html`<tr data-dimension=${s.dimension}>
          <td>${humanize(s.dimension)}</td><td class="num">${s.value ?? '—'}</td><td class="num">${s.threshold ?? '—'}</td>
          <td>${s.met === null || s.met === undefined ? '—' : html`<span class=${`tag ${s.met ? 'tag-ok' : 'tag-bad'}`}>${s.met ? 'met' : 'not met'}</span>`}</td></tr>`)}</tbody>
      </table></${Scroll}>`}
    <p class="small muted review-usage">This step used ${na ? 'tokens n/a, cost n/a' : `${number(u.tokens)} tokens, ${u.cost_usd === null ? 'cost n/a' : cost(u.cost_usd)}`}${u.external ? ' (answered from outside Converge)' : ''}.</p>
  </div>`;
}

export function Review({ wf, review }) {
  if (!review) return null;
  const step = review.step ? `Step ${review.step.number} · ${review.step.name}` : '';
  return html`<div class="review" aria-label="Review" role="region">
    <${Card} id="review-change" title=${review.change?.kind === 'plan' ? 'The plan under review' : 'The change under review'} actions=${html`<span class="small faint">${step}</span>`}>
      <${Change} wf=${wf} review=${review} />
    </${Card}>
    <${Card} id="review-issues" title=${`Issues (${review.issues.length})`}><${Issues} issues=${review.issues} /></${Card}>
    <${Card} id="review-reviews" title="What the reviewers wrote"><${Reviews} reviews=${review.reviews} /></${Card}>
    <${Card} id="review-checks" title="Checks"><${Checks} review=${review} /></${Card}>
    <${Card} id="review-scores" title="Scores"><${Scores} scores=${review.scores} usage=${review.step_usage ?? review.usage} /></${Card}>
  </div>`;
}
