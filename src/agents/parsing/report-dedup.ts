/**
 * One issue, restated. Reviewers list an issue in a "Critical Issues" summary and again under the
 * component it concerns, often with more words or the location moved; a person counts it once.
 */
import type { Issue, Severity } from '../../core/records.js';

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'major', 'minor', 'info'];

/** Containment counts only for texts this long, so a short phrase never swallows distinct issues. */
const MIN_CONTAINED_CHARS = 24;

/** A path with an extension and an optional line: `src/a.py:42`, `contract.py`. */
const LOCATION_TOKEN = /`?(?:[\w.@-]+\/)*[\w@-][\w.@-]*\.[A-Za-z][A-Za-z0-9]{0,9}(?::\d+)?`?/g;

const STOP_WORDS = new Set('the and for with that this from into than then when have does not are was were its should must'.split(' '));

/**
 * The words of a message without markdown, numbering, a leading severity label, locations,
 * punctuation or case: what stays the same when a reviewer restates an issue.
 */
export function issueKey(message: string): string {
  return message
    .replace(/\*\*|__|`/g, '')
    .replace(LOCATION_TOKEN, ' ')
    .toLowerCase()
    .replace(/^\s*(?:\d+[.)]\s*|issue\s+\d+\s*[:.)–—-]\s*)/, '')
    .replace(/^\s*\[?\s*(?:critical|major|minor|info|error|warning|high|medium|low)\s*\]?\s*[:–—-]?\s*/, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function words(key: string): Set<string> {
  return new Set(key.split(' ').filter((w) => w.length >= 4 && !STOP_WORDS.has(w)));
}

/**
 * Same words, or one text containing the other (a title restated with its explanation), or the
 * same `file:line` with the same severity and overlapping words. The location alone is not
 * enough: two different problems on one line are two issues.
 */
function sameIssue(a: Issue, b: Issue): boolean {
  const ka = issueKey(a.message);
  const kb = issueKey(b.message);
  if (ka !== '' && ka === kb) return true;
  const [short, long] = ka.length <= kb.length ? [ka, kb] : [kb, ka];
  if (short.length >= MIN_CONTAINED_CHARS && long.includes(short)) return true;
  const la = a.location;
  const lb = b.location;
  if (la?.line === undefined || lb?.line === undefined || la.file !== lb.file || la.line !== lb.line || a.severity !== b.severity) return false;
  const wa = words(ka);
  const wb = words(kb);
  const shared = [...wa].filter((w) => wb.has(w)).length;
  return shared > 0 && shared * 3 >= Math.min(wa.size, wb.size);
}

export interface MergedIssues {
  issues: Issue[];
  notes: string[];
}

/**
 * Keeps one issue per restated group, at the place of its first mention, with the most severe
 * severity and the longest wording (the one with the explanation), and fields any mention had.
 * `sections` (parallel to `issues`) names where each was written, for the note.
 */
export function mergeRestatedIssues(issues: readonly Issue[], sections: readonly string[] = []): MergedIssues {
  const groups: Array<{ members: Issue[]; where: string[] }> = [];
  issues.forEach((issue, index) => {
    const group = groups.find((g) => g.members.some((m) => sameIssue(m, issue)));
    const where = sections[index] ?? '';
    if (group === undefined) groups.push({ members: [issue], where: [where] });
    else {
      group.members.push(issue);
      group.where.push(where);
    }
  });
  const merged: MergedIssues = { issues: [], notes: [] };
  for (const { members, where } of groups) {
    merged.issues.push(combine(members));
    if (members.length === 1) continue;
    const places = [...new Set(where.filter((w) => w !== ''))];
    merged.notes.push(
      `Issue restated ${members.length} times${places.length > 0 ? ` (${places.join('; ')})` : ''}, counted once: "${clip(merged.issues.at(-1)!.message)}".`,
    );
  }
  return merged;
}

function combine(members: readonly Issue[]): Issue {
  const severity = SEVERITY_ORDER.find((s) => members.some((m) => m.severity === s))!;
  const wordiest = members.reduce((a, b) => (b.message.length > a.message.length ? b : a));
  const kept: Issue = { ...members[0]!, severity, message: wordiest.message };
  for (const field of ['code', 'location', 'recommendation', 'component'] as const) {
    if (kept[field] !== undefined) continue;
    const found = members.find((m) => m[field] !== undefined)?.[field];
    if (found !== undefined) Object.assign(kept, { [field]: found });
  }
  return kept;
}

function clip(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 79)}…`;
}
