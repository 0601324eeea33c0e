// Scores per round against their thresholds, as small inline SVG charts: one per dimension,
// grouped by artifact (plan, code). The dashed line is the threshold; a point is green when the
// round met it and red when it did not.
import { humanize } from './format.js';
import { html } from './lib.js';

const W = 260;
const H = 130;
const PAD = { left: 26, right: 40, top: 10, bottom: 22 };

function fmt(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** The y range: 10 at the top, and low enough to show every score and the threshold with room. */
function yDomain(values) {
  const lowest = Math.min(...values, 10);
  const lower = Math.max(0, Math.floor(lowest) - 1);
  return [Math.min(lower, 8), 10];
}

function Chart({ dimension, points, min }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const scored = points.map((p, i) => ({ ...p, i })).filter((p) => p.score !== null);
  const [lo, hi] = yDomain([...scored.map((p) => p.score), ...(min !== null ? [min] : [])]);
  const x = (i) => (points.length === 1 ? PAD.left + innerW / 2 : PAD.left + (i * innerW) / (points.length - 1));
  const y = (v) => PAD.top + ((hi - v) / (hi - lo)) * innerH;
  const ticks = [...new Set([lo, Math.round((lo + hi) / 2), hi])];
  const latest = scored.at(-1);
  const label = `${humanize(dimension)} per round: ${points.map((p) => (p.score === null ? 'missing' : fmt(p.score))).join(', ')}${min !== null ? `; threshold ${fmt(min)}` : ''}`;
  const state = latest === undefined || min === null ? '' : latest.score >= min ? 'met' : 'unmet';
  return html`<figure class="chart">
    <div class="chart-head">
      <span class="dim">${humanize(dimension)}</span>
      <span class=${`latest ${state}`}>${latest ? fmt(latest.score) : '—'}</span>
      ${min !== null ? html`<span class="small faint">/ ${fmt(min)}</span>` : null}
    </div>
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${label} class="score-chart" data-dimension=${dimension}>
      <title>${label}</title>
      ${ticks.map((v) => html`<line class="grid" x1=${PAD.left} x2=${W - PAD.right} y1=${y(v)} y2=${y(v)} /><text class="axis-label" x=${PAD.left - 6} y=${y(v) + 3} text-anchor="end">${String(v)}</text>`)}
      ${points.map((p, i) => html`<text class="axis-label" x=${x(i)} y=${H - 6} text-anchor="middle">R${p.round}</text>`)}
      ${scored.length > 1 ? html`
        <path class="area" d=${`M${x(scored[0].i)},${y(lo)} ${scored.map((p) => `L${x(p.i)},${y(p.score)}`).join(' ')} L${x(scored.at(-1).i)},${y(lo)} Z`} />
        <polyline class="series" points=${scored.map((p) => `${x(p.i)},${y(p.score)}`).join(' ')} />` : null}
      ${min !== null ? html`
        <line class="threshold" x1=${PAD.left} x2=${W - PAD.right} y1=${y(min)} y2=${y(min)} data-min=${String(min)} />
        <text class="threshold-label" x=${W - PAD.right + 5} y=${y(min) + 3.5} text-anchor="start">min ${fmt(min)}</text>` : null}
      ${scored.map((p) => html`<circle class=${`pt ${min === null ? 'none' : p.score >= min ? 'met' : 'unmet'}`} cx=${x(p.i)} cy=${y(p.score)} r="4.5"><title>Round ${p.round}: ${fmt(p.score)}${min !== null ? ` (min ${fmt(min)})` : ''}</title></circle>`)}
    </svg>
  </figure>`;
}

/** One group of charts per artifact; `rounds` come from GET /api/workflows/:id. */
export function ScoreCharts({ rounds }) {
  const groups = new Map();
  for (const round of rounds) {
    if (!groups.has(round.artifact)) groups.set(round.artifact, []);
    groups.get(round.artifact).push(round);
  }
  if (groups.size === 0) return html`<p class="empty">No validation yet: scores appear after the first review.</p>`;
  return html`<div>
    ${[...groups].map(([artifact, list]) => {
      const dims = [...new Set(list.flatMap((r) => r.scores.map((sc) => sc.dimension)))];
      const last = list.at(-1);
      return html`<div class="chart-group" data-artifact=${artifact}>
        <h3>${humanize(artifact)} validation${last.converged === true ? html`<span class="tag tag-ok">converged in round ${last.round}</span>` : last.converged === false ? html`<span class="tag tag-warn">round ${last.round}: not converged</span>` : null}</h3>
        <div class="charts">
          ${dims.map((dim) => {
            const points = list.map((r) => ({ round: r.round, score: r.scores.find((sc) => sc.dimension === dim)?.score ?? null }));
            const min = list.map((r) => r.scores.find((sc) => sc.dimension === dim)?.min).find((m) => m !== null && m !== undefined) ?? null;
            return html`<${Chart} dimension=${dim} points=${points} min=${min} />`;
          })}
        </div>
      </div>`;
    })}
    <div class="legend"><span><i></i>score per round</span><span><i class="t"></i>threshold (must be met)</span></div>
  </div>`;
}
