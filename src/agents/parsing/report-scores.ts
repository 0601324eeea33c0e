/**
 * Which of a report's score lines count. Reports give a dimension's score more than once — in the
 * Summary, again in a "Comprehensive Scoring" section, and as sub-scores ("Interface
 * Standardization: 7/10") — and the first one found is not always the one the author meant.
 */
import { WEIGHTED, labelKey } from './report-labels.js';
import type { LabelReading } from './report-labels.js';

/** One score line as read, for `converge parse` and for the choice below. */
export interface ScoreReading {
  /** The label as written, without markdown: "Alignment Rules Score". */
  label: string;
  value: number;
  /** The heading the line sits under ('' before the first heading). */
  section: string;
  /** Whether that heading is a Summary (Summary, Executive Summary). */
  summary: boolean;
  /** A dimension name, `weighted` for the overall, or absent for a sub-score that fills nothing. */
  target?: string;
  match: LabelReading['match'];
  /** True for the reading that gives its target's score. */
  used: boolean;
}

export interface ResolvedScores {
  dimensions: Record<string, number>;
  weighted?: number;
  /** Conflicting values and misleading "overall" sub-scores, in words. */
  notes: string[];
}

/**
 * The Summary's score wins over any other, then a label the profile's table names over one that
 * only contains a dimension word; among equals the first. So a sub-score never stands for a
 * dimension the Summary scores, and "several scores for one dimension" has one clear answer.
 */
function rank(reading: ScoreReading): number {
  return (reading.summary ? 2 : 0) + (reading.match === 'table' ? 1 : 0);
}

/** Picks the reading per target (marking it `used`) and says where readings disagreed. */
export function resolveScores(readings: ScoreReading[]): ResolvedScores {
  const best = new Map<string, ScoreReading>();
  for (const reading of readings) {
    if (reading.target === undefined) continue;
    const current = best.get(reading.target);
    if (current === undefined || rank(reading) > rank(current)) best.set(reading.target, reading);
  }
  const resolved: ResolvedScores = { dimensions: {}, notes: [] };
  for (const [target, reading] of best) {
    reading.used = true;
    if (target === WEIGHTED) resolved.weighted = reading.value;
    else resolved.dimensions[target] = reading.value;
    // Only rivals that claim to be the dimension itself; every "Documentation standards: 8/10"
    // sub-score of standardization would bury the note.
    const others = readings.filter((r) => r.target === target && r !== reading && r.value !== reading.value && isRival(r, reading));
    if (others.length > 0) {
      const name = target === WEIGHTED ? 'weighted overall' : target;
      resolved.notes.push(
        `${name}: ${reading.value} from ${describe(reading)} counts; also given as ${others.map((o) => `${o.value} by ${describe(o)}`).join(', ')}.`,
      );
    }
  }
  for (const reading of readings) {
    if (reading.match !== 'sub-score') continue;
    resolved.notes.push(`"${reading.label}: ${reading.value}/10"${where(reading)} is a sub-score: neither the weighted overall nor a dimension's score.`);
  }
  return resolved;
}

function isRival(other: ScoreReading, used: ScoreReading): boolean {
  return other.summary || other.match === 'table' || labelKey(other.label) === labelKey(used.label);
}

function describe(reading: ScoreReading): string {
  return `"${reading.label}"${where(reading)}`;
}

function where(reading: ScoreReading): string {
  return reading.section === '' ? '' : ` (${reading.section})`;
}
