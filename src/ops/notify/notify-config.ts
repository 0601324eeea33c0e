/**
 * `notify:` in converge.yaml: where Converge tells people that something waits for them or ended.
 * Secrets never appear here — a webhook's signing secret and, if wanted, its URL are named by
 * environment variable. A command target is a program and its arguments from this file, never a
 * shell string.
 */
import { z } from 'zod';
import { DurationSchema } from '../../core/definition-schema.js';

export const NOTIFY_EVENTS = [
  'gate.waiting',
  'escalation.raised',
  'external.waiting',
  'workflow.completed',
  'workflow.failed',
  'workflow.rejected',
  'budget.warning',
  'budget.reached',
] as const;
export const NotifyEventSchema = z.enum(NOTIFY_EVENTS);
export type NotifyEvent = z.infer<typeof NotifyEventSchema>;

/** The events that mean "someone must act", and so may be repeated as reminders while they wait. */
export const WAITING_EVENTS: ReadonlySet<NotifyEvent> = new Set(['gate.waiting', 'escalation.raised', 'external.waiting', 'budget.reached']);

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, not its value');

const common = {
  /** Shown in `converge notify test` and logs; default: the type and its position. */
  name: z.string().min(1).max(100).optional(),
  /** The events this target wants; all of them when omitted. */
  events: z.array(NotifyEventSchema).min(1).optional(),
  /** Send the waiting event again this often while the workflow still waits (gate, escalation, external step, budget). */
  remind_every: DurationSchema.optional(),
  /** How long one delivery may take before it counts as failed and is retried. */
  timeout_s: z.number().positive().max(120).default(10),
};

const address = {
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** The URL from an environment variable (a Slack webhook URL is itself a secret). */
  url_env: envName.optional(),
};

const oneAddress = (t: { url?: string | undefined; url_env?: string | undefined }) => (t.url === undefined) !== (t.url_env === undefined);
const addressMessage = { message: 'give exactly one of url or url_env' };

export const WebhookTargetSchema = z
  .strictObject({
    type: z.literal('webhook'),
    ...address,
    /** The variable holding the HMAC-SHA256 key of X-Converge-Signature; unsigned without it. */
    secret_env: envName.optional(),
    ...common,
  })
  .refine(oneAddress, addressMessage);

export const SlackTargetSchema = z
  .strictObject({
    type: z.literal('slack'),
    ...address,
    ...common,
  })
  .refine(oneAddress, addressMessage);

export const CommandTargetSchema = z.strictObject({
  type: z.literal('command'),
  /** The program and its arguments; it reads the event as JSON on stdin. Exit 0 means delivered. */
  command: z.array(z.string().min(1)).min(1),
  /** Environment variables passed through to it (besides PATH, HOME and the CONVERGE_NOTIFY_* ones). */
  env: z.array(envName).default([]),
  ...common,
});

export const NotifyTargetSchema = z.discriminatedUnion('type', [WebhookTargetSchema, SlackTargetSchema, CommandTargetSchema]);
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

/** A target's name in the outbox, logs and `notify test`: its own, else `webhook#1`. */
export function targetName(target: NotifyTarget, index: number): string {
  return target.name ?? `${target.type}#${index + 1}`;
}

export function wants(target: NotifyTarget, event: NotifyEvent): boolean {
  return target.events === undefined || target.events.includes(event);
}
