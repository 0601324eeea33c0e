/** Notifications: targets from converge.yaml, the outbox, and the loops that fill and send it. */
export * from './notify-config.js';
export type { Outbox, OutboxClaim, OutboxEntry, OutboxRow, OutboxStatus } from './outbox.js';
export { outboxRowView, outboxStatus } from './outbox.js';
export { assertTargetsUsable, namedTargets, targetProblems } from './notify-targets.js';
export type { NamedTarget } from './notify-targets.js';
export { occurrencesOf } from './notify-occurrences.js';
export type { Occurrence } from './notify-occurrences.js';
export { deliveryId, entriesFor, workflowLink } from './notify-payload.js';
export type { NotifyPayload } from './notify-payload.js';
export { sendTo, signature } from './notify-send.js';
export type { SendResult } from './notify-send.js';
export { slackMessage } from './slack-message.js';
export { backoffMs, DEFAULT_RETRY, NotifyDeliverer } from './notify-deliverer.js';
export type { RetryPolicy } from './notify-deliverer.js';
export { NotifyWatcher } from './notify-watcher.js';
export { startNotifications } from './notifications.js';
export type { Notifications, NotificationsOptions } from './notifications.js';
export { sampleEntry } from './notify-sample.js';
