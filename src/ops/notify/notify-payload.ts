/**
 * The body every target gets (a webhook as it is, a command on stdin, Slack rendered from it), and
 * the idempotency id that names it: sha-256 of the workflow, the event, its cause, the target and
 * the reminder's ordinal, so the same occurrence gets the same id in every process.
 */
import { createHash } from 'node:crypto';
import type { WorkflowState } from '../../core/state.js';
import { shownStatus } from '../../engine/external-wait.js';
import { waitingFor } from '../../engine/workflow-log.js';
import { durationSeconds } from '../../core/budget.js';
import { wants } from './notify-config.js';
import type { NotifyEvent } from './notify-config.js';
import type { NamedTarget } from './notify-targets.js';
import type { Occurrence } from './notify-occurrences.js';
import type { OutboxEntry } from './outbox.js';

export interface NotifyPayload {
  /** The idempotency id, also in X-Converge-Delivery: the same for every retry of this notification. */
  id: string;
  event: NotifyEvent;
  /** When it happened (a reminder: when it began). */
  at: string;
  /** 1, 2, … for the reminders of a waiting event; absent on the first notice. */
  reminder?: number;
  workflow: { id: string; name: string; title: string; status: string; phase: string; waiting_for: string | null };
  needed: string;
  answers: string[];
  /** The workflow's dashboard page; absent when no address is known (set public_url). */
  link?: string;
  details: Record<string, unknown>;
}

export function deliveryId(workflowId: string, event: NotifyEvent, cause: string, target: string, reminder = 0): string {
  const hash = createHash('sha256').update([workflowId, event, cause, target, String(reminder)].join('\n')).digest('hex');
  return `ntf_${hash.slice(0, 32)}`;
}

/** The dashboard page of a workflow under `base` (public_url or serve's own address). */
export function workflowLink(base: string | undefined, workflowId: string): string | undefined {
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The name, else the first line of the requirements, as the dashboard titles it. */
export function workflowTitle(state: Pick<WorkflowState, 'name' | 'requirements'>): string {
  if (state.name) return state.name;
  const first = state.requirements.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

export interface EntryOptions {
  now: string;
  linkBase?: string | undefined;
}

/**
 * The outbox entries of these occurrences for these targets: each target that wants the event gets
 * the first notice, and, while the occurrence still waits, the latest reminder that is due.
 */
export function entriesFor(state: WorkflowState, occurrences: readonly Occurrence[], targets: readonly NamedTarget[], options: EntryOptions): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const o of occurrences) {
    for (const { name, target } of targets) {
      if (!wants(target, o.event)) continue;
      entries.push(entry(state, o, name, 0, options));
      if (!o.waiting || target.remind_every === undefined) continue;
      const every = durationSeconds(target.remind_every) * 1000;
      const ordinal = every > 0 ? Math.floor((Date.parse(options.now) - Date.parse(o.since)) / every) : 0;
      if (ordinal >= 1) entries.push(entry(state, o, name, ordinal, options));
    }
  }
  return entries;
}

function entry(state: WorkflowState, o: Occurrence, target: string, reminder: number, options: EntryOptions): OutboxEntry {
  const id = deliveryId(state.workflowId, o.event, o.cause, target, reminder);
  const link = workflowLink(options.linkBase, state.workflowId);
  const payload: NotifyPayload = {
    id,
    event: o.event,
    at: o.since,
    ...(reminder > 0 ? { reminder } : {}),
    workflow: { id: state.workflowId, name: state.name ?? '', title: workflowTitle(state), status: shownStatus(state), phase: state.phase, waiting_for: waitingFor(state) },
    needed: o.needed,
    answers: o.answers,
    ...(link !== undefined ? { link } : {}),
    details: o.details,
  };
  return { id, target, event: o.event, workflowId: state.workflowId, payload: JSON.stringify(payload), createdAt: options.now };
}
