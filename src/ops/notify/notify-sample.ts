/**
 * The sample `converge notify test` sends: a payload like a real one, for a workflow that does
 * not exist (`wf_sample`), with an id of its own each time so a receiver's dedup never drops it.
 */
import { randomUUID } from 'node:crypto';
import type { NotifyEvent } from './notify-config.js';
import type { NotifyPayload } from './notify-payload.js';
import { workflowLink } from './notify-payload.js';

const NEEDED: Record<NotifyEvent, string> = {
  'gate.waiting': 'Approve or reject the plan at gate plan_approval (or request changes).',
  'escalation.raised': 'Plan validation reached its cap of 5 rounds. Grant N more rounds, accept the artifact as it is, send it back with change requests, or cancel.',
  'external.waiting': 'Submit the plan for step 1 (plan): `converge next wf_sample` shows its prompt and the submit command.',
  'workflow.completed': 'The workflow completed; nothing is needed.',
  'workflow.failed': 'The workflow failed: sample failure. Fork or start it again once the cause is fixed.',
  'workflow.rejected': 'The workflow was rejected at a gate; nothing is needed.',
  'budget.warning': 'The workflow has used 80 % of its cost budget ($4.00 of $5.00); at 100 % it stops and asks a person.',
  'budget.reached': 'The budget is reached ($5.10 of $5.00). Raise the budget (new limits, or none to double the reached ones), accept going over it, or cancel the workflow.',
};

const ANSWERS: Partial<Record<NotifyEvent, string[]>> = {
  'gate.waiting': ['approve', 'reject', 'request_changes'],
  'escalation.raised': ['grant_rounds', 'accept', 'send_back', 'retry', 'cancel'],
  'external.waiting': ['submit'],
  'budget.reached': ['raise_budget', 'accept', 'cancel'],
};

export function samplePayload(event: NotifyEvent, at: string, linkBase?: string): NotifyPayload {
  const link = workflowLink(linkBase, 'wf_sample');
  return {
    id: `ntf_test_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    event,
    at,
    workflow: { id: 'wf_sample', name: 'Sample from converge notify test', title: 'Sample from converge notify test', status: 'waiting_for_human', phase: 'phase_1', waiting_for: event === 'gate.waiting' ? 'gate:plan_approval' : null },
    needed: NEEDED[event],
    answers: ANSWERS[event] ?? [],
    ...(link !== undefined ? { link } : {}),
    details: { sample: true },
  };
}

/** The sample as the JSON text a target gets. */
export function sampleEntry(event: NotifyEvent, at: string, linkBase?: string): string {
  return JSON.stringify(samplePayload(event, at, linkBase));
}
