/**
 * A notification as a Slack incoming-webhook message: `text` (the fallback shown in the
 * notification itself) plus Block Kit blocks — a header, a mrkdwn section with what is needed, a
 * link button to the dashboard when there is an address, and a context line. Lengths stay within
 * Slack's limits (header 150, section text 3000, button text 75, URL 3000).
 */
import type { NotifyPayload } from './notify-payload.js';

const HEADLINES: Record<NotifyPayload['event'], string> = {
  'gate.waiting': 'Waiting for approval',
  'escalation.raised': 'Needs a decision',
  'external.waiting': 'Waiting for a step result',
  'workflow.completed': 'Workflow completed',
  'workflow.failed': 'Workflow failed',
  'workflow.rejected': 'Workflow rejected',
  'budget.warning': 'Budget at 80 %',
  'budget.reached': 'Budget reached',
};

/** Slack's mrkdwn treats &, < and > as control characters. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export function slackMessage(p: NotifyPayload): SlackMessage {
  const headline = `${HEADLINES[p.event]}${p.reminder ? ` (reminder ${p.reminder})` : ''}`;
  const title = p.workflow.title || p.workflow.id;
  const text = clip(`${headline}: ${title} (${p.workflow.id}). ${p.needed}`, 3000);
  const body = [`*${escape(clip(title, 200))}* \`${p.workflow.id}\``, escape(p.needed)];
  if (p.answers.length > 0) body.push(`Answers: ${p.answers.map((a) => `\`${a}\``).join(', ')}`);
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(body.join('\n'), 3000) } },
  ];
  if (p.link !== undefined && p.link.length <= 3000) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Converge' }, url: p.link, action_id: 'converge_open' }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`${p.event} · ${p.at} · ${p.id}`, 3000) }] });
  return { text, blocks };
}
