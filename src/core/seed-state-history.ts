/**
 * What a seed state says happened, in the order it happened, before it is replayed.
 *
 * The order of `step_history` and the counters (`current_step`, `last_completed_step`) are
 * authoritative; timestamps only fill gaps. Hand-written states often carry placeholder times, and
 * an approval stamped after step 4 must still be read as the approval that let step 4 run.
 */
import type { Step, WorkflowDefinition } from './definition-schema.js';
import { approvalTypeOf } from './seed-state-lookups.js';
import type { ApprovalEntry, EscalationEntry, SeedStateInput, StepEntry } from './seed-state-input.js';
import { pathFromStart } from './seed-state-examples.js';
import { entryStep, invalid, pathTo, stepByNumber } from './seed-state-read.js';

/** The history to replay: entries marked skipped dropped, completed by the counters, retries the error records count listed. */
export function resolveHistory(def: WorkflowDefinition, seed: SeedStateInput): StepEntry[] {
  const all = seed.step_history ?? [];
  all.forEach((entry, i) => entryStep(def, entry, `step_history[${i}]`));
  const given = all.filter((e) => e.status !== 'skipped');
  const last = seed.last_completed_step ?? 0;
  const current = seed.current_step ?? 0;
  const history = given.length === 0 ? fromCounters(def, seed, last, current) : withCounters(def, given, last, current);
  return withCountedRetries(def, history);
}

/**
 * Without step_history, a last_completed_step > 0 stands for the shortest path to it, and a
 * different current_step > 0 for a run of that step in flight (as in the seed's decision record).
 */
function fromCounters(def: WorkflowDefinition, seed: SeedStateInput, last: number, current: number): StepEntry[] {
  const ignored: ApprovalEntry[] = [];
  let history: StepEntry[] = [];
  if (last > 0) {
    const target = stepByNumber(def, last, 'last_completed_step');
    const scores = target.kind === 'validate' ? (seed.validation_scores ?? {}) : undefined;
    history = [...pathFromStart(def, target, ignored), { step_id: target.id, status: 'completed', ...(scores ? { validation_scores: scores } : {}) }];
  }
  if (current > 0 && current !== last) {
    const target = stepByNumber(def, current, 'current_step');
    history = [...(last > 0 ? history : pathFromStart(def, target, ignored)), { step_id: target.id, status: 'in_progress' }];
  }
  return history;
}

/**
 * The schema's `complete_step` sets current_step = last_completed_step = N when step N completes.
 * So when both counters name N:
 * - a last entry of N still marked in_progress completed (the counters were updated, the status not);
 * - a history that does not end with N completed lacks N's completion: the shortest path from its
 *   last entry to N is added. When N cannot follow the last entry, the state contradicts itself.
 * last_completed_step alone completes an in_progress last entry of its step, and otherwise leaves
 * the history's order to speak (an older counter is common in hand-kept states).
 */
function withCounters(def: WorkflowDefinition, given: StepEntry[], last: number, current: number): StepEntry[] {
  if (last === 0 || (current !== 0 && current !== last)) return given;
  const lastEntry = given[given.length - 1]!;
  const lastStep = entryStep(def, lastEntry, `step_history[${given.length - 1}]`);
  if (lastStep.number === last && lastEntry.status === 'in_progress') return [...given.slice(0, -1), { ...lastEntry, status: 'completed' }];
  if (current === 0 || (lastStep.number === last && lastEntry.status === 'completed')) return given;
  const target = stepByNumber(def, last, 'last_completed_step');
  const path = lastEntry.status === 'in_progress' ? undefined : pathTo(def, target, [], lastStep);
  if (path === undefined) {
    throw invalid(
      [
        {
          path: 'last_completed_step',
          message:
            `current_step and last_completed_step say step ${last} (${target.id}) completed last, but step_history ends with ` +
            `step ${lastStep.number} (${lastStep.id}, ${lastEntry.status}), which step ${last} cannot follow`,
        },
      ],
      'The order of step_history says what happened: add the entries that came after its last one, or set current_step ' +
        'and last_completed_step to the step of the last completed entry.',
    );
  }
  return [...given, ...path, { step_id: target.id, status: 'completed' }];
}

/**
 * The schema counts a step's retries inside its error record (recovery_attempts, or one
 * recovery_strategies entry per retry); Converge lists every attempt as an entry. Retries the
 * history does not list become failed entries before the one that counts them, so the recovery
 * policy's caps see them. An entry with input_context.attempt (an export) lists its attempts already.
 */
function withCountedRetries(def: WorkflowDefinition, history: StepEntry[]): StepEntry[] {
  const out: StepEntry[] = [];
  for (const entry of history) {
    const error = entry.error_info;
    const retries = error?.recoveryAttempts ?? error?.recoveryStrategies ?? 0;
    if (entry.status === 'failed' && error != null && retries > 0 && entry.input_context?.attempt === undefined) {
      const step = entryStep(def, entry, 'step_history');
      let listed = 0;
      for (let j = out.length - 1; j >= 0 && out[j]!.status === 'failed' && entryStep(def, out[j]!, 'step_history').id === step.id; j--) listed++;
      for (let n = listed; n < retries; n++) {
        out.push({ step_id: step.id, status: 'failed', error_info: { type: error.type, ...(error.message !== undefined ? { message: error.message } : {}) } });
      }
    }
    out.push(entry);
  }
  return out;
}

// ── Approvals and escalations between the entries ───────────────────────────────────────────
export type Item =
  | { kind: 'approval'; entry: ApprovalEntry; gateId: string; path: string; at: string | null | undefined; order: number }
  | { kind: 'escalation'; entry: EscalationEntry; step: Step; path: string; at: string | null | undefined; order: number };

/** The approvals (approval_history, else the per-gate fields) and escalations of a seed state, in their listed order. */
export function collectItems(def: WorkflowDefinition, seed: SeedStateInput): Item[] {
  const approvals = seed.human_approvals ?? { summaries: {}, approval_history: [] };
  const items: Item[] = [];
  const approval = (entry: ApprovalEntry, path: string) =>
    items.push({ kind: 'approval', entry, gateId: gateFor(def, entry, path), path, at: entry.timestamp, order: items.length });
  if (approvals.approval_history.length > 0) {
    approvals.approval_history.forEach((entry, i) => approval(entry, `human_approvals.approval_history[${i}]`));
  } else {
    for (const type of ['plan', 'code', 'final'] as const) {
      const summary = approvals.summaries[type];
      // `approved: false` is "not yet": the schema keeps rejections and change requests in approval_history.
      if (summary?.approved !== true) continue;
      approval({ approval_type: type, status: 'approved', approver: summary.approver ?? null, timestamp: summary.timestamp ?? null }, `human_approvals.${type}_approved`);
    }
  }
  (seed.escalations ?? []).forEach((entry, i) => {
    const path = `escalations[${i}]`;
    items.push({ kind: 'escalation', entry, step: stepByNumber(def, entry.step_number, `${path}.step_number`), path, at: entry.raised_at, order: items.length });
  });
  return items;
}

export function gateFor(def: WorkflowDefinition, entry: { gate_id?: string | undefined; approval_type: ApprovalEntry['approval_type'] }, path: string): string {
  if (entry.gate_id !== undefined) {
    if (!def.gates.some((g) => g.id === entry.gate_id)) {
      throw invalid([{ path: `${path}.gate_id`, message: `definition "${def.id}" has no gate "${entry.gate_id}"` }]);
    }
    return entry.gate_id;
  }
  const gate = def.gates.find((g) => approvalTypeOf(def, g.id) === entry.approval_type);
  if (gate === undefined) {
    throw invalid([{ path: `${path}.approval_type`, message: `definition "${def.id}" has no ${entry.approval_type} approval gate` }]);
  }
  return gate.id;
}

/**
 * Items keyed by the index of the history entry they follow (-1: before all).
 *
 * An item can only follow an entry that leads to it: an escalation a run of its step that failed
 * (reason failure) or completed (cap, stall); an approval of gate G a completed run of a step that
 * asks G (for a gate asked on convergence, one that converged or whose escalation was answered
 * "accept", while there are enough of those). The approvals of one gate, and the escalations, keep
 * their listed order, each after the one before. Among the entries left, a timestamp picks the last
 * one at or before it (or the first, when it is earlier than all); without one, the latest is taken.
 * Only an item that no entry leads to is placed by its timestamp alone, or else at the end. In one
 * slot, a review approval comes first (it is asked before anything else), then an escalation, then a
 * gate approval (an accepted escalation leads to the gate).
 */
export function placeItems(steps: Step[], history: StepEntry[], items: Item[], convergedAt: (index: number) => boolean): Map<number, Item[]> {
  const slotOf = new Map<Item, number>();
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const key = item.kind === 'approval' ? `gate:${item.gateId}` : 'escalations';
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const timeOf = (j: number) => {
    const e = history[j]!;
    const at = e.completed_at ?? e.started_at ?? e.scheduled_at;
    return at == null ? undefined : Date.parse(at);
  };
  // Escalations first: an accepted one asks the gate of an entry that did not converge.
  const accepted = new Set<number>();
  for (const [key, group] of [...groups].sort(([a], [b]) => Number(b === 'escalations') - Number(a === 'escalations'))) {
    const candidates = group.map((item) => candidatesFor(item, steps, history, (j) => accepted.has(j) || convergedAt(j), group.length));
    for (const [item, slot] of assign(group, candidates, timeOf)) {
      slotOf.set(item, slot);
      if (key === 'escalations' && item.kind === 'escalation' && item.entry.answer?.kind === 'accept') accepted.add(slot);
    }
  }
  const slots = new Map<number, Item[]>();
  for (const item of items) {
    const slot = slotOf.get(item) ?? fallbackSlot(item, steps, history);
    slots.set(slot, [...(slots.get(slot) ?? []), item]);
  }
  const rank = (item: Item, slot: number) => (item.kind === 'escalation' ? 1 : steps[slot]?.review_gate === item.gateId ? 0 : 2);
  for (const [slot, list] of slots) list.sort((a, b) => rank(a, slot) - rank(b, slot) || a.order - b.order);
  return slots;
}

function candidatesFor(item: Item, steps: Step[], history: StepEntry[], asksGate: (index: number) => boolean, groupSize: number): number[] {
  const indexes = history.map((_, j) => j);
  if (item.kind === 'escalation') {
    const status = item.entry.reason === 'failure' ? 'failed' : 'completed';
    return indexes.filter((j) => steps[j]!.id === item.step.id && history[j]!.status === status);
  }
  const asking = indexes.filter((j) => (steps[j]!.gate === item.gateId || steps[j]!.review_gate === item.gateId) && history[j]!.status === 'completed');
  const asked = asking.filter((j) => steps[j]!.review_gate === item.gateId || asksGate(j));
  // A hand-kept state may leave out the escalation that let an unconverged entry ask the gate.
  return asked.length >= groupSize ? asked : asking;
}

/** Each item a slot among its candidates, strictly after the previous item's, leaving each later item one of its own. */
function assign(group: Item[], candidates: number[][], timeOf: (j: number) => number | undefined): Map<Item, number> {
  const upper: Array<number | undefined> = [];
  let bound = Number.POSITIVE_INFINITY;
  for (let k = group.length - 1; k >= 0; k--) {
    upper[k] = candidates[k]!.findLast((c) => c < bound);
    if (upper[k] !== undefined) bound = upper[k]!;
  }
  const chosen = new Map<Item, number>();
  let lower = -1;
  group.forEach((item, k) => {
    const allowed = candidates[k]!.filter((c) => c > lower && c <= (upper[k] ?? -1));
    if (allowed.length === 0) return;
    const at = item.at == null ? undefined : Date.parse(item.at);
    const slot = at === undefined ? allowed.at(-1)! : (allowed.findLast((c) => (timeOf(c) ?? Number.NEGATIVE_INFINITY) <= at) ?? allowed[0]!);
    chosen.set(item, slot);
    lower = slot;
  });
  return chosen;
}

function fallbackSlot(item: Item, steps: Step[], history: StepEntry[]): number {
  const timed = history.map((e) => e.scheduled_at ?? e.started_at ?? e.completed_at);
  if (item.at != null && timed.some((t) => t != null)) {
    const at = Date.parse(item.at);
    return timed.findLastIndex((t) => t != null && Date.parse(t) < at);
  }
  const index = item.kind === 'escalation' ? steps.findLastIndex((s) => s.id === item.step.id) : -1;
  return index >= 0 ? index : history.length - 1;
}
